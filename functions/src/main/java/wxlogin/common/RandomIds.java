package wxlogin.common;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random URL-safe ids (base64url, no padding) from a generator created on first use, never during
 * init: under SnapStart no random state may come from a snapshot. {@link #forget()} after a restore.
 */
public final class RandomIds {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private SecureRandom random;

    /** {@code bytes} random bytes as base64url: 16 bytes give 22 characters. */
    public String next(int bytes) {
        return BASE64URL.encodeToString(randomBytes(bytes));
    }

    /** Drops the generator so the next id seeds a new one (after a SnapStart restore). */
    public synchronized void forget() {
        random = null;
    }

    private synchronized byte[] randomBytes(int count) {
        if (random == null) {
            random = new SecureRandom();
        }
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
