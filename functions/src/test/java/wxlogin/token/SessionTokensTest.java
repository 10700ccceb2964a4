// Unit tests: minting access tokens, checked with a second JOSE library (jose4j), fixed clock.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wxlogin.token.TestTokens.utf8;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import wxlogin.testing.SecretLedger;
import org.junit.jupiter.params.provider.ValueSource;

class SessionTokensTest {

    private static final long NOW = 1_750_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private static final String SECRET = "session-tokens-test-secret-0123456789ABCDEF";


    static {
        // For the one log-secrecy check of the run: tokens signed with this key are found by signature.
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SECRET);
    }
    private static final SigningKey KEY = new SigningKey("2025-06", utf8(SECRET));

    private final SessionTokens tokens = new SessionTokens(TestTokens.ISSUER, 7200, CLOCK);

    @Test
    void mintedTokenVerifiesWithJose4jUsingTheUtf8BytesOfTheSecret() throws Exception {
        String token = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", "o-1", "u-1").token();

        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmConstraints(new AlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256));
        jws.setCompactSerialization(token);
        jws.setKey(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)));

        assertThat(jws.verifySignature()).isTrue();
        assertThat(jws.getAlgorithmHeaderValue()).isEqualTo("HS256");
        assertThat(jws.getKeyIdHeaderValue()).isEqualTo("2025-06");
        assertThat(jws.getHeader("typ")).isEqualTo("JWT");
        assertThat(JsonUtil.parseJson(jws.getHeaders().getFullHeaderAsJsonString()).keySet())
                .containsExactlyInAnyOrder("alg", "kid", "typ");

        jws.setKey(new HmacKey(utf8("some-other-secret-of-at-least-32-bytes!")));
        assertThat(jws.verifySignature()).as("the jose4j check can fail").isFalse();
    }

    @Test
    void claimsAreTheContractsWithTimesInSeconds() throws Exception {
        SessionTokens.Minted minted = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", "o-1", "u-1");

        JwtClaims claims = consumer(NOW).processToClaims(minted.token());
        assertThat(claims.getIssuer()).isEqualTo(TestTokens.ISSUER);
        assertThat(claims.getSubject()).isEqualTo("user-1");
        assertThat(claims.getIssuedAt().getValue()).isEqualTo(NOW);
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(NOW + 7200);
        assertThat(claims.getJwtId()).isNotBlank();
        assertThat(claims.getStringClaimValue("appid")).isEqualTo("wxapp-1");
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("weixinApp");
        assertThat(claims.getStringClaimValue("openid")).isEqualTo("o-1");
        assertThat(claims.getStringClaimValue("unionid")).isEqualTo("u-1");
        assertThat(claims.getClaimNames()).containsExactlyInAnyOrder(
                "iss", "sub", "iat", "exp", "jti", "auth_time", "appid", "login_type", "openid", "unionid");
        // Whole seconds as JSON integers, not milliseconds; a login with a code: auth_time is now.
        Map<String, Object> raw = JsonUtil.parseJson(payloadJson(minted.token()));
        assertThat(raw.get("iat")).isEqualTo(NOW);
        assertThat(raw.get("exp")).isEqualTo(NOW + 7200);
        assertThat(raw.get("auth_time")).isEqualTo(NOW);

        assertThat(minted.claims()).isEqualTo(
                new SessionClaims("user-1", "wxapp-1", "weixinApp", "o-1", "u-1", NOW, NOW + 7200, NOW));
    }

    @Test
    void aRefreshedTokenKeepsTheAuthTimeOfTheLoginAndTheVerifierReadsIt() throws Exception {
        long login = NOW - 5 * 24 * 3600;
        SessionTokens.Minted minted = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", "o-1", null, login);

        assertThat(JsonUtil.parseJson(payloadJson(minted.token())).get("auth_time")).isEqualTo(login);
        assertThat(minted.claims().authTime()).isEqualTo(login);
        assertThat(minted.claims().issuedAt()).isEqualTo(NOW);
        TokenVerifier.Result verified = new TokenVerifier(TestTokens.ISSUER, CLOCK)
                .verify(minted.token(), SigningKeys.of(KEY));
        assertThat(verified.claims()).isEqualTo(minted.claims());
    }

    @Test
    void openidAndUnionidAreLeftOutWhenNull() throws Exception {
        String token = tokens.mint(KEY, "user-2", "wxapp-1", "phoneSms", null, null).token();

        JwtClaims claims = consumer(NOW).processToClaims(token);
        assertThat(claims.hasClaim("openid")).isFalse();
        assertThat(claims.hasClaim("unionid")).isFalse();
        assertThat(payloadJson(token)).doesNotContain("openid").doesNotContain("unionid").doesNotContain("null");
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("phoneSms");
    }

    @Test
    void onlyUnionidMayBeAbsent() throws Exception {
        JwtClaims claims = consumer(NOW).processToClaims(
                tokens.mint(KEY, "user-3", "wxapp-1", "weixinMiniProgram", "o-3", null).token());
        assertThat(claims.getStringClaimValue("openid")).isEqualTo("o-3");
        assertThat(claims.hasClaim("unionid")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(longs = {60, 7200, 86_400})
    void expiryIsIssuedAtPlusTheTtl(long ttl) throws Exception {
        SessionTokens.Minted minted = new SessionTokens(TestTokens.ISSUER, ttl, CLOCK)
                .mint(KEY, "user-1", "wxapp-1", "weixinApp", null, null);

        JwtClaims claims = consumer(NOW).processToClaims(minted.token());
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(ttl);
        assertThat(minted.claims().expiresAt() - minted.claims().issuedAt()).isEqualTo(ttl);
    }

    @Test
    void issuedAtComesFromTheInjectedClockTruncatedToSeconds() throws Exception {
        Clock later = Clock.fixed(Instant.ofEpochSecond(NOW + 12_345, 999_000_000), ZoneOffset.UTC);
        String token = new SessionTokens("another-issuer", 7200, later)
                .mint(KEY, "user-1", "wxapp-1", "weixinApp", null, null).token();

        JwtClaims claims = JwtClaims.parse(payloadJson(token));
        assertThat(claims.getIssuedAt().getValue()).isEqualTo(NOW + 12_345);
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(NOW + 12_345 + 7200);
        assertThat(claims.getIssuer()).isEqualTo("another-issuer");
    }

    @Test
    void jtiIsUniqueOver1000Mints() throws Exception {
        Set<String> jtis = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", null, null).token();
            String jti = (String) JsonUtil.parseJson(payloadJson(token)).get("jti");
            assertThat(jti).matches("[A-Za-z0-9_-]{22}");
            jtis.add(jti);
        }
        assertThat(jtis).hasSize(1000);
    }

    @Test
    void signsWithTheKeyItIsGiven() throws Exception {
        SigningKey other = new SigningKey("2025-01", utf8("the-previous-key-still-32-bytes-long!!"));
        String token = tokens.mint(other, "user-1", "wxapp-1", "weixinApp", null, null).token();

        assertThatThrownBy(() -> consumer(NOW).processToClaims(token)).isInstanceOf(InvalidJwtException.class);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(token);
        jws.setKey(new HmacKey(other.secret()));
        assertThat(jws.verifySignature()).isTrue();
        assertThat(jws.getKeyIdHeaderValue()).isEqualTo("2025-01");
    }

    @Test
    void mintedToStringHidesTheToken() {
        SessionTokens.Minted minted = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", null, null);
        String[] parts = minted.token().split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(minted.toString()).contains("user-1").doesNotContain(parts[0]).doesNotContain(parts[2]);
    }

    @Test
    void ourOwnVerifierAcceptsWhatWasMinted() {
        SessionTokens.Minted minted = tokens.mint(KEY, "user-1", "wxapp-1", "weixinApp", "o-1", "u-1");
        TokenVerifier.Result result = new TokenVerifier(TestTokens.ISSUER, CLOCK)
                .verify(minted.token(), SigningKeys.of(KEY));
        assertThat(result.valid()).isTrue();
        assertThat(result.claims()).isEqualTo(minted.claims());
        assertThat(result.kid()).isEqualTo("2025-06");
    }

    /** A full jose4j validation: HS256 only, our key, issuer, times at {@code now}. */
    private static JwtConsumer consumer(long now) {
        return new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setVerificationKey(new HmacKey(utf8(SECRET)))
                .setExpectedIssuer(TestTokens.ISSUER)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .setEvaluationTime(NumericDate.fromSeconds(now))
                .build();
    }

    private static String payloadJson(String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }
}
