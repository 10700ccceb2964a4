// Integration: DynamoDB throttling, errors and outages (the TCP fault proxy in front of DynamoDB Local, a closed port) through the production handlers: refresh and logout answer 503 900505, never 500, and lose no refresh token; login still answers 200.
package wxlogin.it.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.Deadline;
import wxlogin.it.faults.FaultProxy;
import wxlogin.testing.SecretLedger;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class SessionStoreFailuresTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final SessionIdentity BOB = new SessionIdentity("user-bob", DevelopmentSecrets.APPID, "weixinApp", "o-bob", null);

    private static SessionsTable table;
    private static FaultProxy proxy;
    private static SecretsManagerEndpoint secrets;
    private static WeChatSandbox wechat;
    private LogCapture logs;
    private final List<String> sensitive = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        table = new SessionsTable();
        proxy = FaultProxy.start(table.dynamo.endpoint());
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        wechat = DevelopmentSecrets.sandboxFor();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        secrets.close();
        wechat.close();
    }

    @BeforeEach
    void captureLogs() {
        proxy.heal();
        logs = new LogCapture();
    }

    @AfterEach
    void checkLogs() {
        String text = logs.text();
        logs.close();
        for (String value : sensitive) {
            assertThat(text).as("log output must not contain a token or its hash").doesNotContain(value);
        }
    }

    // ------------------------------------------------------------------ refresh and logout

    /** The faults of the drill, by name. */
    static FaultProxy.Fault fault(String name) {
        return switch (name) {
            case "throttling" -> FaultProxy.dynamoDbThrottling();
            case "429" -> FaultProxy.tooManyRequests();
            case "500-json" -> FaultProxy.jsonServerError(500, "1.0", "com.amazonaws.dynamodb.v20120810#InternalServerError");
            case "500-text" -> FaultProxy.plainServerError(500);
            case "503-text" -> FaultProxy.plainServerError(503);
            case "reset" -> FaultProxy.reset();
            case "hang" -> FaultProxy.hang();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GetItem, throttling", "TransactWriteItems, throttling", "GetItem, 429", "TransactWriteItems, 500-json",
            "GetItem, 500-text", "TransactWriteItems, 503-text", "GetItem, reset", "TransactWriteItems, reset",
            "TransactWriteItems, hang"})
    void aFailingStoreMakesRefreshA503ThatMintsNothingAndTheTokenStillWorksAfter(String operation, String fault)
            throws Exception {
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(proxy.endpoint());
        proxy.fail(operation, fault(fault));

        long started = System.nanoTime();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event("/session/refresh", refreshToken), sessionContext());

        assertUnavailable(response);
        assertThat((System.nanoTime() - started) / 1_000_000).as("inside SessionFunction's timeout")
                .isLessThan(SESSION_TIMEOUT_MILLIS);
        assertThat(proxy.faulted(operation)).as("the SDK retries once, no more").isBetween(1, 2);
        assertUntouched(refreshToken);

        proxy.heal();
        refreshOk(handler, refreshToken);
    }

    @Test
    void dynamoDbUnreachableWhileRefreshingIsA503EveryTimeAndTheTokenWorksOnceItIsBack() throws Exception {
        // Issue 19: pooled connections reset, new ones refused; this once answered 500 in most tries.
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(proxy.endpoint());
        refreshToken = refreshOk(handler, refreshToken); // warm: a pooled connection to DynamoDB

        proxy.fail(FaultProxy.refuse());
        for (int attempt = 0; attempt < 5; attempt++) {
            assertUnavailable(handler.handleRequest(event("/session/refresh", refreshToken), sessionContext()));
        }
        assertUnavailable(handler.handleRequest(event("/logout", refreshToken), sessionContext()));
        assertUntouched(refreshToken);

        proxy.heal();
        refreshOk(handler, refreshToken);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"reset-mid-answer", "lost-answer"})
    void aRotationWhoseAnswerIsLostIsA503AndTheSameTokenRefreshesOnRetry(String how) throws Exception {
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(proxy.endpoint());
        proxy.fail("TransactWriteItems", how.equals("lost-answer") ? FaultProxy.loseAnswer() : FaultProxy.resetMidAnswer());

        assertUnavailable(handler.handleRequest(event("/session/refresh", refreshToken), sessionContext()));

        // The rotation may have taken effect: the client's retry with the same token, within the
        // reuse interval, gets the successor that rotation stored (if it did), not a theft alarm.
        proxy.heal();
        String next = refreshOk(handler, refreshToken);
        String familyId = table.tokenItem(refreshToken).get("familyId").s();
        assertThat(table.familyItem(familyId).get("currentHash").s()).isEqualTo(RefreshTokens.hash(next));
        assertThat(table.familyItem(familyId)).doesNotContainKey("revokedAt");
    }

    @Test
    void aBlipThatResetsThePooledConnectionsIsRetriedOnANewOne() throws Exception {
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(proxy.endpoint());
        String next = refreshOk(handler, refreshToken);

        proxy.resetOpenConnections();
        APIGatewayV2HTTPResponse after = handler.handleRequest(event("/session/refresh", next), sessionContext());

        assertThat(after.getStatusCode()).as(after.getBody()).isIn(200, 503);
        if (after.getStatusCode() == 200) {
            sensitive(SecretLedger.Kind.SESSION_TOKEN, JSON.readTree(after.getBody()).get("refreshToken").asText());
        } else {
            assertUnavailable(after);
        }
    }

    @Test
    void anUnreachableStoreMakesRefreshAndLogoutA503() throws Exception {
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(closedPort());

        long started = System.nanoTime();
        assertUnavailable(handler.handleRequest(event("/session/refresh", refreshToken), new FakeContext()));
        assertUnavailable(handler.handleRequest(event("/logout", refreshToken), new FakeContext()));
        assertThat((System.nanoTime() - started) / 1_000_000).as("fails fast, well inside the function's timeout")
                .isLessThan(8_000);
        assertUntouched(refreshToken);
    }

    @Test
    void aThrottledLogoutIsA503AndTheSessionStaysUntilLogoutSucceeds() throws Exception {
        String refreshToken = startSession();
        SessionHandler handler = sessionHandler(proxy.endpoint());
        proxy.fail("UpdateItem", FaultProxy.dynamoDbThrottling());

        assertUnavailable(handler.handleRequest(event("/logout", refreshToken), new FakeContext()));
        assertUntouched(refreshToken);

        proxy.heal();
        assertThat(handler.handleRequest(event("/logout", refreshToken), new FakeContext()).getStatusCode()).isEqualTo(204);
        assertThat(handler.handleRequest(event("/session/refresh", refreshToken), new FakeContext()).getStatusCode())
                .isEqualTo(401);
    }

    @Test
    void aMissingTableIsA500WithoutDetails() throws Exception {
        String refreshToken = startSession();
        Map<String, String> env = sessionEnvironment(table.dynamo.endpoint().toString());
        env.put("SESSIONS_TABLE", "no-such-table");
        APIGatewayV2HTTPResponse response = new SessionHandler(env)
                .handleRequest(event("/session/refresh", refreshToken), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_500L);
        assertThat(response.getBody()).doesNotContain("no-such-table");
        assertThat(logs.text()).contains("no-such-table");
    }

    // ------------------------------------------------------------------ login

    @ParameterizedTest(name = "{0}")
    @CsvSource({"throttling", "500-text", "reset", "refused"})
    void aFailingStoreAtLoginStillLogsInWithoutARefreshToken(String fault) throws Exception {
        proxy.fail("TransactWriteItems", fault.equals("refused") ? FaultProxy.refuse() : fault(fault));

        JsonNode body = loginOk(proxy.endpoint());

        assertThat(body.has("refreshToken")).isFalse();
        assertThat(body.has("refreshExpiresIn")).isFalse();
        assertThat(logs.text()).contains("login.refresh_token_not_issued");
    }

    @Test
    void aWarmLoginMakesOneDynamoDbWrite() throws Exception {
        Map<String, String> env = DevelopmentSecrets.environment(wechat, secrets);
        env.putAll(table.environment(proxy.endpoint()));
        LoginHandler handler = new LoginHandler(env);
        assertThat(login(handler).has("refreshToken")).as("cold").isTrue();
        proxy.heal(); // counts from zero

        JsonNode warm = login(handler);

        assertThat(warm.has("refreshToken")).isTrue();
        assertThat(proxy.requests()).as("DynamoDB requests of a warm login").isEqualTo(1);
    }

    @Test
    void anUnreachableStoreAtLoginStillLogsInWithoutARefreshToken() throws Exception {
        JsonNode body = loginOk(closedPort());

        assertThat(body.has("refreshToken")).isFalse();
        assertThat(logs.text()).contains("login.refresh_token_not_issued");
    }

    @Test
    void aHealthyStoreAtLoginAddsARefreshTokenThatRefreshes() throws Exception {
        JsonNode body = loginOk(proxy.endpoint());

        String refreshToken = body.get("refreshToken").asText();
        sensitive(SecretLedger.Kind.SESSION_TOKEN, refreshToken);
        assertThat(body.get("refreshExpiresIn").asLong()).isEqualTo(2592000);
        APIGatewayV2HTTPResponse refresh = sessionHandler(proxy.endpoint())
                .handleRequest(event("/session/refresh", refreshToken), new FakeContext());
        assertThat(refresh.getStatusCode()).as(refresh.getBody()).isEqualTo(200);
        assertThat(JSON.readTree(refresh.getBody()).get("userId").asText()).isEqualTo(body.get("userId").asText());
    }

    // --- helpers ---

    /** Checked against this class's log lines, and by the run-wide log check (RELIABILITY.md). */
    private void sensitive(SecretLedger.Kind kind, String value) {
        sensitive.add(value);
        SecretLedger.register(kind, value);
    }

    private String startSession() {
        String token = table.refreshSessions(3600, 10, Clock.systemUTC())
                .start(BOB, Deadline.in(5_000, Clock.systemUTC())).token();
        sensitive(SecretLedger.Kind.SESSION_TOKEN, token);
        sensitive(SecretLedger.Kind.SESSION_TOKEN, RefreshTokens.hash(token));
        return token;
    }

    /** A refresh that succeeds: its new refresh token, recorded as sensitive. */
    private String refreshOk(SessionHandler handler, String refreshToken) throws Exception {
        APIGatewayV2HTTPResponse response = handler.handleRequest(event("/session/refresh", refreshToken), sessionContext());
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        String next = JSON.readTree(response.getBody()).get("refreshToken").asText();
        sensitive(SecretLedger.Kind.SESSION_TOKEN, next);
        return next;
    }

    /** Nothing was rotated or revoked: the token is still its family's current one. */
    private void assertUntouched(String refreshToken) {
        Map<String, AttributeValue> item = table.tokenItem(refreshToken);
        assertThat(item).doesNotContainKey("rotatedAt");
        Map<String, AttributeValue> family = table.familyItem(item.get("familyId").s());
        assertThat(family.get("currentHash").s()).isEqualTo(RefreshTokens.hash(refreshToken));
        assertThat(family).doesNotContainKey("revokedAt");
    }

    private static void assertUnavailable(APIGatewayV2HTTPResponse response) throws Exception {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(503);
        assertThat(Integer.parseInt(response.getHeaders().get("Retry-After"))).isBetween(1, 5);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(response.getBody()).doesNotContain("Exception").doesNotContain("at wxlogin.");
        assertThat(body.get("errCode").asLong()).isEqualTo(900_505L);
        assertThat(body.get("errMsg").asText()).contains("Retry");
        assertThat(body.has("token")).isFalse();
        assertThat(body.has("refreshToken")).isFalse();
    }

    private SessionHandler sessionHandler(String dynamoEndpoint) {
        return new SessionHandler(sessionEnvironment(dynamoEndpoint));
    }

    private Map<String, String> sessionEnvironment(String dynamoEndpoint) {
        Map<String, String> env = new HashMap<>(table.environment(dynamoEndpoint));
        env.put("SESSION_KEYS_SECRET_ID", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        return env;
    }

    private JsonNode loginOk(String dynamoEndpoint) throws Exception {
        Map<String, String> env = DevelopmentSecrets.environment(wechat, secrets);
        env.putAll(table.environment(dynamoEndpoint));
        return login(new LoginHandler(env));
    }

    private JsonNode login(LoginHandler handler) throws Exception {
        String code = wechat.issueCode("weixinApp");
        sensitive(SecretLedger.Kind.WECHAT_CODE, code);
        APIGatewayV2HTTPResponse response = handler.handleRequest(
                APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                        .withHeaders(Map.of("content-type", "application/json"))
                        .withBody("{\"code\":\"" + code + "\"}").withIsBase64Encoded(false).build(),
                new FakeContext());
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        sensitive(SecretLedger.Kind.SESSION_TOKEN, body.get("token").asText());
        if (body.has("refreshToken")) {
            sensitive(SecretLedger.Kind.SESSION_TOKEN, body.get("refreshToken").asText());
        }
        return body;
    }

    private static String closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** SessionFunction's Timeout in template.yaml: what a refresh invocation has. */
    static final int SESSION_TIMEOUT_MILLIS = 10_000;

    private static FakeContext sessionContext() {
        return new FakeContext(SESSION_TIMEOUT_MILLIS);
    }

    static APIGatewayV2HTTPEvent event(String path, String refreshToken) {
        return RefreshTokenRotationTest.event(path, refreshToken);
    }
}
