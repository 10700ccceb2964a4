// Test helper (no tests): crafts tokens independently of the code under test, with jose4j and javax.crypto.
package wxlogin.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/** Builds tokens, good and hostile, without going through {@link SessionTokens}. */
public final class TestTokens {

    public static final String ISSUER = "weixin-app-login";

    private TestTokens() {
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String b64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String b64url(String text) {
        return b64url(utf8(text));
    }

    /** Raw HMAC-SHA256 over the ASCII signing input, base64url without padding. */
    public static String hmacSha256(String signingInput, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return b64url(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS256 over segments given as they will appear (already encoded, possibly hostile). */
    public static String hs256Segments(String headerSegment, String payloadSegment, byte[] key) {
        String input = headerSegment + "." + payloadSegment;
        return input + "." + hmacSha256(input, key);
    }

    /** HS256 over exactly these JSON texts: full control of key order, duplicates and whitespace. */
    public static String hs256Raw(String headerJson, String payloadJson, byte[] key) {
        return hs256Segments(b64url(headerJson), b64url(payloadJson), key);
    }

    /** The header we mint, as JSON text. */
    public static String header(String kid) {
        return "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    }

    /** Claims that the verifier accepts at {@code now}: issued now, valid for two hours. */
    public static JwtClaims validClaims(long now) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject("user-7f3a");
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 7200));
        claims.setJwtId("jti-0001");
        claims.setClaim("appid", "wxapp-multi-1");
        claims.setClaim("login_type", "weixinApp");
        claims.setClaim("openid", "o-openid-1");
        claims.setClaim("unionid", "u-unionid-1");
        return claims;
    }

    /** A good HS256 token: our header, these claims. */
    public static String hs256(String kid, JwtClaims claims, byte[] key) {
        return hs256Raw(header(kid), claims.toJson(), key);
    }

    /**
     * Signs with jose4j: any algorithm, any extra header parameters, no key-strength checks (to
     * let the test build what an attacker would). {@code kid} null leaves the header out.
     */
    public static String jose4j(String alg, String kid, Map<String, Object> extraHeaders, String payloadJson, Key key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(alg);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        jws.setHeader("typ", "JWT");
        extraHeaders.forEach((name, value) -> jws.getHeaders().setObjectHeaderValue(name, value));
        jws.setPayload(payloadJson);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
