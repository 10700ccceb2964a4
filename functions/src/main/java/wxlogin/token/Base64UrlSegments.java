package wxlogin.token;

import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Decodes the segments of a compact JWS exactly as Nimbus's {@link Base64URL#decode()} does, at a
 * fraction of its cost: Nimbus's decoder is a constant-time one (meant for keys), several
 * microseconds per token under C1, while the segments of a token are public. For the segments
 * {@link TokenVerifier} lets through (unpadded base64url alphabet only) the JDK decoder gives the
 * same bytes, including when the unused bits of the last character are not zero; the one case
 * it refuses (a length of 4n+1: one character too many) is handed to Nimbus's decoder, which
 * drops that character. Base64UrlSegmentsTest checks the equivalence.
 */
final class Base64UrlSegments {

    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Base64UrlSegments() {
    }

    /** The bytes Nimbus's {@link Base64URL#decode()} gives for this segment. */
    static byte[] decode(String segment) {
        try {
            return DECODER.decode(segment);
        } catch (IllegalArgumentException e) {
            return new Base64URL(segment).decode();
        }
    }

    /** The bytes of a segment the JDK decoder takes (padding included), else null: no fallback to Nimbus's decoder. */
    static byte[] decodeStrictOrNull(String segment) {
        try {
            return DECODER.decode(segment);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The text Nimbus's {@link Base64URL#decodeToString()} gives for this segment. */
    static String decodeToString(String segment) {
        return new String(decode(segment), StandardCharsets.UTF_8);
    }

    /** The decoded bytes when the segment is their one canonical encoding (unpadded base64url), else null. */
    static byte[] decodeCanonical(String segment) {
        byte[] bytes = decodeStrictOrNull(segment);
        return bytes != null && ENCODER.encodeToString(bytes).equals(segment) ? bytes : null;
    }
}
