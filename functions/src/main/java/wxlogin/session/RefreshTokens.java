package wxlogin.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import wxlogin.common.RandomIds;

/**
 * Opaque refresh tokens, base64url without padding (43 characters): a login's first token is 256
 * bits of fresh randomness; each later one is the {@link #successor} of the token it replaces.
 * The store keeps only their SHA-256, so a copy of the table cannot be replayed as tokens.
 */
public final class RefreshTokens {

    static final int TOKEN_BYTES = 32;
    static final int FAMILY_ID_BYTES = 16;
    /** base64url of 32 bytes without padding. */
    public static final int TOKEN_LENGTH = 43;
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{" + TOKEN_LENGTH + "}");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final RandomIds random = new RandomIds();

    /** A new refresh token. */
    public String newToken() {
        return random.next(TOKEN_BYTES);
    }

    /** A new family id: not a credential (it is never sent to clients), only unique. */
    public String newFamilyId() {
        return random.next(FAMILY_ID_BYTES);
    }

    /** Drops the random generator so the next token seeds a new one (after a SnapStart restore). */
    public void forgetRandomness() {
        random.forget();
    }

    /**
     * The token that replaces {@code presented}: HMAC-SHA256 under a key derived from a signing
     * key, so a repeated refresh yields the same successor without the store keeping it, and only
     * the presenter and the service can compute it.
     */
    public static String successor(String presented, byte[] signingSecret) {
        // A key of its own (derived, labelled), never the signing key itself on another kind of message.
        byte[] key = hmac(signingSecret, SUCCESSOR_KEY_LABEL);
        return BASE64URL.encodeToString(hmac(key, presented.getBytes(StandardCharsets.US_ASCII)));
    }

    private static final byte[] SUCCESSOR_KEY_LABEL =
            "wxlogin refresh-token successor v1".getBytes(StandardCharsets.US_ASCII);

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
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
