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
 * SnapStart priming's token: shaped like ours, signed with a throwaway key that only priming's
 * loopback Secrets Manager serves ({@link #KEYS_SECRET}). Every claim is a constant: nothing
 * random or id-like ends up in the snapshot.
 */
public final class ThrowawayToken {

    /** The issuer priming's gate is configured with. */
    public static final String ISSUER = "snapstart-priming";
    private static final String KID = "priming";
    private static final String KEY = "throwaway-priming-key-never-used-to-sign-a-session";
    /** The signing-keys secret priming serves: the throwaway key alone. */
    public static final String KEYS_SECRET = "{\"keys\":[{\"kid\":\"" + KID + "\",\"secret\":\"" + KEY + "\"}]}";

    private ThrowawayToken() {
    }

    /** A token for user {@code priming}, logged in and valid for a minute from {@code clock}'s now. */
    public static String sign(Clock clock) {
        long now = clock.instant().getEpochSecond();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("priming").issueTime(new Date(now * 1000)).expirationTime(new Date((now + 60) * 1000))
                .jwtID("priming").claim("auth_time", now).claim("appid", "priming").claim("login_type", "weixinApp")
                .claim("openid", "priming").claim("unionid", "priming").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KID).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new MACSigner(KEY.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("priming: HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
