package wxlogin.users;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The identities one login proved: the one it authenticated (the multi-terminal {@code user_id}
 * of a code2verifyinfo login, the mini-program {@code (appid, openid)} of a jscode2session login)
 * and the others WeChat named with it (bound blocks' openids, the unionid). A conflict between
 * two existing users is settled in favour of the authenticated identity's user.
 *
 * @param preferredUserId the id a person first seen through this login should get (the
 *                        multi-terminal user_id, so tokens issued before the directory stay valid);
 *                        null: a new random id
 */
public record LoginIdentities(IdentityKey authenticated, Set<IdentityKey> others, String preferredUserId) {

    public LoginIdentities {
        Objects.requireNonNull(authenticated, "authenticated");
        Set<IdentityKey> rest = new LinkedHashSet<>(others);
        rest.remove(authenticated);
        others = Set.copyOf(rest);
    }

    /** Every identity of the login, the authenticated one first. */
    Set<IdentityKey> all() {
        Set<IdentityKey> all = new LinkedHashSet<>();
        all.add(authenticated);
        all.addAll(others);
        return all;
    }
}
