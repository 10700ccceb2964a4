package wxlogin.session;

import wxlogin.common.Deadline;

/**
 * What a login needs of the session store: starting a family. Login depends on this alone, so it
 * can use a store that implements only this write ({@link DynamoDbSessionStarter}).
 *
 * <p>Failures as {@link SessionStore} describes them.
 */
public interface SessionStarter {

    /** Stores a new family and its first token, both or neither. */
    void create(TokenFamily family, StoredToken first, Deadline deadline);
}
