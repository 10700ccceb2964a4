package wxlogin.session;

import java.util.List;
import wxlogin.common.Deadline;

/**
 * Where refresh-token families live (DynamoDB in production). Reads are strongly consistent;
 * every write that could race is conditional.
 *
 * <p>Failures: {@link SessionStoreUnavailableException} when the store cannot answer now (network,
 * throttling, 5xx, no time left); {@link wxlogin.common.ConfigurationException} when only an
 * operator can fix it (no such table, no permission, a table with another key schema).
 */
public interface SessionStore {

    /** Stores a new family and its first token, both or neither. */
    void create(TokenFamily family, StoredToken first, Deadline deadline);

    /** The token with this hash, or null. */
    StoredToken findToken(String hash, Deadline deadline);

    /** The family, or null. */
    TokenFamily findFamily(String familyId, Deadline deadline);

    /** The ids of every family of this user the store still holds (revoked ones too), in no order. */
    List<String> familiesOf(String userId, Deadline deadline);

    /**
     * Makes {@code next} the family's current token, in one atomic write that holds only while the
     * family's current token is still {@code family.currentHash()} (the presented one) and the
     * family is not revoked; marks {@code presented} as rotated at {@code now}.
     *
     * @return false when the condition did not hold (a concurrent rotation or revocation won)
     */
    boolean rotate(TokenFamily family, StoredToken presented, StoredToken next, long now, Deadline deadline);

    /** Revokes the family (idempotent: a revoked or vanished family stays as it is). */
    void revoke(String familyId, long now, String reason, Deadline deadline);
}
