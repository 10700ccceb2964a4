package wxlogin.session;

// Integration (fast): the SDK's DynamoDbClient as the project builds it, over real HTTP against a local stand-in: login's one TransactWriteItems, retries, deadline, and how every failure is sorted.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Json;
import wxlogin.testing.AwsStandIn;
import wxlogin.testing.AwsStandIn.Canned;

class DynamoDbSessionStoreTest {

    static final String TABLE = "sessions-test";
    static final String JSON_1_0 = "application/x-amz-json-1.0";
    static final String HASH = RefreshTokens.hash(new RefreshTokens().newToken());
    static final SessionIdentity ALICE = new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", "u-1");
    static final TokenFamily FAMILY = new TokenFamily("family-1", HASH, "user-1", 1_795_528_800L, 1_798_120_800L, null);
    static final StoredToken FIRST = new StoredToken(HASH, "family-1", ALICE, 1_795_528_800L, 1_798_120_800L, null);

    private AwsStandIn endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = new AwsStandIn(JSON_1_0);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    // ------------------------------------------------------------------ the login's one write

    @Test
    void aLoginWritesOneTransactWriteItemsOfTwoConditionalPutsSignedForDynamoDbInTheRegion() throws Exception {
        store("eu-west-1").create(FAMILY, FIRST, deadline());

        assertThat(endpoint.received).hasSize(1);
        AwsStandIn.Received request = endpoint.received.get(0);
        assertThat(request.header("X-Amz-Target")).isEqualTo("DynamoDB_20120810.TransactWriteItems");
        assertThat(request.header("Content-Type")).isEqualTo(JSON_1_0);
        assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/")
                .contains("/eu-west-1/dynamodb/aws4_request");
        JsonNode body = Json.MAPPER.readTree(request.body());
        assertThat(body.get("ClientRequestToken").asText()).matches("[0-9a-f-]{36}");
        assertThat(body.get("TransactItems")).hasSize(2);
        JsonNode family = body.get("TransactItems").get(0).get("Put");
        assertThat(family.get("TableName").asText()).isEqualTo(TABLE);
        assertThat(family.get("ConditionExpression").asText()).isEqualTo("attribute_not_exists(pk)");
        assertThat(family.get("Item")).isEqualTo(Json.MAPPER.readTree("{\"pk\":{\"S\":\"family#family-1\"},"
                + "\"kind\":{\"S\":\"family\"},\"currentHash\":{\"S\":\"" + HASH + "\"},\"userId\":{\"S\":\"user-1\"},"
                + "\"familyUser\":{\"S\":\"user-1\"},\"createdAt\":{\"N\":\"1795528800\"},\"expiresAt\":{\"N\":\"1798120800\"},\"ttl\":{\"N\":\"1798120800\"}}"));
        JsonNode token = body.get("TransactItems").get(1).get("Put");
        assertThat(token.get("ConditionExpression").asText()).isEqualTo("attribute_not_exists(pk)");
        assertThat(token.get("Item")).isEqualTo(Json.MAPPER.readTree("{\"pk\":{\"S\":\"token#" + HASH + "\"},"
                + "\"kind\":{\"S\":\"token\"},\"familyId\":{\"S\":\"family-1\"},\"userId\":{\"S\":\"user-1\"},"
                + "\"appid\":{\"S\":\"wxapp\"},\"loginType\":{\"S\":\"weixinApp\"},\"openid\":{\"S\":\"o-1\"},"
                + "\"unionid\":{\"S\":\"u-1\"},\"issuedAt\":{\"N\":\"1795528800\"},\"expiresAt\":{\"N\":\"1798120800\"},"
                + "\"ttl\":{\"N\":\"1798120800\"}}"));
    }

    @Test
    void aRetryCarriesTheSameClientRequestTokenSoALostAnswerIsNotAConflict() throws Exception {
        endpoint.answer(n -> n == 1 ? new Canned(500, JSON_1_0, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                + "InternalServerError\"}") : new Canned(200, JSON_1_0, "{}"));
        DynamoDbSessionStore store = store("us-east-1");

        store.create(FAMILY, FIRST, deadline());
        store.create(FAMILY, FIRST, deadline());

        assertThat(endpoint.received).hasSize(3);
        String token = clientRequestToken(0);
        assertThat(clientRequestToken(1)).isEqualTo(token);
        assertThat(clientRequestToken(2)).as("a new call, a new token").isNotEqualTo(token);
    }

    // ------------------------------------------------------------------ failures: one place sorts them

    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', value = {
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\"}]} | SessionStoreUnavailableException | new family or token already exists | false | 1",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ThrottlingError\"}]} | SessionStoreUnavailableException | TransactWriteItems throttled [None, ThrottlingError] | true | 1",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\"} | ConfigurationException | DynamoDB table sessions-test not found (TransactWriteItems) | false | 1",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazon.coral.validate#ValidationException\"} | ConfigurationException | DynamoDB rejected TransactWriteItems on table sessions-test (ValidationException): is its key the string pk? | false | 1",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\"} | ConfigurationException | no permission for DynamoDB TransactWriteItems on table sessions-test (HTTP 400 AccessDeniedException) | false | 1",
            "403 | text/html | <html>Forbidden</html> | ConfigurationException | no permission for DynamoDB TransactWriteItems on table sessions-test (HTTP 403) | false | 1",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\"} | SessionStoreUnavailableException | TransactWriteItems throttled (HTTP 400 ProvisionedThroughputExceededException) | true | 2",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\"} | SessionStoreUnavailableException | TransactWriteItems throttled (HTTP 400 ThrottlingException) | true | 2",
            "429 | text/plain | Too Many Requests | SessionStoreUnavailableException | TransactWriteItems throttled (HTTP 429) | true | 2",
            "500 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\"} | SessionStoreUnavailableException | TransactWriteItems failed: HTTP 500 InternalServerError | false | 2",
            "500 | text/plain | Internal Server Error | SessionStoreUnavailableException | TransactWriteItems failed: HTTP 500 | false | 2",
            "503 | text/html | <html>Service Unavailable</html> | SessionStoreUnavailableException | TransactWriteItems failed: HTTP 503 | false | 2",
            "400 | " + JSON_1_0 + " | {\"__type\":\"com.amazonaws.dynamodb.v20120810#SomethingNewException\"} | SessionStoreUnavailableException | TransactWriteItems failed: HTTP 400 SomethingNewException | false | 1"})
    void everyFailureIsUnavailableOrMisconfiguredWithAtMostOneRetry(int status, String contentType, String body,
                                                                    String type, String message, boolean throttled,
                                                                    int attempts) {
        endpoint.answer(n -> new Canned(status, contentType, body));

        RuntimeException failure = catchFailure(() -> store("us-east-1").create(FAMILY, FIRST, deadline()));

        assertThat(failure.getClass().getSimpleName()).isEqualTo(type);
        assertThat(failure).hasMessageStartingWith(message);
        assertThat(failure.getMessage()).doesNotContain(HASH);
        if (failure instanceof SessionStoreUnavailableException unavailable) {
            assertThat(unavailable.throttled()).isEqualTo(throttled);
        }
        assertThat(endpoint.received).as("attempts").hasSize(attempts);
    }

    @Test
    void anUnreachableEndpointIsUnavailable() {
        DynamoDbSessionStore store = store("us-east-1");
        endpoint.stop();

        assertThat(catchFailure(() -> store.findToken(HASH, deadline())))
                .isInstanceOfSatisfying(SessionStoreUnavailableException.class, e -> assertThat(e.throttled()).isFalse())
                .hasMessageStartingWith("GetItem unreachable or timed out: SdkClientException");
    }

    @Test
    void withoutTimeLeftNothingIsSent() {
        assertThat(catchFailure(() -> store("us-east-1").create(FAMILY, FIRST, Deadline.in(10, Clock.systemUTC()))))
                .isInstanceOf(SessionStoreUnavailableException.class).hasMessage("no time left for DynamoDB");
        assertThat(endpoint.received).isEmpty();
    }

    @Test
    void aSlowStoreNeverKeepsTheCallerPastItsDeadline() {
        DynamoDbSessionStore store = store("us-east-1");
        store.findToken(HASH, deadline()); // loaded and connected: what is timed below is the slow answer alone
        endpoint.answerAfter(5_000);

        long started = System.nanoTime();
        assertThat(catchFailure(() -> store.create(FAMILY, FIRST, Deadline.in(700, Clock.systemUTC()))))
                .isInstanceOf(SessionStoreUnavailableException.class)
                .hasMessageStartingWith("TransactWriteItems unreachable or timed out: ApiCallTimeoutException");
        assertThat((System.nanoTime() - started) / 1_000_000).as("the deadline, not the 5 s answer").isLessThan(3_000);
    }

    // ---- helpers ----

    private DynamoDbSessionStore store(String region) {
        return DynamoDbSessionStore.fromEnvironment(new Env(Map.of("AWS_REGION", region,
                "AWS_ENDPOINT_URL_DYNAMODB", endpoint.endpoint())), TABLE);
    }

    private String clientRequestToken(int request) throws Exception {
        return Json.MAPPER.readTree(endpoint.received.get(request).body()).get("ClientRequestToken").asText();
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
}
