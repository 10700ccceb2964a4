package wxlogin.session;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import wxlogin.aws.AwsJsonCall;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.JsonObjects;

/**
 * Login's side of the sessions table: starts a family with the one write a login makes, a
 * DynamoDB {@code TransactWriteItems} of two conditional puts, sent as {@link AwsJsonCall} sends
 * it (the SDK's signer and credential providers, {@link java.net.HttpURLConnection}) instead of
 * through the SDK's {@code DynamoDbClient}, whose construction is about 1,100 classes and most of
 * a login's cold start. Refresh and logout keep the SDK client ({@link DynamoDbSessionStore}).
 *
 * <p>Same items ({@link SessionItems}), conditions, limits and failures
 * ({@link SessionStoreFailures}) as {@link DynamoDbSessionStore#create}: at most
 * {@value #MAX_ATTEMPTS} attempts (throttling, 5xx, network), each at most
 * {@value DynamoDbSessionStore#ATTEMPT_CAP_MILLIS} ms, all inside
 * {@value DynamoDbSessionStore#CALL_CAP_MILLIS} ms and never past the invocation's deadline; like
 * the SDK, every attempt of a call carries the same {@code ClientRequestToken}, so a retry after a
 * lost answer finds the transaction done instead of failing its conditions.
 */
public final class DynamoDbSessionStarter implements SessionStarter {

    static final String OPERATION = "TransactWriteItems";
    static final String TARGET = "DynamoDB_20120810." + OPERATION;
    static final String SIGNING_NAME = "dynamodb";
    /** Like the SDK client of {@link DynamoDbSessionStore}: one retry. */
    static final int MAX_ATTEMPTS = 2;
    /**
     * The SDK client's connect (1 s) and socket (2 s) timeouts under the per-attempt cap; pauses
     * as the SDK's for DynamoDB (25 ms base) and 500 ms after throttling.
     */
    private static final AwsJsonCall.Limits LIMITS = new AwsJsonCall.Limits(1_000, 2_000,
            DynamoDbSessionStore.ATTEMPT_CAP_MILLIS, MAX_ATTEMPTS, DynamoDbSessionStore.MIN_CALL_MILLIS, 25, 500);

    private final AwsJsonCall dynamodb;
    private final String table;

    /**
     * @param endpoint    e.g. {@code https://dynamodb.us-east-1.amazonaws.com}
     * @param region      the region to sign for
     * @param credentials any SDK credentials provider
     * @param table       the sessions table's name
     */
    public DynamoDbSessionStarter(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                                  String table) {
        this.dynamodb = new AwsJsonCall(SIGNING_NAME, AwsJsonCall.JSON_1_0, endpoint, region, credentials, LIMITS);
        this.table = table;
    }

    /**
     * Region, the standard {@code AWS_ENDPOINT_URL_DYNAMODB} (or {@code AWS_ENDPOINT_URL}) override and
     * credentials as the SDK would find them in a Lambda function (container credentials under SnapStart).
     */
    public static DynamoDbSessionStarter fromEnvironment(Env env, String table) {
        return fromEnvironment(env, table, AwsJsonCall.lambdaCredentials());
    }

    /** The same with credentials shared with the function's other AWS call (one credentials fetch per cold start). */
    public static DynamoDbSessionStarter fromEnvironment(Env env, String table,
                                                         IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        return new DynamoDbSessionStarter(AwsJsonCall.endpoint(env, "AWS_ENDPOINT_URL_DYNAMODB", SIGNING_NAME),
                env.awsRegion(), credentials, table);
    }

    URI endpoint() {
        return dynamodb.endpoint();
    }

    String region() {
        return dynamodb.region();
    }

    String table() {
        return table;
    }

    @Override
    public void create(TokenFamily family, StoredToken first, Deadline deadline) {
        if (!deadline.allows(DynamoDbSessionStore.MIN_CALL_MILLIS)) {
            throw SessionStoreFailures.noTimeLeft();
        }
        // Made per call, not at init (SnapStart): the SDK fills in a random UUID the same way.
        byte[] body = transactWriteItems(table, family, first, UUID.randomUUID().toString());
        AwsJsonCall.Answer answer;
        try {
            answer = dynamodb.send(TARGET, body, deadline.timeoutMillis(DynamoDbSessionStore.CALL_CAP_MILLIS));
        } catch (IOException e) {
            throw SessionStoreFailures.unreachable(OPERATION, AwsJsonCall.describe(e), e);
        }
        if (answer.status() != 200) {
            throw failure(answer, table);
        }
    }

    /** The request: the family and its first token, each put only if its key is not stored yet. */
    static byte[] transactWriteItems(String table, TokenFamily family, StoredToken first, String clientRequestToken) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("TransactItems", List.of(put(table, SessionItems.family(family)), put(table, SessionItems.token(first))));
        request.put("ClientRequestToken", clientRequestToken);
        return JsonObjects.write(request).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> put(String table, Map<String, Object> item) {
        Map<String, Object> put = new LinkedHashMap<>();
        put.put("TableName", table);
        put.put("Item", SessionItems.convert(item, s -> Map.of("S", s), n -> Map.of("N", Long.toString(n))));
        put.put("ConditionExpression", SessionItems.NOT_YET_STORED);
        return Map.of("Put", put);
    }

    /** Sorts an error answer as {@link DynamoDbSessionStore} sorts the SDK's exceptions. */
    static RuntimeException failure(AwsJsonCall.Answer answer, String table) {
        String code = answer.errorCode();
        if ("TransactionCanceledException".equals(code)) {
            List<String> reasons = cancellationReasons(answer);
            SessionStoreFailures.Cancellation why = SessionStoreFailures.classify(reasons);
            return why == SessionStoreFailures.Cancellation.CONFLICT ? SessionStoreFailures.alreadyExists()
                    : SessionStoreFailures.cancelled(OPERATION, reasons, why, null);
        }
        if ("ConditionalCheckFailedException".equals(code)) {
            return SessionStoreFailures.alreadyExists();
        }
        if ("ResourceNotFoundException".equals(code)) {
            return SessionStoreFailures.tableNotFound(OPERATION, table);
        }
        return SessionStoreFailures.serviceError(OPERATION, table, answer.status(), code, answer.throttled(), null);
    }

    /** The {@code Code} of each of {@code CancellationReasons}, in order ("None" for a write that was fine). */
    private static List<String> cancellationReasons(AwsJsonCall.Answer answer) {
        List<String> codes = new ArrayList<>();
        try {
            if (answer.json().get("CancellationReasons") instanceof List<?> reasons) {
                for (Object reason : reasons) {
                    codes.add(reason instanceof Map<?, ?> map && map.get("Code") instanceof String code ? code : null);
                }
            }
        } catch (ParseException e) {
            // No reasons to read: reported as a cancellation without reasons.
        }
        return codes;
    }

    /**
     * SnapStart priming without network and without randomness: builds and signs a sample
     * request with throwaway credentials and sorts a sample cancellation.
     */
    public static void prime() {
        SessionIdentity identity = new SessionIdentity("priming", "wxpriming", "weixinApp", "priming", "priming");
        byte[] body = transactWriteItems("priming", new TokenFamily("priming", "priming", "priming", 0, 1, null),
                new StoredToken("priming", "priming", identity, 0, 1, null), "00000000-0000-0000-0000-000000000000");
        AwsJsonCall.prime(SIGNING_NAME, AwsJsonCall.JSON_1_0, TARGET, body);
        failure(new AwsJsonCall.Answer(400, "TransactionCanceledException", ("{\"__type\":\"com.amazonaws.dynamodb."
                + "v20120810#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"None\"},"
                + "{\"Code\":\"ConditionalCheckFailed\"}]}").getBytes(StandardCharsets.UTF_8)), "priming");
    }
}
