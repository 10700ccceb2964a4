package wxlogin.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Opaque refresh tokens: 256 bits of fresh randomness, base64url without padding (43 characters).
 * The store keeps only their SHA-256, so a copy of the table cannot be replayed as tokens.
 */
public final class RefreshTokens {

    static final int TOKEN_BYTES = 32;
    static final int FAMILY_ID_BYTES = 16;
    /** base64url of 32 bytes without padding. */
    public static final int TOKEN_LENGTH = 43;
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{" + TOKEN_LENGTH + "}");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    // Created on first use, never during init: under SnapStart no random state may come from a snapshot.
    private SecureRandom random;

    /** A new refresh token. */
    public String newToken() {
        return BASE64URL.encodeToString(randomBytes(TOKEN_BYTES));
    }

    /** A new family id: not a credential (it is never sent to clients), only unique. */
    public String newFamilyId() {
        return BASE64URL.encodeToString(randomBytes(FAMILY_ID_BYTES));
    }

    /** Drops the random generator so the next token seeds a new one (after a SnapStart restore). */
    public synchronized void forgetRandomness() {
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

    /** Whether the text can be a token this service issued (shape only). */
    public static boolean wellFormed(String token) {
        return token != null && SHAPE.matcher(token).matches();
    }

    /** What the store keeps of a token: base64url of its SHA-256. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return BASE64URL.encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Compares two hashes in constant time, so timing tells nothing about how much of one matched. */
    public static boolean sameHash(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
