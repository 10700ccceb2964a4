package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.util.DateUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wxlogin.common.JsonObjects;

/**
 * Verifies tokens that {@link SessionTokens} minted, and nothing else: HS256 pinned, only the
 * header parameters we write, a known kid, the issuer, and times with a small leeway.
 *
 * <p>The gate runs this on every call, C1-compiled, so it takes Nimbus's pieces rather than its
 * {@code SignedJWT} path, with the same answers (TokenVerifierEquivalenceTest holds it to the
 * former {@code SignedJWT} version; the one difference: the payload must be a JSON object, where
 * Gson also read an array as key-value pairs): Nimbus parses the header ({@link JWSHeader#parse});
 * the claims' JSON is read by {@link JsonObjects} (strict); the MAC is checked by a Nimbus {@code JWSVerifier} made
 * once per key ({@link Hs256Verifier}); the segments are decoded by the JDK
 * ({@link Base64UrlSegments}), not by Nimbus's constant-time decoder; the header we mint, the same
 * for every token of a kid, is parsed once; the claims are read from the parsed JSON with the type
 * checks {@link JWTClaimsSet} makes, without building one.
 */
public final class TokenVerifier {

    /** Longest token we look at; ours are about 500 bytes. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** Clock skew tolerated between Lambda instances, at most 60 s. */
    public static final long LEEWAY_SECONDS = 30;

    private static final Set<String> HEADER_PARAMS = Set.of("alg", "kid", "typ");
    /** The base64url alphabet (RFC 4648 5), indexed by byte value. */
    private static final boolean[] BASE64URL = new boolean[256];

    static {
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
            BASE64URL[c] = true;
        }
    }

    /**
     * Three unpadded base64url segments (RFC 7515 2, 7.1), given as the token's ISO-8859-1 bytes
     * (a character outside ISO-8859-1 becomes '?', which is refused like any other). Nimbus's
     * decoder skips characters outside the alphabet, so without this check whitespace, '=', '+',
     * '/' or '!' inside the unsigned signature segment would still verify: several strings per token.
     */
    private static boolean isCompact(byte[] token) {
        // Same as matching [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+, at a fraction of a regex's cost
        // on the gate's hot path (C1-compiled in Lambda).
        int dots = 0;
        int segmentLength = 0;
        for (byte b : token) {
            if (b == '.') {
                if (segmentLength == 0 || ++dots > 2) {
                    return false;
                }
                segmentLength = 0;
            } else if (BASE64URL[b & 0xff]) {
                segmentLength++;
            } else {
                return false;
            }
        }
        return dots == 2 && segmentLength > 0;
    }

    /** Why a token was refused; names only, safe to log. */
    public enum Denial {
        MALFORMED, TOO_LONG, NOT_HS256, UNEXPECTED_HEADER, NO_KID, UNKNOWN_KID, BAD_SIGNATURE,
        WRONG_ISSUER, NO_SUBJECT, NO_EXPIRY, EXPIRED, NOT_YET_VALID, MISSING_CLAIM
    }

    /** Either the verified claims or the reason for refusal. */
    public record Result(SessionClaims claims, Denial denial, String kid) {
        public boolean valid() {
            return claims != null;
        }
    }

    /** A header segment that parsed and passed {@link #checkHeader}, with what it says. */
    private record CheckedHeader(String segment, JWSHeader header, String kid) {
    }

    /**
     * Headers kept: every token we mint for a kid has the same header segment, and after a key
     * rotation tokens of the old kid stay in use for their lifetime next to the new kid's, so two
     * alternate for hours. A few more leave room for a client sending other headers.
     */
    static final int HEADERS_KEPT = 4;

    private final String issuer;
    private final Clock clock;
    /**
     * The last headers that passed, newest first: the gate parses each once instead of per call.
     * Parsing depends on the segment alone; the kid is still looked up in the keys given with each
     * token. An immutable array replaced whole, so a client sending other headers only pushes ours
     * out (they are parsed again when they come back); two threads adding at once may drop one.
     */
    private volatile CheckedHeader[] headers = new CheckedHeader[0];

    public TokenVerifier(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    public Result verify(String token, SigningKeys keys) {
        if (token == null || token.isEmpty()) {
            return deny(Denial.MALFORMED, null);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return deny(Denial.TOO_LONG, null);
        }
        int firstDot = token.indexOf('.');
        int lastDot = token.lastIndexOf('.');
        CheckedHeader known = knownHeader(token, firstDot);
        // Three non-empty segments of the base64url alphabet, what SignedJWT.parse would split: shown
        // without a scan of the whole token when it can be (see below), else scanned.
        byte[] payload = known == null ? null : payloadOfKnownShape(token, firstDot, lastDot);
        if (payload == null && !isCompact(token.getBytes(StandardCharsets.ISO_8859_1))) {
            return deny(Denial.MALFORMED, null);
        }
        String headerSegment = token.substring(0, firstDot);
        // The signature is not covered by the MAC: only its canonical encoding is accepted.
        byte[] signature = Base64UrlSegments.decodeCanonical(token.substring(lastDot + 1));
        if (signature == null) {
            return deny(Denial.MALFORMED, null);
        }
        CheckedHeader checked = known;
        if (checked == null) {
            JWSHeader header;
            try {
                header = JWSHeader.parse(Base64UrlSegments.decodeToString(headerSegment), new Base64URL(headerSegment));
            } catch (ParseException | RuntimeException e) {
                // Unsecured ("alg":"none") tokens, bad JSON and duplicate names all land here.
                return deny(Denial.MALFORMED, null);
            }
            Denial denial = checkHeader(header);
            if (denial != null) {
                return deny(denial, null);
            }
            checked = new CheckedHeader(headerSegment, header, header.getKeyID());
            remember(checked);
        }
        String kid = checked.kid();
        Hs256Verifier verifier = keys.verifier(kid);
        if (verifier == null) {
            return deny(Denial.UNKNOWN_KID, kid);
        }
        try {
            // The header passed checkHeader (HS256, no crit), so the MAC alone is left of Nimbus's checks.
            byte[] signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.ISO_8859_1);
            if (!verifier.verifySignature(signingInput, signature)) {
                return deny(Denial.BAD_SIGNATURE, kid);
            }
        } catch (JOSEException | RuntimeException e) {
            return deny(Denial.BAD_SIGNATURE, kid);
        }
        if (payload == null) {
            payload = Base64UrlSegments.decode(token.substring(firstDot + 1, lastDot));
        }
        // Only a payload our key signed gets here. Read with the project's strict JSON reader (the
        // JWT library's Gson costs twice as much per call under C1): not exactly one JSON object -> MALFORMED.
        Map<String, Object> claims = JsonObjects.parseOrNull(new String(payload, StandardCharsets.UTF_8));
        if (claims == null || !registeredClaimsWellTyped(claims)) {
            return deny(Denial.MALFORMED, kid);
        }
        return checkClaims(claims, kid);
    }

    /** The kept header that is this token's header segment (up to its first dot), or null. */
    private CheckedHeader knownHeader(String token, int firstDot) {
        for (CheckedHeader header : headers) {
            if (header.segment().length() == firstDot && token.startsWith(header.segment())) {
                return header;
            }
        }
        return null;
    }

    private void remember(CheckedHeader header) {
        CheckedHeader[] current = headers;
        CheckedHeader[] next = new CheckedHeader[Math.min(current.length + 1, HEADERS_KEPT)];
        next[0] = header;
        System.arraycopy(current, 0, next, 1, next.length - 1);
        headers = next;
    }

    /** Whether this token's header segment is one of the kept headers (for tests). */
    boolean knowsHeaderOf(String token) {
        return knownHeader(token, token.indexOf('.')) != null;
    }

    /**
     * For a token whose header segment is a kept one (so a scan passed it when it was kept): the
     * payload's bytes when the token's shape ({@link #isCompact}) is shown without scanning it, else
     * null. Shown when the JDK decodes the payload segment (it refuses every character outside the
     * alphabet but '=', so no dot either), that ends in no '=' (the only place the JDK takes one),
     * and a signature segment follows. The signature's characters are checked by its canonical
     * decoding next, with the same denial a scan would give. The scan costs as much as the
     * payload's decoding under C1, and nearly every token a gate sees has a kept header.
     */
    private static byte[] payloadOfKnownShape(String token, int firstDot, int lastDot) {
        if (lastDot <= firstDot + 1 || lastDot == token.length() - 1 || token.charAt(lastDot - 1) == '=') {
            return null;
        }
        return Base64UrlSegments.decodeStrictOrNull(token.substring(firstDot + 1, lastDot));
    }

    /** Null when the header is one we could have written, else why not. */
    private static Denial checkHeader(JWSHeader header) {
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            return Denial.NOT_HS256;
        }
        // jwk, jku, x5u, x5c, crit, b64...: we never write them, so a token carrying one is forged.
        if (!HEADER_PARAMS.containsAll(header.getIncludedParams())
                || header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())) {
            return Denial.UNEXPECTED_HEADER;
        }
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            return Denial.NO_KID;
        }
        return null;
    }

    /**
     * The type checks {@link JWTClaimsSet#parse(Map)} makes on the registered claims (false where
     * it throws), without building the claims set: iss and jti strings; sub a string or a number;
     * aud a string or an array of strings; exp, nbf and iat numbers; each may be absent or null.
     */
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
        for (Object value : values) {
            if (value != null && !(value instanceof String)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumberOrNull(Object value) {
        return value == null || value instanceof Number;
    }

    /** The claims as {@link JWTClaimsSet}'s getters read them, from claims {@link #registeredClaimsWellTyped} passed. */
    private Result checkClaims(Map<String, Object> claims, String kid) {
        if (!issuer.equals(claims.get("iss"))) {
            return deny(Denial.WRONG_ISSUER, kid);
        }
        Object sub = claims.get("sub");
        String subject = sub == null ? null : String.valueOf(sub); // JWTClaimsSet turns a numeric sub into text
        if (subject == null || subject.isBlank()) {
            return deny(Denial.NO_SUBJECT, kid);
        }
        Date exp = date(claims.get("exp"));
        if (exp == null) {
            return deny(Denial.NO_EXPIRY, kid);
        }
        long now = clock.instant().getEpochSecond();
        if (now > exp.getTime() / 1000 + LEEWAY_SECONDS) {
            return deny(Denial.EXPIRED, kid);
        }
        Date iat = date(claims.get("iat"));
        Date nbf = date(claims.get("nbf"));
        if (iat == null || iat.getTime() / 1000 > now + LEEWAY_SECONDS
                || nbf != null && nbf.getTime() / 1000 > now + LEEWAY_SECONDS) {
            return deny(iat == null ? Denial.MISSING_CLAIM : Denial.NOT_YET_VALID, kid);
        }
        Object appid = claims.get("appid");
        Object loginType = claims.get("login_type");
        Object openid = claims.get("openid");
        Object unionid = claims.get("unionid");
        // JWTClaimsSet.getStringClaim: absent or null is null, any other non-string is an error.
        if (!isStringOrNull(appid) || !isStringOrNull(loginType) || !isStringOrNull(openid) || !isStringOrNull(unionid)
                || appid == null || loginType == null) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        return new Result(new SessionClaims(subject, (String) appid, (String) loginType, (String) openid, (String) unionid,
                iat.getTime() / 1000, exp.getTime() / 1000), null, kid);
    }

    /** A NumericDate as JWTClaimsSet reads it (whole seconds, with its millisecond arithmetic). */
    private static Date date(Object numericDate) {
        return numericDate == null ? null : DateUtils.fromSecondsSinceEpoch(((Number) numericDate).longValue());
    }

    private static boolean isStringOrNull(Object value) {
        return value == null || value instanceof String;
    }

    private static Result deny(Denial denial, String kid) {
        return new Result(null, denial, kid);
    }
}
