package wxlogin.session;

// Integration (fast): login's TransactWriteItems over real HTTP against a recording DynamoDB stand-in, side by side with the SDK-based DynamoDbSessionStore: same request, same failures.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;

class DynamoDbSessionStarterTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TABLE = "sessions-test";
    static final String HASH = RefreshTokens.hash(new RefreshTokens().newToken());
    static final SessionIdentity ALICE = new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", "u-1");
    static final SessionIdentity NO_IDS = new SessionIdentity("user-2", "wxapp", "phoneSms", null, null);
    static final TokenFamily FAMILY = new TokenFamily("family-1", HASH, "user-1", 1_795_528_800L, 1_798_120_800L, null);
    static final StoredToken FIRST = new StoredToken(HASH, "family-1", ALICE, 1_795_528_800L, 1_798_120_800L, null);

    /** What the stand-in received. */
    record Received(String path, Map<String, List<String>> headers, String body, long nanoTime) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A canned answer: status and body. */
    record Canned(int status, String body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** The answer to the n-th request (1-based). */
    private volatile IntFunction<Canned> answers = n -> new Canned(200, "{}");
    private volatile long answerAfterMillis;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    // ------------------------------------------------------------------ the request

    @Test
    void sendsOneTransactWriteItemsSignedForDynamoDbInTheRegion() throws Exception {
        starter("eu-west-1").create(FAMILY, FIRST, deadline());

        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("X-Amz-Target")).isEqualTo("DynamoDB_20120810.TransactWriteItems");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-amz-json-1.0");
        assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/")
                .contains("/eu-west-1/dynamodb/aws4_request").contains("x-amz-target");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("ClientRequestToken").asText()).matches("[0-9a-f-]{36}");
        assertThat(body.get("TransactItems")).hasSize(2);
        JsonNode family = body.get("TransactItems").get(0).get("Put");
        assertThat(family.get("TableName").asText()).isEqualTo(TABLE);
        assertThat(family.get("ConditionExpression").asText()).isEqualTo("attribute_not_exists(pk)");
        assertThat(family.get("Item")).isEqualTo(JSON.readTree("{\"pk\":{\"S\":\"family#family-1\"},\"kind\":{\"S\":\"family\"},"
                + "\"currentHash\":{\"S\":\"" + HASH + "\"},\"userId\":{\"S\":\"user-1\"},\"createdAt\":{\"N\":\"1795528800\"},"
                + "\"expiresAt\":{\"N\":\"1798120800\"},\"ttl\":{\"N\":\"1798120800\"}}"));
        JsonNode token = body.get("TransactItems").get(1).get("Put");
        assertThat(token.get("TableName").asText()).isEqualTo(TABLE);
        assertThat(token.get("ConditionExpression").asText()).isEqualTo("attribute_not_exists(pk)");
        assertThat(token.get("Item")).isEqualTo(JSON.readTree("{\"pk\":{\"S\":\"token#" + HASH + "\"},\"kind\":{\"S\":\"token\"},"
                + "\"familyId\":{\"S\":\"family-1\"},\"userId\":{\"S\":\"user-1\"},\"appid\":{\"S\":\"wxapp\"},"
                + "\"loginType\":{\"S\":\"weixinApp\"},\"openid\":{\"S\":\"o-1\"},\"unionid\":{\"S\":\"u-1\"},"
                + "\"issuedAt\":{\"N\":\"1795528800\"},\"expiresAt\":{\"N\":\"1798120800\"},\"ttl\":{\"N\":\"1798120800\"}}"));
    }

    @Test
    void theRequestIsTheOneTheSdkStoreSendsButForItsRandomClientRequestToken() throws Exception {
        for (SessionIdentity identity : List.of(ALICE, NO_IDS)) {
            received.clear();
            StoredToken first = new StoredToken(HASH, "family-1", identity, 1_795_528_800L, 1_798_120_800L, null);

            sdkStore().create(FAMILY, first, deadline());
            starter("us-east-1").create(FAMILY, first, deadline());

            assertThat(received).hasSize(2);
            assertThat(received.get(1).header("X-Amz-Target")).isEqualTo(received.get(0).header("X-Amz-Target"));
            assertThat(received.get(1).header("Content-Type")).isEqualTo(received.get(0).header("Content-Type"));
            ObjectNode sdk = (ObjectNode) JSON.readTree(received.get(0).body());
            ObjectNode lean = (ObjectNode) JSON.readTree(received.get(1).body());
            assertThat(lean.remove("ClientRequestToken").asText()).isNotEqualTo(sdk.remove("ClientRequestToken").asText());
            assertThat(lean).as(identity.toString()).isEqualTo(sdk);
        }
    }

    @Test
    void aRetryCarriesTheSameClientRequestTokenSoALostAnswerIsNotAConflict() throws Exception {
        answers = n -> n == 1 ? new Canned(500, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\"}")
                : new Canned(200, "{}");
        DynamoDbSessionStarter starter = starter("us-east-1");

        starter.create(FAMILY, FIRST, deadline());
        starter.create(FAMILY, FIRST, deadline());

        assertThat(received).hasSize(3);
        String token = JSON.readTree(received.get(0).body()).get("ClientRequestToken").asText();
        assertThat(JSON.readTree(received.get(1).body()).get("ClientRequestToken").asText()).isEqualTo(token);
        assertThat(JSON.readTree(received.get(2).body()).get("ClientRequestToken").asText()).as("a new call, a new token")
                .isNotEqualTo(token);
    }

    // ------------------------------------------------------------------ failures, as the SDK store reports them

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"}]}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"TransactionConflict\"},{\"Code\":\"None\"}]}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"ThrottlingError\"},{\"Code\":\"ConditionalCheckFailed\"}]}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ProvisionedThroughputExceeded\"}]}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ValidationError\"}]}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\",\"message\":\"The conditional request failed\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"Requested resource not found\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":\"not authorized\"}",
            "403 | {\"__type\":\"com.amazon.coral.service#MissingAuthenticationTokenException\",\"message\":\"no\"}",
            "400 | {\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"One of the required keys was not given a value\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"slow down\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"slow down\"}",
            "400 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded\",\"message\":\"slow down\"}",
            "500 | {\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"oops\"}",
            "503 | {\"__type\":\"com.amazonaws.dynamodb#ServiceUnavailable\",\"message\":\"down\"}",
            "400 | {\"__type\":\"com.amazon.coral.service#SerializationException\",\"message\":\"bad\"}"})
    void eachErrorAnswerFailsAsTheSdkStoreFailsWithTheSameAttempts(int status, String body) {
        answers = n -> new Canned(status, body);

        RuntimeException sdk = catchFailure(() -> sdkStore().create(FAMILY, FIRST, deadline()));
        int sdkAttempts = received.size();
        received.clear();
        RuntimeException lean = catchFailure(() -> starter("us-east-1").create(FAMILY, FIRST, deadline()));

        assertThat(lean).isInstanceOf(sdk.getClass()).hasMessage(sdk.getMessage());
        if (sdk instanceof SessionStoreUnavailableException s) {
            assertThat(((SessionStoreUnavailableException) lean).throttled()).isEqualTo(s.throttled());
        }
        assertThat(received).as("attempts").hasSize(sdkAttempts);
        assertThat(lean.getMessage()).doesNotContain(HASH).doesNotContain("family-1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "ConditionalCheckFailed | SessionStoreUnavailableException | new family or token already exists | false | 1",
            "ThrottlingError | SessionStoreUnavailableException | TransactWriteItems throttled [None, ThrottlingError] | true | 1",
            "ResourceNotFoundException | ConfigurationException | DynamoDB table sessions-test not found (TransactWriteItems) | false | 1",
            "ProvisionedThroughputExceededException | SessionStoreUnavailableException | TransactWriteItems throttled (ProvisionedThroughputExceededException) | true | 2",
            "InternalServerError | SessionStoreUnavailableException | TransactWriteItems failed: HTTP 500 InternalServerError | false | 2",
            "ValidationException | ConfigurationException | DynamoDB rejected TransactWriteItems on table sessions-test (ValidationException): is its key the string pk? | false | 1"})
    void failuresAreSortedLikeTheSessionStoreSaysWithAtMostOneRetry(String code, String type, String message,
                                                                   boolean throttled, int attempts) {
        answers = n -> switch (code) {
            case "ConditionalCheckFailed", "ThrottlingError" -> new Canned(400, "{\"__type\":\"com.amazonaws.dynamodb."
                    + "v20120810#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\""
                    + code + "\"}]}");
            case "InternalServerError" -> new Canned(500, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\"}");
            default -> new Canned(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\"}");
        };

        RuntimeException failure = catchFailure(() -> starter("us-east-1").create(FAMILY, FIRST, deadline()));

        assertThat(failure.getClass().getSimpleName()).isEqualTo(type);
        assertThat(failure).hasMessage(message);
        if (failure instanceof SessionStoreUnavailableException unavailable) {
            assertThat(unavailable.throttled()).isEqualTo(throttled);
        }
        assertThat(received).hasSize(attempts);
    }

    @Test
    void anUnreachableEndpointIsUnavailable() {
        int port = server.getAddress().getPort();
        server.stop(0);
        DynamoDbSessionStarter starter = DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_REGION", "us-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + port)), TABLE);

        assertThatThrownBy(() -> starter.create(FAMILY, FIRST, deadline()))
                .isInstanceOfSatisfying(SessionStoreUnavailableException.class, e -> assertThat(e.throttled()).isFalse())
                .hasMessage("TransactWriteItems unreachable or timed out: ConnectException");
    }

    @Test
    void withoutTimeLeftNothingIsSent() {
        assertThatThrownBy(() -> starter("us-east-1").create(FAMILY, FIRST, Deadline.in(10, Clock.systemUTC())))
                .isInstanceOf(SessionStoreUnavailableException.class).hasMessage("no time left for DynamoDB");
        assertThat(received).isEmpty();
    }

    @Test
    void aSlowStoreNeverKeepsTheLoginPastItsDeadline() {
        answerAfterMillis = 5_000;

        long started = System.nanoTime();
        assertThatThrownBy(() -> starter("us-east-1").create(FAMILY, FIRST, Deadline.in(700, Clock.systemUTC())))
                .isInstanceOf(SessionStoreUnavailableException.class)
                .hasMessage("TransactWriteItems unreachable or timed out: SocketTimeoutException");

        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(600L, 1_000L);
    }

    @Test
    void anAttemptIsCutOffAfterOneAndAHalfSecondsThenTheOneRetryGetsWhatIsLeft() {
        answerAfterMillis = 5_000;

        long started = System.nanoTime();
        assertThatThrownBy(() -> starter("us-east-1").create(FAMILY, FIRST, Deadline.in(2_000, Clock.systemUTC())))
                .isInstanceOf(SessionStoreUnavailableException.class)
                .hasMessage("TransactWriteItems unreachable or timed out: SocketTimeoutException");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(received).hasSize(2);
        long retriedAfter = (received.get(1).nanoTime() - received.get(0).nanoTime()) / 1_000_000;
        assertThat(retriedAfter).as("the first attempt's cap, then a short pause")
                .isBetween(DynamoDbSessionStore.ATTEMPT_CAP_MILLIS, DynamoDbSessionStore.ATTEMPT_CAP_MILLIS + 250);
        assertThat(millis).as("the retry ends with the deadline").isBetween(1_900L, 2_300L);
    }

    // ------------------------------------------------------------------ wiring and priming

    @Test
    void readsTheRegionAndTheStandardEndpointOverridesFromTheEnvironment() {
        DynamoDbSessionStarter starter = DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_REGION", "ap-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", "AWS_ENDPOINT_URL", "http://127.0.0.1:9999")), TABLE);
        assertThat(starter.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(starter.region()).isEqualTo("ap-east-1");
        assertThat(starter.table()).isEqualTo(TABLE);
        assertThat(DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9999")),
                TABLE).endpoint()).isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_REGION", "us-west-2")), TABLE).endpoint())
                .isEqualTo(URI.create("https://dynamodb.us-west-2.amazonaws.com"));
        assertThat(DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_REGION", "cn-north-1")), TABLE).endpoint())
                .isEqualTo(URI.create("https://dynamodb.cn-north-1.amazonaws.com.cn"));
    }

    @Test
    void primingSignsAndSortsWithoutNetwork() {
        DynamoDbSessionStarter.prime();

        assertThat(received).isEmpty();
    }

    // ---- helpers ----

    private DynamoDbSessionStarter starter(String region) {
        return DynamoDbSessionStarter.fromEnvironment(new Env(Map.of("AWS_REGION", region,
                "AWS_ENDPOINT_URL_DYNAMODB", base())), TABLE);
    }

    private DynamoDbSessionStore sdkStore() {
        return DynamoDbSessionStore.fromEnvironment(new Env(Map.of("AWS_REGION", "us-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB", base())), TABLE);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static Deadline deadline() {
        return Deadline.in(10_000, Clock.systemUTC());
    }

    private static RuntimeException catchFailure(Runnable call) {
        try {
            call.run();
        } catch (SessionStoreUnavailableException | ConfigurationException e) {
            return e;
        }
        throw new AssertionError("no failure");
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), System.nanoTime()));
            if (answerAfterMillis > 0) {
                try {
                    Thread.sleep(answerAfterMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Canned canned = answers.apply(received.size());
            byte[] bytes = canned.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(canned.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
