// Integration, in-process: the outage drill's rows for POST /account/delete - each dependency (WeChat stable_token and unregisteruser, Secrets Manager, DynamoDB, EventBridge) x each fault x warm/cold through TCP fault proxies: 503 with Retry-After (or 204 where a warm cache covers), inside the deadline, no secret in answer or log, and the repeat finishes the deletion.
package wxlogin.it.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wxlogin.account.AccountHandler;
import wxlogin.common.Json;
import wxlogin.it.faults.FaultProxy;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

/**
 * Account deletion's part of the outage drill (RELIABILITY.md), in the drill's terms: a cold
 * instance is a new handler; a warm one has deleted another account, then its cached secrets came
 * due. Hang rows give the handler 2 s. The table it ran is written to
 * {@code integration-tests/target/reliability/outage-drill-account.md}.
 */
class AccountDeletionOutageTest {

    static final int SHORT_DEADLINE_MILLIS = 2_000;
    static final int TEMPLATE_TIMEOUT_MILLIS = 15_000;

    enum Dependency {
        WECHAT_STABLE_TOKEN("WeChat stable_token", WeChatSandbox.STABLE_TOKEN_PATH),
        WECHAT_UNREGISTER("WeChat unregisteruser", WeChatSandbox.UNREGISTER_USER_PATH),
        SECRETS_MANAGER("Secrets Manager", "GetSecretValue"),
        DYNAMODB("DynamoDB", null),
        EVENTBRIDGE("EventBridge", "PutEvents");

        final String label;
        final String operation;

        Dependency(String label, String operation) {
            this.label = label;
            this.operation = operation;
        }

        FaultProxy proxy() {
            return switch (this) {
                case WECHAT_STABLE_TOKEN, WECHAT_UNREGISTER -> stand.wechatProxy;
                case SECRETS_MANAGER -> stand.secretsProxy;
                case DYNAMODB -> stand.dynamoProxy;
                case EVENTBRIDGE -> stand.eventsProxy;
            };
        }

        FaultProxy.Fault fault(FaultKind kind) {
            boolean wechat = this == WECHAT_STABLE_TOKEN || this == WECHAT_UNREGISTER;
            String awsJson = this == DYNAMODB ? "1.0" : "1.1";
            return switch (kind) {
                case REFUSED -> FaultProxy.refuse();
                case RESET_MID_POOL -> FaultProxy.reset();
                case HANG -> FaultProxy.hang();
                case HTTP_5XX_JSON -> wechat
                        ? FaultProxy.answer(500, "application/json", "{\"errcode\":-1,\"errmsg\":\"system error\"}")
                        : FaultProxy.jsonServerError(500, awsJson, this == DYNAMODB
                                ? "com.amazonaws.dynamodb.v20120810#InternalServerError" : "InternalException");
                case HTTP_5XX_TEXT -> wechat ? FaultProxy.answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>")
                        : FaultProxy.plainServerError(503);
                case THROTTLED -> switch (this) {
                    case WECHAT_STABLE_TOKEN, WECHAT_UNREGISTER -> FaultProxy.answer(200, "application/json",
                            "{\"errcode\":45009,\"errmsg\":\"reach max api daily quota limit\"}");
                    case SECRETS_MANAGER -> FaultProxy.secretsManagerThrottling();
                    case DYNAMODB -> FaultProxy.dynamoDbThrottling();
                    case EVENTBRIDGE -> FaultProxy.answer(400, "application/x-amz-json-1.1",
                            "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
                };
            };
        }
    }

    enum FaultKind {
        REFUSED("refused"), RESET_MID_POOL("reset mid-pool"), HANG("hang past the deadline"),
        HTTP_5XX_JSON("5xx, JSON body"), HTTP_5XX_TEXT("5xx, not JSON"), THROTTLED("throttling");

        final String label;

        FaultKind(String label) {
            this.label = label;
        }
    }

    enum Instance { WARM, COLD }

    record Case(Dependency dependency, FaultKind fault, Instance instance, int deadlineMillis, int expected) {
        @Override
        public String toString() {
            return dependency + " " + fault + " " + instance + " " + deadlineMillis + "ms";
        }
    }

    /**
     * 204 where a warm instance's cache covers the outage (its secrets within their grace period,
     * WeChat's access token while the host still answers); 503 with Retry-After everywhere else.
     */
    static int expected(Dependency dependency, FaultKind fault, Instance instance) {
        if (instance == Instance.WARM && (dependency == Dependency.SECRETS_MANAGER
                || dependency == Dependency.WECHAT_STABLE_TOKEN && fault != FaultKind.REFUSED)) {
            return 204;
        }
        return 503;
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Dependency dependency : Dependency.values()) {
            for (FaultKind fault : FaultKind.values()) {
                for (Instance instance : Instance.values()) {
                    cases.add(new Case(dependency, fault, instance,
                            fault == FaultKind.HANG ? SHORT_DEADLINE_MILLIS : TEMPLATE_TIMEOUT_MILLIS,
                            expected(dependency, fault, instance)));
                }
            }
        }
        // One hang at the template's Timeout: the bound holds at the real deadline too.
        cases.add(new Case(Dependency.DYNAMODB, FaultKind.HANG, Instance.COLD, TEMPLATE_TIMEOUT_MILLIS, 503));
        return cases.stream();
    }

    private static AccountStand stand;
    private static int people;
    private static final Map<String, String> ROWS = new ConcurrentSkipListMap<>();
    private LogCapture logs;
    private final List<String> sensitive = new ArrayList<>(List.of(DevelopmentSecrets.APPSECRET,
            DevelopmentSecrets.SIGNING_SECRET));

    @BeforeAll
    static void start() {
        stand = new AccountStand();
    }

    @AfterAll
    static void stop() throws IOException {
        stand.close();
        StringBuilder table = new StringBuilder(
                "| function | dependency | fault | instance | deadline | answer |\n|---|---|---|---|---|---|\n");
        ROWS.values().forEach(row -> table.append(row).append('\n'));
        Path dir = Path.of(System.getProperty("wxlogin.surefireReports", "integration-tests/target/surefire-reports"))
                .resolveSibling("reliability");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("outage-drill-account.md"), table);
    }

    @BeforeEach
    void begin() {
        stand.heal();
        logs = new LogCapture();
    }

    @AfterEach
    void end() {
        stand.heal();
        String text = logs.text();
        logs.close();
        for (String value : sensitive) {
            assertThat(text).as("log lines hold no secret, code or token").doesNotContain(value);
        }
    }

    private JsonNode person() {
        JsonNode login = stand.login("drill" + (++people) + "x" + System.nanoTime() % 100_000);
        sensitive.add(login.get("token").asText());
        sensitive.add(login.get("refreshToken").asText());
        return login;
    }

    private static APIGatewayV2HTTPResponse delete(AccountHandler handler, JsonNode login, int deadlineMillis) {
        return handler.handleRequest(AccountStand.deleteEvent(login), new FakeContext(deadlineMillis));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anOutageAnswers503InsideTheDeadlineAndTheRepeatFinishesTheDeletion(Case drill) throws Exception {
        AccountHandler handler = stand.accountHandler();
        if (drill.instance() == Instance.WARM) {
            assertThat(delete(handler, person(), TEMPLATE_TIMEOUT_MILLIS).getStatusCode()).as("warm-up deletion")
                    .isEqualTo(204);
            stand.clock.advance(CachedSecret.TTL.plusSeconds(1));
        }
        JsonNode login = person(); // after the clock moved: a recent login
        String userId = login.get("userId").asText();
        FaultProxy proxy = drill.dependency().proxy();
        if (drill.fault() == FaultKind.RESET_MID_POOL) {
            proxy.resetOpenConnections();
        }
        proxy.fail(drill.dependency().operation, drill.dependency().fault(drill.fault()));

        long started = System.nanoTime();
        APIGatewayV2HTTPResponse answer = delete(handler, login, drill.deadlineMillis());
        long millis = (System.nanoTime() - started) / 1_000_000;
        String retryAfter = answer.getHeaders() == null ? null : answer.getHeaders().get("Retry-After");
        JsonNode body = answer.getBody() == null ? null : Json.parseOrNull(answer.getBody());
        ROWS.put(String.format("%03d", cases().toList().indexOf(drill)), "| POST /account/delete | "
                + drill.dependency().label + " | " + drill.fault().label + " | " + drill.instance().name().toLowerCase()
                + " | " + drill.deadlineMillis() / 1000 + " s | " + answer.getStatusCode()
                + (body != null && body.has("errCode") ? " " + body.get("errCode").asLong() : "")
                + (retryAfter != null ? ", Retry-After " + retryAfter : "") + " |");

        assertThat(millis).as("answered inside the deadline given (%d ms)", drill.deadlineMillis())
                .isLessThan(drill.deadlineMillis());
        assertThat(answer.getStatusCode()).as(String.valueOf(answer.getBody())).isEqualTo(drill.expected());
        if (drill.expected() == 503) {
            assertThat(retryAfter).isNotNull();
            assertThat(Integer.parseInt(retryAfter)).isBetween(1, 5);
            assertThat(body.get("errCode").asLong()).isNotZero();
            assertThat(body.path("errMsg").asText()).isNotBlank();
            assertThat(answer.getBody()).doesNotContain("Exception").doesNotContain("\tat ");
            for (String value : sensitive) {
                assertThat(answer.getBody()).doesNotContain(value);
            }
            // The fault clears and Retry-After passes: the same instance finishes the job.
            stand.heal();
            stand.clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
            if (drill.dependency() == Dependency.SECRETS_MANAGER) {
                Thread.sleep(SecretsManagerSource.QUIET_AFTER_FAILURE_MILLIS + 50);
            }
            APIGatewayV2HTTPResponse repeat = delete(handler, login, TEMPLATE_TIMEOUT_MILLIS);
            assertThat(repeat.getStatusCode()).as("the repeat: %s", repeat.getBody()).isEqualTo(204);
        }
        assertThat(stand.user("deletion#" + userId)).as("the deletion finished").isNull();
        assertThat(stand.user("user#" + userId)).as("a tombstone").containsKey("deletedAt");
        assertThat(stand.refresh(login.get("refreshToken").asText())).as("its session revoked").isEqualTo(401);
    }
}
