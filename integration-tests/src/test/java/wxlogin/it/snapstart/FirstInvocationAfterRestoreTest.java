// Integration (slow, ~20 s): each function in a JVM of its own, SnapStart's hooks run, then its first invocation against the local stand-ins loads no class of the SDK, Jackson databind, java.net.http, Nimbus or the project (-Xlog:class+load).
package wxlogin.it.snapstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wxlogin.account.AccountHandler;
import wxlogin.cloudfunction.MyCloudFunction;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.template.Template;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.SecretLedger;

/**
 * Issue 11's priming check: after {@code beforeCheckpoint} and {@code afterRestore}, a function's
 * first invocation finds the code it runs loaded. Each function runs in a child JVM
 * ({@link RestoredFunction}) with {@code -Xlog:class+load}, against the WeChat sandbox, the local
 * Secrets Manager endpoint and DynamoDB Local in this JVM; the classes first loaded during the
 * invocation must include none of the named packages. Counting them is the restore benchmark's job.
 */
class FirstInvocationAfterRestoreTest {

    /** Packages priming must have loaded before the snapshot. */
    static final List<String> PRIMED = List.of("software.amazon.awssdk.", "com.fasterxml.jackson.databind.",
            "java.net.http.", "jdk.internal.net.http.", "com.nimbusds.", "wxlogin.",
            // the metrics library (common/Metrics) and what it uses
            "software.amazon.cloudwatchlogs.", "org.apache.commons.lang3.");
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\s*\\] (\\S+) source");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WeChatSandbox wechat;
    private static SecretsManagerEndpoint secrets;
    private static Map<String, String> env;
    private static EventBridgeEndpoint eventBus;

    @TempDir
    Path events;

    @BeforeAll
    static void standIns() {
        wechat = DevelopmentSecrets.sandboxFor();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        DynamoDbLocal dynamo = DynamoDbLocal.shared();
        String table = "sessions-" + UUID.randomUUID();
        dynamo.createTable(table, Template.load().properties("SessionsTable"));
        env = DevelopmentSecrets.environment(wechat, secrets);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("SESSIONS_TABLE", table);
        String users = "users-" + UUID.randomUUID();
        dynamo.createTable(users, Template.load().properties("UsersTable"));
        env.put("USERS_TABLE", users);
        eventBus = EventBridgeEndpoint.start();
        env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", eventBus.endpoint().toString());
    }

    @AfterAll
    static void stop() {
        wechat.close();
        secrets.close();
        eventBus.close();
    }

    @Test
    void aReturningPersonsLogin() throws Exception {
        login(); // the person has logged in before
        String answer = firstInvocation(LoginHandler.class, httpEvent("login.json", "{\"code\":\"" + code() + "\"}"));
        assertThat(answer).contains("\\\"refreshToken\\\"");
    }

    @Test
    void aGatedCall() throws Exception {
        String answer = firstInvocation(CallGateHandler.class, Files.readString(event("call-gate-allow.json")));
        assertThat(answer).contains("\"isAuthorized\":true");
    }

    @Test
    void aSessionRefresh() throws Exception {
        String refreshToken = login().get("refreshToken").asText();
        String answer = firstInvocation(SessionHandler.class,
                httpEvent("session-refresh.json", "{\"refreshToken\":\"" + refreshToken + "\"}"));
        assertThat(answer).contains("\"statusCode\":200");
    }

    @Test
    void myCloudFunction() throws Exception {
        String answer = firstInvocation(MyCloudFunction.class, Files.readString(event("my-cloud-function.json")));
        assertThat(answer).contains("cloud.callFunction:ok");
    }

    @Test
    void anAccountDeletion() throws Exception {
        JsonNode session = login("deleted");
        ObjectNode event = (ObjectNode) JSON.readTree(event("account-delete.json").toFile());
        ((ObjectNode) event.path("headers")).put("authorization", "Bearer " + session.get("token").asText());
        ((ObjectNode) event.at("/requestContext/authorizer/lambda")).put("userId", session.get("userId").asText());
        String answer = firstInvocation(AccountHandler.class, JSON.writeValueAsString(event));
        assertThat(answer).contains("\"statusCode\":204");
        assertThat(eventBus.events()).anySatisfy(e -> assertThat(e.detail().path("userId").asText())
                .isEqualTo(session.get("userId").asText()));
    }

    /** Runs the function's first invocation after its hooks in a child JVM; asserts what it loaded; returns the answer. */
    private String firstInvocation(Class<?> handler, String event) throws Exception {
        Path eventFile = Files.writeString(events.resolve(handler.getSimpleName() + ".json"), event);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:stdout",
                "-cp", System.getProperty("java.class.path"), RestoredFunction.class.getName(),
                handler.getName(), eventFile.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "local-test-secret-key");
        // Lambda's environment credentials are session credentials, like the container endpoint's.
        builder.environment().put("AWS_SESSION_TOKEN", "local-test-session-token");
        builder.environment().remove("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        Path output = events.resolve(handler.getSimpleName() + ".out");
        Process process = builder.redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the child JVM finished").isTrue();
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        int restored = lines.indexOf(RestoredFunction.RESTORED);
        int answered = lines.indexOf(RestoredFunction.ANSWERED);
        assertThat(restored).as("the hooks ran; output:\n%s", tail(lines)).isNotNegative();
        assertThat(answered).as("the invocation answered; output:\n%s", tail(lines)).isGreaterThan(restored);
        assertThat(lines.subList(0, restored)).as("priming succeeded").noneMatch(l -> l.contains("priming_failed"))
                .anyMatch(l -> l.contains("snapstart.primed"));
        List<String> firstLoaded = new ArrayList<>();
        for (String line : lines.subList(restored, answered)) {
            Matcher m = LOADED.matcher(line);
            if (m.find()) {
                firstLoaded.add(m.group(1));
            }
        }
        assertThat(firstLoaded).as("classes first loaded by %s's first invocation after restore", handler.getSimpleName())
                .noneMatch(name -> PRIMED.stream().anyMatch(name::startsWith));
        return String.join("\n", lines.subList(answered + 1, lines.size()));
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static String code() {
        return code("restored");
    }

    private static String code(String user) {
        return wechat.issueCode("weixinApp", user);
    }

    /** A login in this JVM by the production handler: the session body (token, refreshToken, ...). */
    private static JsonNode login() throws IOException {
        return login("restored");
    }

    /** The same for the sandbox's {@code user}. */
    private static JsonNode login(String user) throws IOException {
        LoginHandler handler = new LoginHandler(env);
        String body = handler.handleRequest(APIGatewayV2HTTPEvent.builder().withRouteKey("POST /login")
                .withRawPath("/login").withBody("{\"code\":\"" + code(user) + "\"}").withIsBase64Encoded(false).build(),
                new FakeContext()).getBody();
        JsonNode session = JSON.readTree(body);
        assertThat(session.has("refreshToken")).as(body).isTrue();
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, session.get("refreshToken").asText());
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, session.get("token").asText());
        return session;
    }

    /** The project's event fixture with another body. */
    private static String httpEvent(String fixture, String body) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(event(fixture).toFile());
        event.put("body", body);
        event.put("isBase64Encoded", false);
        return JSON.writeValueAsString(event);
    }

    private static Path event(String name) {
        return Path.of(System.getProperty("project.root"), "events", name);
    }
}
