// Test helper (no tests): the gate's verifier before it moved to Nimbus's SignedJWT path and claims verifier (Nimbus's
// pieces, the JDK's base64, a strict JSON reader), kept as the oracle of TokenVerifierEquivalenceTest; the header cache,
// the kept keyed Mac and the JsonObjects reader gave way to their plain equivalents (same answers, proven at the time).
package wxlogin.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.impl.HMAC;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.util.DateUtils;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wxlogin.common.Json;
import wxlogin.token.TokenVerifier.Denial;
import wxlogin.token.TokenVerifier.Result;

/**
 * (Before: TokenVerifier.) Verifies tokens that {@link SessionTokens} minted, and nothing else: HS256 pinned, only the
 * header parameters we write, a known kid, the issuer, and times with a small leeway. Nimbus parses the header; the
 * MAC is Nimbus's HMAC with its key checks; segments are decoded by the JDK (Nimbus's decoder only for the 4n+1
 * lengths the JDK refuses); the claims are read as a strict JSON object with the type checks JWTClaimsSet makes.
 */
final class ReferenceTokenVerifier {

    private static final Set<String> HEADER_PARAMS = Set.of("alg", "kid", "typ");
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String issuer;
    private final Clock clock;

    ReferenceTokenVerifier(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    private static boolean isCompact(String token) {
        int dots = 0;
        int segmentLength = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (segmentLength == 0 || ++dots > 2) {
                    return false;
                }
                segmentLength = 0;
            } else if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
                segmentLength++;
            } else {
                return false;
            }
        }
        return dots == 2 && segmentLength > 0;
    }

    Result verify(String token, SigningKeys keys) {
        if (token == null || token.isEmpty()) {
            return deny(Denial.MALFORMED, null);
        }
        if (token.length() > TokenVerifier.MAX_TOKEN_LENGTH) {
            return deny(Denial.TOO_LONG, null);
        }
        if (!isCompact(token)) {
            return deny(Denial.MALFORMED, null);
        }
        int firstDot = token.indexOf('.');
        int lastDot = token.lastIndexOf('.');
        String headerSegment = token.substring(0, firstDot);
        byte[] signature = decodeCanonical(token.substring(lastDot + 1));
        if (signature == null) {
            return deny(Denial.MALFORMED, null);
        }
        JWSHeader header;
        try {
            header = JWSHeader.parse(new String(decode(headerSegment), StandardCharsets.UTF_8), new Base64URL(headerSegment));
        } catch (Exception e) {
            return deny(Denial.MALFORMED, null);
        }
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            return deny(Denial.NOT_HS256, null);
        }
        if (!HEADER_PARAMS.containsAll(header.getIncludedParams())
                || header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())) {
            return deny(Denial.UNEXPECTED_HEADER, null);
        }
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            return deny(Denial.NO_KID, null);
        }
        SigningKey key = keys.find(kid);
        if (key == null) {
            return deny(Denial.UNKNOWN_KID, kid);
        }
        try {
            byte[] signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.ISO_8859_1);
            byte[] mac = HMAC.compute("HmacSHA256", new MACVerifier(key.secret()).getSecretKey(), signingInput, null);
            if (!MessageDigest.isEqual(mac, signature)) {
                return deny(Denial.BAD_SIGNATURE, kid);
            }
        } catch (Exception e) {
            return deny(Denial.BAD_SIGNATURE, kid);
        }
        Map<String, Object> claims = jsonObjectOrNull(new String(decode(token.substring(firstDot + 1, lastDot)),
                StandardCharsets.UTF_8));
        if (claims == null || !registeredClaimsWellTyped(claims)) {
            return deny(Denial.MALFORMED, kid);
        }
        return checkClaims(claims, kid);
    }

    /** The bytes Nimbus's decoder gives for a segment of the base64url alphabet. */
    private static byte[] decode(String segment) {
        try {
            return DECODER.decode(segment);
        } catch (IllegalArgumentException e) {
            return new Base64URL(segment).decode();
        }
    }

    private static byte[] decodeCanonical(String segment) {
        try {
            byte[] bytes = DECODER.decode(segment);
            return ENCODER.encodeToString(bytes).equals(segment) ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObjectOrNull(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            return node != null && node.isObject() ? Json.MAPPER.convertValue(node, Map.class) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean registeredClaimsWellTyped(Map<String, Object> claims) {
        Object iss = claims.get("iss");
        Object sub = claims.get("sub");
        Object aud = claims.get("aud");
        Object jti = claims.get("jti");
        return (iss == null || iss instanceof String)
                && (sub == null || sub instanceof String || sub instanceof Number)
                && (aud == null || aud instanceof String || aud instanceof List<?> audiences && stringsOrNulls(audiences))
                && isNumberOrNull(claims.get("exp")) && isNumberOrNull(claims.get("nbf")) && isNumberOrNull(claims.get("iat"))
                && (jti == null || jti instanceof String);
    }

    private static boolean stringsOrNulls(List<?> values) {
        return values.stream().allMatch(value -> value == null || value instanceof String);
    }

    private static boolean isNumberOrNull(Object value) {
        return value == null || value instanceof Number;
    }

    private Result checkClaims(Map<String, Object> claims, String kid) {
        if (!issuer.equals(claims.get("iss"))) {
            return deny(Denial.WRONG_ISSUER, kid);
        }
        Object sub = claims.get("sub");
        String subject = sub == null ? null : String.valueOf(sub);
        if (subject == null || subject.isBlank()) {
            return deny(Denial.NO_SUBJECT, kid);
        }
        Date exp = date(claims.get("exp"));
        if (exp == null) {
            return deny(Denial.NO_EXPIRY, kid);
        }
        long now = clock.instant().getEpochSecond();
        if (now > exp.getTime() / 1000 + TokenVerifier.LEEWAY_SECONDS) {
            return deny(Denial.EXPIRED, kid);
        }
        Date iat = date(claims.get("iat"));
        Date nbf = date(claims.get("nbf"));
        if (iat == null || iat.getTime() / 1000 > now + TokenVerifier.LEEWAY_SECONDS
                || nbf != null && nbf.getTime() / 1000 > now + TokenVerifier.LEEWAY_SECONDS) {
            return deny(iat == null ? Denial.MISSING_CLAIM : Denial.NOT_YET_VALID, kid);
        }
        Object appid = claims.get("appid");
        Object loginType = claims.get("login_type");
        Object openid = claims.get("openid");
        Object unionid = claims.get("unionid");
        if (!isStringOrNull(appid) || !isStringOrNull(loginType) || !isStringOrNull(openid) || !isStringOrNull(unionid)
                || appid == null || loginType == null) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        return new Result(new SessionClaims(subject, (String) appid, (String) loginType, (String) openid, (String) unionid,
                iat.getTime() / 1000, exp.getTime() / 1000), null, kid);
    }

    /** A NumericDate as JWTClaimsSet reads it; an integer beyond a long's range as Nimbus's JSON reader has it, a double. */
    private static Date date(Object numericDate) {
        if (numericDate == null) {
            return null;
        }
        Number n = (Number) numericDate;
        return DateUtils.fromSecondsSinceEpoch(n instanceof BigInteger ? (long) n.doubleValue() : n.longValue());
    }

    private static boolean isStringOrNull(Object value) {
        return value == null || value instanceof String;
    }

    private static Result deny(Denial denial, String kid) {
        return new Result(null, denial, kid);
    }
}
