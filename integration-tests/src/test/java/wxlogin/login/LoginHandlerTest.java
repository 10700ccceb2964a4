package wxlogin.login;

// Integration (fast): the login handler end to end over real HTTP, with WeChat and Secrets Manager played by WireMock.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.Json;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.SecretLedger;

class LoginHandlerTest {

    static final String APP_SECRET_ID = "test/wechat-app";
    static final String KEYS_SECRET_ID = "test/session-keys";
    static final String APPID = "wxmulti0000000001";
    static final String APPSECRET = "appsecret-value-0123456789abcdef";
    static final String SIGNING_SECRET = "signing-key-for-login-tests-0123456789";
    static final String ACCESS_TOKEN = "ACCESS_TOKEN_abcdef0123456789";
    static final String CODE = "0a1B2c3D4e5F6g7H8i9J";

    static {
        // For the one log-secrecy check of the run (RELIABILITY.md); tokens signed with the key are found by signature.
        SecretLedger.register(SecretLedger.Kind.APP_SECRET, APPSECRET);
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SIGNING_SECRET);
        SecretLedger.register(SecretLedger.Kind.ACCESS_TOKEN, ACCESS_TOKEN);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, CODE);
    }

    @RegisterExtension
    static WireMockExtension wechat = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();
    @RegisterExtension
    static WireMockExtension secrets = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubHappyPath() {
        secret(APP_SECRET_ID, "{\"appid\":\"" + APPID + "\",\"appsecret\":\"" + APPSECRET + "\"}");
        secret(KEYS_SECRET_ID, "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SIGNING_SECRET + "\"}]}");
        wechat.stubFor(post("/cgi-bin/stable_token").willReturn(okJson(
                "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":7200}")));
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(weixinAppAnswer())));
    }

    @Test
    void exchangesACodeForASignedSessionToken() throws Exception {
        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertThat(body.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(body.get("expiresIn").asLong()).isEqualTo(7200);
        assertThat(body.get("userId").asText()).isEqualTo("user-1");
        assertThat(body.get("openid").asText()).isEqualTo("o-app-1");
        assertThat(body.get("unionid").asText()).isEqualTo("u-1");
        assertThat(body.get("loginType").asText()).isEqualTo("weixinApp");

        // Verified with a second JOSE library, pinned to HS256.
        JwtClaims claims = new JwtConsumerBuilder()
                .setVerificationKey(new HmacKey(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setExpectedIssuer("weixin-app-login")
                .setRequireExpirationTime()
                .build()
                .processToClaims(body.get("token").asText());
        assertThat(claims.getSubject()).isEqualTo("user-1");
        assertThat(claims.getStringClaimValue("appid")).isEqualTo(APPID);
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("weixinApp");
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(7200);

        // The request WeChat saw: everything in the query string, appsecret (not secret), GET.
        wechat.verify(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo"))
                .withQueryParam("access_token", equalTo(ACCESS_TOKEN))
                .withQueryParam("appid", equalTo(APPID))
                .withQueryParam("appsecret", equalTo(APPSECRET))
                .withQueryParam("code", equalTo(CODE))
                .withQueryParam("grant_type", equalTo("authorization_code")));
        wechat.verify(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token")).withRequestBody(equalToJson(
                "{\"grant_type\":\"client_credential\",\"appid\":\"" + APPID + "\",\"secret\":\"" + APPSECRET
                        + "\",\"force_refresh\":false}")));
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/token")))).isEmpty();
    }

    @Test
    void aWarmLoginMakesExactlyOneWeChatCallAndNoSecretsManagerCall() {
        LoginHandler handler = handler();
        assertThat(handler.handleRequest(login("code-one"), new FakeContext()).getStatusCode()).isEqualTo(200);
        int secretCalls = secrets.getAllServeEvents().size();
        int wechatCalls = wechat.getAllServeEvents().size();

        assertThat(handler.handleRequest(login("code-two"), new FakeContext()).getStatusCode()).isEqualTo(200);

        assertThat(secrets.getAllServeEvents()).hasSize(secretCalls);
        assertThat(wechat.getAllServeEvents()).hasSize(wechatCalls + 1);
        assertThat(wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token")))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"code\"", "{\"code\":1}", "{\"code\":\"\"}", "{\"code\":null}",
            "{\"nocode\":\"x\"}", "{\"code\":\"has space\"}", "{\"code\":\"semi;colon\"}", "{\"code\":\"a\",\"code\":\"b\"}"})
    void rejectsMalformedRequestsWithA400AndNoWeChatCall(String body) throws Exception {
        APIGatewayV2HTTPResponse response = handler().handleRequest(rawLogin(body, false), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isIn(900_001L, 900_002L);
        assertThat(error.get("errMsg").asText()).isNotBlank();
        assertThat(wechat.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsOversizedBodiesAndCodes() {
        assertThat(handler().handleRequest(rawLogin("{\"code\":\"" + "a".repeat(600) + "\"}", false), new FakeContext())
                .getStatusCode()).isEqualTo(400);
        assertThat(handler().handleRequest(rawLogin("{\"code\":\"a\",\"pad\":\"" + "x".repeat(10_000) + "\"}", false),
                new FakeContext()).getStatusCode()).isEqualTo(400);
        assertThat(handler().handleRequest(rawLogin(null, false), new FakeContext()).getStatusCode()).isEqualTo(400);
    }

    @Test
    void decodesBase64Bodies() {
        String encoded = Base64.getEncoder().encodeToString(("{\"code\":\"" + CODE + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(handler().handleRequest(rawLogin(encoded, true), new FakeContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler().handleRequest(rawLogin("%%%not-base64", true), new FakeContext()).getStatusCode()).isEqualTo(400);
    }

    @ParameterizedTest(name = "errcode {0} -> HTTP {1}")
    @CsvSource({
            "10001000, 401", "10001001, 401", "45009, 429", "45011, 429",
            "10001002, 500", "10001004, 500", "10001005, 500", "43001, 500", "99999, 502"})
    void mapsWeChatErrcodes(long errcode, int status) throws Exception {
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(
                "{\"errcode\":" + errcode + ",\"errmsg\":\"some error rid: 696dd86d-35e3ea1f-760f5f41\"}")));

        APIGatewayV2HTTPResponse response;
        try (LogCapture logs = new LogCapture()) {
            response = handler().handleRequest(login(CODE), new FakeContext());
            logs.assertLogged("login.wechat_failed", "rid", "696dd86d-35e3ea1f-760f5f41");
        }

        assertThat(response.getStatusCode()).isEqualTo(status);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isEqualTo(errcode);
        assertThat(error.get("errMsg").asText()).isNotBlank().doesNotContain("rid");
        if (status == 429) {
            assertThat(response.getHeaders()).containsKey("Retry-After");
        }
        // A code WeChat has seen is never sent twice.
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(1);
    }

    @ParameterizedTest(name = "stable_token errcode {0} -> HTTP {1}")
    @CsvSource({"40013, 500", "40164, 500", "61004, 500", "45009, 429", "45011, 429"})
    void mapsAccessTokenErrcodes(long errcode, int status) throws Exception {
        wechat.stubFor(post("/cgi-bin/stable_token").willReturn(okJson(
                "{\"errcode\":" + errcode + ",\"errmsg\":\"no rid: 6704f20a-0a55b460-3cf51f0c\"}")));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(errcode);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).isEmpty();
    }

    @Test
    void retriesOnceAfterWeChatIsBusy() {
        sequence("/donut/code2verifyinfo", "{\"errcode\":-1,\"errmsg\":\"system error rid: a-b-c\"}", weixinAppAnswer());

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(2);
    }

    @Test
    void answers503WhenWeChatStaysBusy() throws Exception {
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(
                "{\"errcode\":-1,\"errmsg\":\"system error rid: a-b-c\"}")));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(-1);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(2);
    }

    @Test
    void refreshesARejectedAccessTokenAndRetriesOnce() {
        sequence("/donut/code2verifyinfo", "{\"errcode\":40001,\"errmsg\":\"invalid credential rid: x-y\"}",
                weixinAppAnswer());

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token")))).hasSize(2);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(2);
    }

    @Test
    void givesUpWhenTheRefreshedAccessTokenIsRejectedToo() throws Exception {
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(
                "{\"errcode\":40001,\"errmsg\":\"invalid credential rid: x-y\"}")));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(502);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(40001);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(2);
    }

    @Test
    void picksUpARotatedAppSecretWhenWeChatRejectsTheOldOne() {
        LoginHandler handler = handler();
        assertThat(handler.handleRequest(login("warm-up"), new FakeContext()).getStatusCode()).isEqualTo(200);
        // The operator rotates the secret; WeChat now rejects the old one.
        secret(APP_SECRET_ID, "{\"appid\":\"" + APPID + "\",\"appsecret\":\"rotated-secret-0123456789\"}");
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).withQueryParam("appsecret", equalTo(APPSECRET))
                .willReturn(okJson("{\"errcode\":10001003,\"errmsg\":\"appsecret错误 rid: 1-2-3\"}")));
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).withQueryParam("appsecret", equalTo("rotated-secret-0123456789"))
                .willReturn(okJson(weixinAppAnswer())));

        assertThat(handler.handleRequest(login(CODE), new FakeContext()).getStatusCode()).isEqualTo(200);
    }

    @Test
    void doesNotRetryARejectedAppSecretThatDidNotChange() throws Exception {
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(
                "{\"errcode\":10001003,\"errmsg\":\"appsecret错误 rid: 1-2-3\"}")));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(500);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isEqualTo(10001003);
        assertThat(error.get("errMsg").asText()).isEqualTo(LoginErrors.MISCONFIGURED_MESSAGE);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo")))).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http500", "garbage", "truncated", "oversized", "reset"})
    void answers502Or503WhenWeChatMisbehaves(String fault) throws Exception {
        var answer = switch (fault) {
            case "http500" -> aResponse().withStatus(500).withBody("<html>oops</html>");
            case "garbage" -> aResponse().withStatus(200).withBody("<html>not json");
            case "truncated" -> aResponse().withStatus(200).withBody("{\"errcode\":0,\"login_info\":{\"type\":\"weix");
            case "oversized" -> okJson("{\"errcode\":0,\"pad\":\"" + "x".repeat(400_000) + "\"}");
            default -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
        };
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(answer));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(fault.equals("reset") ? 503 : 502);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong())
                .isEqualTo(fault.equals("reset") ? 900_503L : 900_502L);
        // A reset before any answer byte on a pooled keep-alive connection is the JDK client's one
        // retry (a stale connection: the usual case is that WeChat never read the request); on the
        // fresh connection that follows, nothing is retried.
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/donut/code2verifyinfo"))))
                .hasSize(fault.equals("reset") ? 2 : 1);
    }

    @Test
    void staysInsideTheLambdasRemainingTime() throws Exception {
        // A real socket timeout: the budget arithmetic is DeadlineTest's (injected clock); here only
        // that the call gives up on its budget (1 s) instead of waiting for WeChat's 8 s answer.
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(weixinAppAnswer()).withFixedDelay(8_000)));

        long start = System.nanoTime();
        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext(1_500));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(tookMillis).as("the budget, not WeChat's answer").isLessThan(5_000);
    }

    @Test
    void retriesOnceWhenWeChatIsUnreachableThenAnswers503() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = env();
        env.put("WECHAT_API_BASE_URL", "http://127.0.0.1:" + closedPort);

        APIGatewayV2HTTPResponse response = new LoginHandler(env).handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_503L);
    }

    @Test
    void answers503WhenSecretsManagerIsDownAndNothingIsCached() throws Exception {
        secrets.resetAll();
        secrets.stubFor(post("/").willReturn(aResponse().withStatus(503)
                .withBody("{\"__type\":\"ServiceUnavailable\",\"message\":\"down\"}")));

        APIGatewayV2HTTPResponse response = handler().handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsEntry("Retry-After", "5");
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_504L);
        assertThat(wechat.getAllServeEvents()).isEmpty();
    }

    @Test
    void keepsServingFromTheCacheWhileSecretsManagerIsDown() {
        LoginHandler handler = handler();
        assertThat(handler.handleRequest(login("first"), new FakeContext()).getStatusCode()).isEqualTo(200);
        secrets.resetAll();
        secrets.stubFor(post("/").willReturn(aResponse().withStatus(500)));

        assertThat(handler.handleRequest(login("second"), new FakeContext()).getStatusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"missing", "notJson", "noAppsecret", "shortKey"})
    void answers500WhenASecretIsMissingOrMalformed(String problem) throws Exception {
        switch (problem) {
            case "missing" -> secrets.stubFor(post("/").withRequestBody(matchingJsonPath("$.SecretId", equalTo(APP_SECRET_ID)))
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"__type\":\"ResourceNotFoundException\",\"message\":\"Secrets Manager can't find the specified secret.\"}")));
            case "notJson" -> secret(APP_SECRET_ID, "appid=x");
            case "noAppsecret" -> secret(APP_SECRET_ID, "{\"appid\":\"" + APPID + "\"}");
            default -> secret(KEYS_SECRET_ID, "{\"secret\":\"too-short\"}");
        }

        APIGatewayV2HTTPResponse response;
        try (LogCapture logs = new LogCapture()) {
            response = handler().handleRequest(login(CODE), new FakeContext());
            assertThat(logs.text()).contains("login.rejected").doesNotContain("too-short");
        }

        assertThat(response.getStatusCode()).isEqualTo(500);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isEqualTo(900_500L);
        assertThat(error.get("errMsg").asText()).isEqualTo(LoginErrors.MISCONFIGURED_MESSAGE);
        assertThat(wechat.getAllServeEvents()).isEmpty();
    }

    @Test
    void answers500WhenTheEnvironmentIsIncomplete() throws Exception {
        APIGatewayV2HTTPResponse response = new LoginHandler(Map.of("AWS_REGION", "us-east-1"))
                .handleRequest(login(CODE), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_500L);
    }

    @Test
    void neverLeaksSecretsCodesOrTokensIntoResponsesOrLogs() throws Exception {
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(weixinAppAnswer()
                .replace("\"openid\":\"o-app-1\"", "\"openid\":\"o-app-1\",\"session_key\":\"SESSIONKEY-abc123\""))));
        String token;
        String logText;
        String body;
        try (LogCapture logs = new LogCapture()) {
            LoginHandler handler = handler();
            body = handler.handleRequest(login(CODE), new FakeContext()).getBody();
            token = Json.MAPPER.readTree(body).get("token").asText();
            wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(
                    "{\"errcode\":10001003,\"errmsg\":\"appsecret错误 rid: 1-2-3\"}")));
            body += handler.handleRequest(login("another-code-123"), new FakeContext()).getBody();
            logText = logs.text();
        }
        assertThat(logText).contains("login.ok");
        for (String sensitive : new String[] {APPSECRET, SIGNING_SECRET, ACCESS_TOKEN, CODE, "another-code-123",
                token, "SESSIONKEY-abc123"}) {
            assertThat(logText).doesNotContain(sensitive);
        }
        for (String sensitive : new String[] {APPSECRET, SIGNING_SECRET, ACCESS_TOKEN, "SESSIONKEY-abc123", "session_key"}) {
            assertThat(body).doesNotContain(sensitive);
        }
    }

    // --- helpers ---

    private static LoginHandler handler() {
        return new LoginHandler(env());
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("WECHAT_APP_SECRET_ID", APP_SECRET_ID);
        env.put("SESSION_KEYS_SECRET_ID", KEYS_SECRET_ID);
        env.put("WECHAT_API_BASE_URL", wechat.baseUrl());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.baseUrl());
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    private static void secret(String id, String value) {
        secrets.stubFor(post("/")
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(Json.write(Map.of("ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + id,
                                "Name", id, "VersionId", "v1", "SecretString", value)))));
    }

    private static void sequence(String path, String first, String then) {
        wechat.stubFor(get(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(first)).willSetStateTo("second"));
        wechat.stubFor(get(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("second")
                .willReturn(okJson(then)));
    }

    static String weixinAppAnswer() {
        return "{\"errcode\":0,\"errmsg\":\"ok\",\"login_info\":{\"type\":\"weixinApp\",\"login_time\":1732443200,"
                + "\"appid\":\"" + APPID + "\"},\"user_info\":{\"user_id\":\"user-1\",\"openapp_info\":{\"appid\":\"wxopen\","
                + "\"openid\":\"o-app-1\",\"unionid\":\"u-1\",\"nickname\":\"n\"},\"phone_info\":{\"phone\":\"13700000000\"}}}";
    }

    static APIGatewayV2HTTPEvent login(String code) {
        return rawLogin("{\"code\":\"" + code + "\"}", false);
    }

    static APIGatewayV2HTTPEvent rawLogin(String body, boolean base64) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST /login")
                .withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .build();
    }
}
