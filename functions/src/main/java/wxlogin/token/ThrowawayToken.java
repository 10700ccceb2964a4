package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;

/**
 * SnapStart priming: signs a token shaped like ours with a throwaway in-memory key and verifies it
 * with {@link TokenVerifier}, so the snapshot holds those code paths loaded and compiled. Every
 * value is a constant: nothing random or id-like ends up in the snapshot (no jti from
 * {@link SessionTokens}, whose random source is created on first real use).
 */
public final class ThrowawayToken {

    private static final String ISSUER = "snapstart-priming";
    private static final byte[] KEY = "throwaway-priming-key-never-used-to-sign-a-session".getBytes(StandardCharsets.UTF_8);

    private ThrowawayToken() {
    }

    /** Signs and verifies one token; fails loudly if verification no longer accepts what we sign. */
    public static void signAndVerify(Clock clock) {
        long now = clock.instant().getEpochSecond();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("priming").issueTime(new Date(now * 1000)).expirationTime(new Date((now + 60) * 1000))
                .jwtID("priming").claim("appid", "priming").claim("login_type", "weixinApp")
                .claim("openid", "priming").claim("unionid", "priming").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("priming").type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new MACSigner(KEY));
        } catch (JOSEException e) {
            throw new IllegalStateException("priming: HS256 signing failed", e);
        }
        TokenVerifier.Result result = new TokenVerifier(ISSUER, clock)
                .verify(jwt.serialize(), SigningKeys.of(new SigningKey("priming", KEY)));
        if (!result.valid()) {
            throw new IllegalStateException("priming: the verifier refused a token we signed: " + result.denial());
        }
    }
}
