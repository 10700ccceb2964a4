// Test helper (no tests): the verifier as it was before the C1 performance work (commit 580a0fd), kept verbatim
// but for its name and its Result type, as the oracle of TokenVerifierEquivalenceTest.
package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Set;
import wxlogin.token.TokenVerifier.Denial;
import wxlogin.token.TokenVerifier.Result;

/**
 * (Before: TokenVerifier.) Verifies tokens that {@link SessionTokens} minted, and nothing else: HS256 pinned, only the
 * header parameters we write, a known kid, the issuer, and times with a small leeway.
 */
final class ReferenceTokenVerifier {

    /** Longest token we look at; ours are about 500 bytes. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** Clock skew tolerated between Lambda instances, at most 60 s. */
    public static final long LEEWAY_SECONDS = 30;

    private static final Set<String> HEADER_PARAMS = Set.of("alg", "kid", "typ");
    /**
     * Three unpadded base64url segments (RFC 7515 2, 7.1). Nimbus's decoder skips characters
     * outside the alphabet, so without this check whitespace, '=', '+', '/' or '!' inside the
     * unsigned signature segment would still verify: several strings per token.
     */
    private static boolean isCompact(String token) {
        // Same as matching [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+, at a fraction of a regex's cost
        // on the gate's hot path (C1-compiled in Lambda).
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

    private final String issuer;
    private final Clock clock;

    ReferenceTokenVerifier(String issuer, Clock clock) {
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
        if (!isCompact(token)) {
            return deny(Denial.MALFORMED, null);
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            // Unsecured ("alg":"none") tokens, bad base64url and bad JSON all land here.
            return deny(Denial.MALFORMED, null);
        }
        // The signature is not covered by the MAC: only its canonical encoding is accepted.
        Base64URL signature = jwt.getSignature();
        if (!signature.toString().equals(Base64URL.encode(signature.decode()).toString())) {
            return deny(Denial.MALFORMED, null);
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            return deny(Denial.NOT_HS256, null);
        }
        // jwk, jku, x5u, x5c, crit, b64...: we never write them, so a token carrying one is forged.
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
            if (!jwt.verify(new MACVerifier(key.secret()))) {
                return deny(Denial.BAD_SIGNATURE, kid);
            }
        } catch (JOSEException | RuntimeException e) {
            return deny(Denial.BAD_SIGNATURE, kid);
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return deny(Denial.MALFORMED, kid);
        }
        return checkClaims(claims, kid);
    }

    private Result checkClaims(JWTClaimsSet claims, String kid) {
        if (!issuer.equals(claims.getIssuer())) {
            return deny(Denial.WRONG_ISSUER, kid);
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            return deny(Denial.NO_SUBJECT, kid);
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return deny(Denial.NO_EXPIRY, kid);
        }
        long now = clock.instant().getEpochSecond();
        if (now > exp.getTime() / 1000 + LEEWAY_SECONDS) {
            return deny(Denial.EXPIRED, kid);
        }
        Date iat = claims.getIssueTime();
        Date nbf = claims.getNotBeforeTime();
        if (iat == null || iat.getTime() / 1000 > now + LEEWAY_SECONDS
                || nbf != null && nbf.getTime() / 1000 > now + LEEWAY_SECONDS) {
            return deny(iat == null ? Denial.MISSING_CLAIM : Denial.NOT_YET_VALID, kid);
        }
        String appid;
        String loginType;
        String openid;
        String unionid;
        try {
            appid = claims.getStringClaim("appid");
            loginType = claims.getStringClaim("login_type");
            openid = claims.getStringClaim("openid");
            unionid = claims.getStringClaim("unionid");
        } catch (ParseException e) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        if (appid == null || loginType == null) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        return new Result(new SessionClaims(subject, appid, loginType, openid, unionid,
                iat.getTime() / 1000, exp.getTime() / 1000), null, kid);
    }

    private static Result deny(Denial denial, String kid) {
        return new Result(null, denial, kid);
    }
}
