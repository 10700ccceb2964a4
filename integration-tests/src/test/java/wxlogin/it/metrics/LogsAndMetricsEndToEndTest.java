// End to end: a realistic run through the local API (template.yaml, the real handlers, WeChat sandbox, Secrets Manager endpoint, DynamoDB Local) - every metric record is valid EMF and in the catalogue, every log line is JSON with the documented fields.
package wxlogin.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;
import wxlogin.testing.EmfSpec;
import wxlogin.testing.LogCapture;
import wxlogin.testing.SecretLedger;

class LogsAndMetricsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Set<String> FUNCTIONS = Set.of("login", "gate", "session", "account", "myCloudFunction", "getPhoneNumber");
    private static List<JsonNode> records;
    private static List<JsonNode> lines;
    private static String text;

    /** The run: both builds' logins, gate allow and deny, a cloud function, refresh, reuse, logout, WeChat errcodes, outages. */
    @BeforeAll
    static void run() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            LocalMain.Stack stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), false));
            try {
                String api = stack.api().url();
                JsonNode app = post(api, "/login", "{\"code\":\"" + stack.wechat().issueCode("bound", "erin") + "\"}", null, 200);
                post(api, "/login", "{\"code\":\"" + stack.wechat().issueMiniProgramCode("bound", "erin")
                        + "\",\"codeType\":\"miniProgram\"}", null, 200);
                String token = app.get("token").asText();
                post(api, "/functions/myCloudFunction", "{\"data\":{\"n\":1}}", token, 200);
                post(api, "/functions/myCloudFunction", "{\"data\":{}}", "not-a-token", 403);
                String first = app.get("refreshToken").asText();
                SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, first);
                JsonNode second = post(api, "/session/refresh", "{\"refreshToken\":\"" + first + "\"}", null, 200);
                JsonNode third = post(api, "/session/refresh", "{\"refreshToken\":\""
                        + second.get("refreshToken").asText() + "\"}", null, 200);
                SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, third.get("refreshToken").asText());
                // The first token again, after its successor was used: reuse, the family is revoked.
                post(api, "/session/refresh", "{\"refreshToken\":\"" + first + "\"}", null, 401);
                JsonNode other = post(api, "/login", "{\"code\":\"" + stack.wechat().issueCode("weixinApp", "frank") + "\"}", null, 200);
                post(api, "/logout", "{\"refreshToken\":\"" + other.get("refreshToken").asText() + "\"}", null, 204);
                post(api, "/login", "{\"code\":\"" + stack.wechat().issueCode("expired", "erin") + "\"}", null, 401);
                post(api, "/login", "{\"code\":\"" + stack.wechat().issueCode("minuteLimit", "erin") + "\"}", null, 429);
            } finally {
                stack.close();
            }
            // Outages: a stack whose DynamoDB is a closed port (a login cannot reach the user directory), then
            // its Secrets Manager goes down before the gate ever read the signing keys (the gate fails: 500).
            LocalMain.Stack broken = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), false),
                    Map.of("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + closedPort()));
            try {
                String api = broken.api().url();
                post(api, "/login", "{\"code\":\"" + broken.wechat().issueCode("weixinApp", "gina") + "\"}", null, 503);
                broken.secrets().setDown(true);
                post(api, "/functions/myCloudFunction", "{\"data\":{}}", "a.b.c", 500);
            } finally {
                broken.close();
            }
            text = logs.text();
            records = logs.metrics();
            lines = logs.lines();
        }
    }

    @AfterAll
    static void noOp() {
        // the stacks closed in run()
    }

    @Test
    void everyMetricRecordIsValidEmfInTheCatalogue() {
        assertThat(records).hasSizeGreaterThan(30);
        for (JsonNode record : records) {
            assertThat(EmfSpec.violations(record)).as("EMF rules broken by %s", record).isEmpty();
            assertThat(EmfSpec.catalogueViolations(record)).as("catalogue broken by %s", record).isEmpty();
            assertThat(record.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("WeixinAppLogin");
            assertThat(FUNCTIONS).as("the Function dimension of %s", record).contains(record.get("Function").asText());
        }
    }

    @Test
    void theFlowIsCountedWhereTheCatalogueSays() {
        assertRecord("Login", "Function", "login", "Outcome", "ok", "LoginType", "app", "errCode", 0);
        assertRecord("Login", "Outcome", "ok", "LoginType", "miniProgram");
        assertRecord("Login", "Outcome", "rejected", "errCode", 10001000, "wechatErrcode", 10001000);
        assertRecord("Login", "Outcome", "throttled", "wechatErrcode", 45011);
        assertRecord("Login", "Outcome", "unavailable", "errCode", 900506);
        assertRecord("WeChatCall", "Function", "login", "Api", "code2verifyinfo", "Outcome", "ok");
        assertRecord("WeChatCall", "Api", "jscode2session", "Outcome", "ok");
        assertRecord("WeChatCall", "Api", "stable_token", "Outcome", "ok");
        assertRecord("WeChatCall", "Api", "code2verifyinfo", "Outcome", "errcode", "wechatErrcode", 10001000);
        assertRecord("WeChatCall", "Api", "code2verifyinfo", "Outcome", "quota", "wechatErrcode", 45011);
        assertRecord("WeChatLatency", "Function", "login", "Api", "code2verifyinfo");
        assertRecord("StableTokenFetch", "Function", "login");
        assertRecord("GateDecision", "Function", "gate", "Outcome", "allow");
        assertRecord("GateDecision", "Function", "gate", "Outcome", "deny", "reason", "MALFORMED");
        assertRecord("GateDenied", "Function", "gate", "Reason", "MALFORMED");
        assertRecord("CloudFunctionCall", "Function", "myCloudFunction", "Outcome", "ok");
        assertRecord("Refresh", "Function", "session", "Outcome", "ok");
        assertRecord("Refresh", "Function", "session", "Outcome", "rejected");
        assertRecord("ReuseDetected", "Function", "session");
        assertRecord("Revocation", "Function", "session", "Reason", "reuse");
        assertRecord("Revocation", "Function", "session", "Reason", "logout");
        assertRecord("DirectoryLinkCreated", "Function", "login");
        assertRecord("DependencyFailure", "Function", "gate", "Dependency", "SecretsManager", "kind", "unavailable");
        assertRecord("DependencyFailure", "Function", "login", "Dependency", "DynamoDB", "kind", "unavailable");
        assertRecord("DependencyFailure", "Function", "login", "Dependency", "WeChat", "kind", "throttled");
    }

    @Test
    void everyLogLineIsOneJsonObjectWithTheDocumentedFields() {
        assertThat(lines).hasSizeGreaterThan(10);
        for (JsonNode line : lines) {
            assertThat(line.get("level").asText()).as("level of %s", line).isIn("INFO", "WARN", "ERROR");
            assertThat(line.get("event").asText()).as("event of %s", line).matches("[a-z_]+(\\.[a-z_]+)+");
            assertThat(FUNCTIONS).as("function of %s", line).contains(line.path("function").asText());
        }
        // Every line the functions wrote during a request names the request.
        assertThat(lines).filteredOn(line -> line.path("event").asText().startsWith("login."))
                .allSatisfy(line -> assertThat(line.path("requestId").asText()).isNotEmpty());
        // Numbers stay JSON numbers.
        assertThat(lines).filteredOn(line -> "login.rejected".equals(line.path("event").asText()))
                .isNotEmpty().allSatisfy(line -> assertThat(line.get("status").isIntegralNumber()).isTrue());
        // A line that starts like the functions' lines is one of them: nothing is written half-JSON.
        assertThat(text.lines().filter(l -> l.startsWith("{\"level\"") || l.startsWith("{\"_aws\"")))
                .allMatch(l -> wxlogin.common.Json.objectOrNull(l) != null);
    }

    private static void assertRecord(String metric, Object... fields) {
        Predicate<JsonNode> matches = record -> {
            if (!record.has(metric)) {
                return false;
            }
            for (int i = 0; i + 1 < fields.length; i += 2) {
                JsonNode value = record.get((String) fields[i]);
                if (value == null || !(value.isNumber() && fields[i + 1] instanceof Number n
                        ? value.asDouble() == n.doubleValue() : value.asText().equals(String.valueOf(fields[i + 1])))) {
                    return false;
                }
            }
            return true;
        };
        assertThat(records).as("a %s record with %s", metric, List.of(fields)).anyMatch(matches);
    }

    private static JsonNode post(String api, String path, String body, String bearer, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s answered %s", path, response.body()).isEqualTo(expected);
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    private static int closedPort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
