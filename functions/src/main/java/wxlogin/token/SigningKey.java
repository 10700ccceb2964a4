package wxlogin.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** One HMAC key of the session-keys secret. {@link #toString()} never shows the key. */
public record SigningKey(String kid, byte[] secret) {

    /** HS256 needs a key at least as long as its output (RFC 7518 3.2). */
    public static final int MIN_BYTES = 32;

    /** The kid of the single-key form: lowercase hex of the first 4 bytes of SHA-256(secret). */
    public static String derivedKid(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + "]";
    }
}
