package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import wxlogin.common.Env;

/** Mints the contract's HS256 access tokens. Times are whole seconds (RFC 7519). */
public final class SessionTokens {

    private final String issuer;
    private final long ttlSeconds;
    private final Clock clock;
    // Created on first use, not during init: under SnapStart no random state comes from a snapshot.
    private SecureRandom random;

    public SessionTokens(String issuer, long ttlSeconds, Clock clock) {
        this.issuer = issuer;
        this.ttlSeconds = ttlSeconds;
        this.clock = clock;
    }

    /** The contract's SESSION_ISSUER and SESSION_TTL_SECONDS (60 s to 7 days). */
    public static SessionTokens fromEnvironment(Env env, Clock clock) {
        return new SessionTokens(env.optional("SESSION_ISSUER", "weixin-app-login"),
                env.number("SESSION_TTL_SECONDS", 7200, 60, 7 * 24 * 3600), clock);
    }

    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** A signed token for a login with a code that happened now: {@code auth_time} is now. */
    public Minted mint(SigningKey key, String userId, String appid, String loginType, String openid, String unionid) {
        return mint(key, userId, appid, loginType, openid, unionid, clock.instant().getEpochSecond());
    }

    /**
     * A signed token for this identity, valid from now for the configured lifetime, whose
     * {@code auth_time} (OpenID Connect's: when the person last logged in with a code, kept across
     * refreshes) is {@code authTime}, in epoch seconds.
     */
    public Minted mint(SigningKey key, String userId, String appid, String loginType, String openid, String unionid,
                       long authTime) {
        long now = clock.instant().getEpochSecond();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(userId)
                .issueTime(new Date(now * 1000))
                .expirationTime(new Date((now + ttlSeconds) * 1000))
                .jwtID(newJti())
                .claim("auth_time", authTime)
                .claim("appid", appid)
                .claim("login_type", loginType);
        if (openid != null) {
            claims.claim("openid", openid);
        }
        if (unionid != null) {
            claims.claim("unionid", unionid);
        }
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.kid()).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(new MACSigner(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed for kid " + key.kid(), e);
        }
        return new Minted(jwt.serialize(),
                new SessionClaims(userId, appid, loginType, openid, unionid, now, now + ttlSeconds, authTime));
    }

    private synchronized String newJti() {
        if (random == null) {
            random = new SecureRandom();
        }
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A minted token and what it says. {@link #toString()} hides the token. */
    public record Minted(String token, SessionClaims claims) {
        @Override
        public String toString() {
            return "Minted[" + claims + "]";
        }
    }
}
