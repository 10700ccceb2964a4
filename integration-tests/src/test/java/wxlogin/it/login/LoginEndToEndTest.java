package wxlogin.it.login;

// End to end: the login handler's production path (AWS SDK to a Secrets Manager endpoint, HTTP to a WeChat sandbox that behaves like the real API).

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.AdjustableClock;
import wxlogin.local.wechat.Fault;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class LoginEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STABLE_TOKEN = "/cgi-bin/stable_token";
    private static final String LEGACY_TOKEN = "/cgi-bin/token";
    private static final String CODE_EXCHANGE = "/donut/code2verifyinfo";

    private final AdjustableClock sandboxClock = AdjustableClock.startingNow();
    private WeChatSandbox wechat;
    private SecretsManagerEndpoint secrets;
    private LogCapture logs;
    /** Everything sensitive this test made or saw; none of it may appear in a log line. */
    private final List<String> sensitive = new ArrayList<>();

    @BeforeEach
    void start() {
        wechat = DevelopmentSecrets.sandboxBuilder().clock(sandboxClock).start();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        sensitive.add(DevelopmentSecrets.APPSECRET);
        sensitive.add(DevelopmentSecrets.SIGNING_SECRET);
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        String logText = logs.text();
        logs.close();
        wechat.close();
        secrets.close();
        for (String value : sensitive) {
            assertThat(logText).as("log output must not contain a secret, code or token").doesNotContain(value);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "null", value = {
            "weixinApp,         weixinApp,         true,  true",
            "weixinMiniProgram, weixinMiniProgram, true,  true",
            "apple,             apple,             false, false",
            "phoneSms,          phoneSms,          false, false",
            "phoneOneClick,     phoneOneClick,     false, false",
            "bound,             weixinApp,         true,  true",
            "noUnionid,         weixinApp,         true,  false",
            "loginTimeString,   weixinApp,         true,  true",
            "sessionKey,        weixinApp,         true,  true"})
    void logsInEveryLoginType(String scenario, String loginType, boolean hasOpenid, boolean hasUnionid) throws Exception {
        APIGatewayV2HTTPResponse response = login(handler(), code(scenario));

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.get("loginType").asText()).isEqualTo(loginType);
        assertThat(body.get("userId").asText()).contains(scenario);
        assertThat(body.get("openid").isNull()).isEqualTo(!hasOpenid);
        assertThat(body.get("unionid").isNull()).isEqualTo(!hasUnionid);
        assertThat(response.getBody()).doesNotContain("session_key").doesNotContain(DevelopmentSecrets.APPSECRET);

        JwtClaims claims = verify(body.get("token").asText());
        assertThat(claims.getSubject()).isEqualTo(body.get("userId").asText());
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo(loginType);
        assertThat(claims.getStringClaimValue("appid")).isEqualTo(DevelopmentSecrets.APPID);
        assertThat(claims.hasClaim("openid")).isEqualTo(hasOpenid);
        assertThat(claims.hasClaim("unionid")).isEqualTo(hasUnionid);
    }

    @Test
    void theBoundUsersOpenidIsTheOneOfTheLoginTypesBlock() throws Exception {
        JsonNode body = JSON.readTree(login(handler(), code("bound")).getBody());
        // The bound user has an openapp openid and a different mini program openid: weixinApp takes openapp's.
        assertThat(body.get("openid").asText()).startsWith("o_app_");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "expired, 401, 10001000", "invalid, 401, 10001001", "badAppid, 500, 10001002",
            "notOnIdentityManagement, 500, 10001005", "systemError, 503, -1", "quota, 429, 45009",
            "minuteLimit, 429, 45011", "unknownErr, 502, 99999"})
    void answersWeChatsErrorsAsTheContractSays(String scenario, int status, long errCode) throws Exception {
        APIGatewayV2HTTPResponse response = login(handler(), code(scenario));

        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(errCode);
        if (status == 503 || status == 429) {
            assertThat(response.getHeaders()).containsKey("Retry-After");
        }
    }

    @Test
    void aCodeWorksOnce() throws Exception {
        LoginHandler handler = handler();
        String code = code("weixinApp");
        assertThat(login(handler, code).getStatusCode()).isEqualTo(200);

        APIGatewayV2HTTPResponse again = login(handler, code);

        assertThat(again.getStatusCode()).isEqualTo(401);
        assertThat(JSON.readTree(again.getBody()).get("errCode").asLong()).isEqualTo(10001001);
    }

    @Test
    void anIssuedCodeExpiresAfterFiveMinutes() throws Exception {
        String code = code("weixinApp");
        sandboxClock.advance(Duration.ofMinutes(6));

        APIGatewayV2HTTPResponse response = login(handler(), code);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(10001000);
    }

    @Test
    void retriesOnceWhenWeChatIsBusyAndTheCodeStillWorks() {
        assertThat(login(handler(), code("busyOnce")).getStatusCode()).isEqualTo(200);
        assertThat(wechat.calls(CODE_EXCHANGE)).isEqualTo(2);
    }

    @Test
    void warmLoginsCostOneWeChatCallEachAndNothingElse() {
        LoginHandler handler = handler();
        for (int i = 0; i < 20; i++) {
            assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        }
        assertThat(wechat.calls(STABLE_TOKEN)).as("one stable_token per token lifetime").isEqualTo(1);
        assertThat(wechat.calls(LEGACY_TOKEN)).as("cgi-bin/token is never used").isZero();
        assertThat(wechat.calls(CODE_EXCHANGE)).isEqualTo(20);
        assertThat(secrets.calls("GetSecretValue")).as("only the cold start reads secrets").isEqualTo(2);
    }

    @Test
    void fetchesANewAccessTokenWhenTheOldOneExpires() {
        LoginHandler handler = handler();
        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        wechat.expireAccessTokens();

        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        assertThat(wechat.calls(STABLE_TOKEN)).isEqualTo(2);
    }

    @Test
    void fetchesANewAccessTokenWhenAnotherPartyInvalidatedIt() {
        LoginHandler handler = handler();
        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        wechat.invalidateAccessTokens();

        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        assertThat(wechat.calls(STABLE_TOKEN)).isEqualTo(2);
        assertThat(wechat.calls(CODE_EXCHANGE)).isEqualTo(3);
    }

    @Test
    void picksUpARotatedAppSecretWithoutARedeploy() {
        LoginHandler handler = handler();
        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        String rotated = "rotated-appsecret-for-the-sandbox";
        sensitive.add(rotated);
        wechat.setCredentials(DevelopmentSecrets.APPID, rotated);
        secrets.put(DevelopmentSecrets.WECHAT_APP_SECRET_ID,
                "{\"appid\":\"" + DevelopmentSecrets.APPID + "\",\"appsecret\":\"" + rotated + "\"}");

        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
    }

    @Test
    void serviceContinuesFromTheCacheWhenSecretsManagerGoesDown() {
        LoginHandler handler = handler();
        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
        secrets.setDown(true);

        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(200);
    }

    @Test
    void answers503WhenSecretsManagerIsDownOnAColdStart() throws Exception {
        secrets.setDown(true);

        APIGatewayV2HTTPResponse response = login(handler(), code("weixinApp"));

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_504);
        assertThat(wechat.calls(CODE_EXCHANGE)).isZero();
    }

    @Test
    void answers500WhenTheSecretDoesNotExist() throws Exception {
        Map<String, String> env = env();
        env.put("WECHAT_APP_SECRET_ID", "no/such/secret");

        APIGatewayV2HTTPResponse response = login(new LoginHandler(env), code("weixinApp"));

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_500);
    }

    @Test
    void readsSecretsByArnToo() {
        Map<String, String> env = env();
        env.put("WECHAT_APP_SECRET_ID", secrets.arnOf(DevelopmentSecrets.WECHAT_APP_SECRET_ID));
        env.put("SESSION_KEYS_SECRET_ID", secrets.arnOf(DevelopmentSecrets.SESSION_KEYS_SECRET_ID));

        assertThat(login(new LoginHandler(env), code("weixinApp")).getStatusCode()).isEqualTo(200);
    }

    @Test
    void theSingleKeySecretFormSignsWithItsDerivedKid() throws Exception {
        String key = "a-generated-secret-string-of-sixty-four-characters-0123456789abc";
        sensitive.add(key);
        secrets.put(DevelopmentSecrets.SESSION_KEYS_SECRET_ID, "{\"secret\":\"" + key + "\"}");

        JsonNode body = JSON.readTree(login(handler(), code("weixinApp")).getBody());

        String header = new String(java.util.Base64.getUrlDecoder().decode(body.get("token").asText().split("\\.")[0]),
                StandardCharsets.UTF_8);
        assertThat(header).contains("\"kid\":\"" + wxlogin.token.SigningKey.derivedKid(key) + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"HTTP_500, 502", "GARBAGE, 502", "TRUNCATED, 502", "HUGE, 502", "DROP, 503"})
    void answersClearlyWhenWeChatMisbehaves(Fault.Kind kind, int status) {
        LoginHandler handler = handler();
        wechat.failNext(CODE_EXCHANGE, 5, switch (kind) {
            case HTTP_500 -> Fault.HTTP_500;
            case GARBAGE -> Fault.GARBAGE;
            case TRUNCATED -> Fault.TRUNCATED;
            case HUGE -> Fault.HUGE;
            default -> Fault.DROP;
        });

        assertThat(login(handler, code("weixinApp")).getStatusCode()).isEqualTo(status);
    }

    @Test
    void givesUpInsideTheLambdasRemainingTimeWhenWeChatIsSlow() {
        wechat.failNext(CODE_EXCHANGE, 1, Fault.SLOW(5_000));
        long start = System.nanoTime();

        APIGatewayV2HTTPResponse response = handler().handleRequest(event(code("weixinApp")), new FakeContext(2_000));

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    }

    // --- helpers ---

    private String code(String scenario) {
        String code = wechat.issueCode(scenario);
        sensitive.add(code);
        return code;
    }

    private LoginHandler handler() {
        return new LoginHandler(env());
    }

    private Map<String, String> env() {
        return DevelopmentSecrets.environment(wechat, secrets);
    }

    private APIGatewayV2HTTPResponse login(LoginHandler handler, String code) {
        APIGatewayV2HTTPResponse response = handler.handleRequest(event(code), new FakeContext());
        if (response.getStatusCode() == 200) {
            try {
                sensitive.add(JSON.readTree(response.getBody()).get("token").asText());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return response;
    }

    private static APIGatewayV2HTTPEvent event(String code) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"code\":\"" + code + "\"}").withIsBase64Encoded(false).build();
    }

    private static JwtClaims verify(String token) throws Exception {
        return new JwtConsumerBuilder()
                .setVerificationKey(new HmacKey(DevelopmentSecrets.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setExpectedIssuer("weixin-app-login")
                .setRequireExpirationTime()
                .setRequireSubject()
                .setRequireJwtId()
                .build()
                .processToClaims(token);
    }
}
