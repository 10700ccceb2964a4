package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.Set;

/**
 * Verifies tokens that {@link SessionTokens} minted, and nothing else: HS256 pinned, only the
 * header parameters we write, a known kid, the issuer, and times with a small leeway.
 *
 * <p>Nimbus does the work: {@link SignedJWT} parses, its {@link MACVerifier} checks the MAC and a
 * {@link DefaultJWTClaimsVerifier} the issuer, the required claims and the times. A short
 * pre-check adds what Nimbus lacks: a size bound, the base64url alphabet with a canonical
 * signature (Nimbus's decoder skips foreign characters), a JSON object as payload (its JSON
 * reader takes an array of pairs too), and the header allow-list.
 */
public final class TokenVerifier {

    /** Longest token we look at; ours are about 500 bytes. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** Clock skew tolerated between Lambda instances, at most 60 s. */
    public static final long LEEWAY_SECONDS = 30;

    private static final Set<String> HEADER_PARAMS = Set.of("alg", "kid", "typ");
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

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

    private final String issuer;
    private final Clock clock;
    private final DefaultJWTClaimsVerifier<?> claimsVerifier;

    public TokenVerifier(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
        this.claimsVerifier = new DefaultJWTClaimsVerifier<>(new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of("iss", "sub", "exp")) {
            @Override
            protected Date currentTime() {
                return new Date(nowSeconds() * 1000);
            }
        };
        // Nimbus's time bounds are strict; on whole seconds one more keeps exp + 30 s (and nbf = now + 30 s) valid.
        claimsVerifier.setMaxClockSkew((int) LEEWAY_SECONDS + 1);
    }

    public Result verify(String token, SigningKeys keys) {
        if (token == null || token.isEmpty()) {
            return deny(Denial.MALFORMED, null);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return deny(Denial.TOO_LONG, null);
        }
        if (!isCompact(token) || !isCanonical(token.substring(token.lastIndexOf('.') + 1))) {
            return deny(Denial.MALFORMED, null);
        }
        SignedJWT jwt;
        try {
            // Unsecured ("alg":"none") tokens, bad JSON and duplicate names all fail here.
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
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
            // Nimbus refuses a key shorter than 256 bits here: such a key verifies nothing.
            if (!jwt.verify(new MACVerifier(key.secret()))) {
                return deny(Denial.BAD_SIGNATURE, kid);
            }
        } catch (JOSEException | RuntimeException e) {
            return deny(Denial.BAD_SIGNATURE, kid);
        }
        JWTClaimsSet claims;
        try {
            String payload = jwt.getPayload().toString();
            if (!isJsonObject(payload)) {
                return deny(Denial.MALFORMED, kid);
            }
            claims = JWTClaimsSet.parse(payload);
        } catch (ParseException | RuntimeException e) {
            return deny(Denial.MALFORMED, kid);
        }
        return checkClaims(claims, kid);
    }

    private Result checkClaims(JWTClaimsSet claims, String kid) {
        BadJWTException refused = null;
        try {
            claimsVerifier.verify(claims, null);
        } catch (BadJWTException e) {
            refused = e;
        }
        Denial denial = denial(claims, refused);
        if (denial != null) {
            return deny(denial, kid);
        }
        String appid;
        String loginType;
        String openid;
        String unionid;
        Long authTime;
        try {
            appid = claims.getStringClaim("appid");
            loginType = claims.getStringClaim("login_type");
            openid = claims.getStringClaim("openid");
            unionid = claims.getStringClaim("unionid");
            // Optional: tokens minted before auth_time existed stay valid until they expire.
            authTime = claims.getLongClaim("auth_time");
        } catch (ParseException e) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        if (appid == null || loginType == null) {
            return deny(Denial.MISSING_CLAIM, kid);
        }
        return new Result(new SessionClaims(claims.getSubject(), appid, loginType, openid, unionid,
                claims.getIssueTime().getTime() / 1000, claims.getExpirationTime().getTime() / 1000, authTime), null, kid);
    }

    /**
     * The reason, in the order the gate has always named them, for what Nimbus refused, plus the
     * checks it does not make: a sub that is null or blank, an exp that is null, and iat present
     * and not ahead of us by more than the leeway. Null when the claims pass.
     */
    private Denial denial(JWTClaimsSet claims, BadJWTException refused) {
        if (!issuer.equals(claims.getIssuer())) {
            return Denial.WRONG_ISSUER;
        }
        if (claims.getSubject() == null || claims.getSubject().isBlank()) {
            return Denial.NO_SUBJECT;
        }
        if (claims.getExpirationTime() == null) {
            return Denial.NO_EXPIRY;
        }
        if (refused instanceof ExpiredJWTException) {
            return Denial.EXPIRED;
        }
        Date iat = claims.getIssueTime();
        if (iat == null) {
            return Denial.MISSING_CLAIM;
        }
        // What is left of Nimbus's refusals: nbf ahead of us.
        return refused != null || iat.getTime() / 1000 > nowSeconds() + LEEWAY_SECONDS ? Denial.NOT_YET_VALID : null;
    }

    private long nowSeconds() {
        return clock.instant().getEpochSecond();
    }

    /**
     * Three non-empty segments of the base64url alphabet (RFC 7515 2, 7.1). Nimbus's decoder skips
     * characters outside the alphabet, so without this check whitespace, '=', '+', '/' or '!'
     * inside the unsigned signature segment would still verify: several strings per token.
     */
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

    /** The signature is not covered by the MAC: only its one canonical encoding is accepted. */
    private static boolean isCanonical(String segment) {
        try {
            return ENCODER.encodeToString(DECODER.decode(segment)).equals(segment);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** JSON's own whitespace, then an object: Nimbus's JSON reader would also take an array of key-value pairs. */
    private static boolean isJsonObject(String json) {
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return c == '{';
            }
        }
        return false;
    }

    private static Result deny(Denial denial, String kid) {
        return new Result(null, denial, kid);
    }
}
