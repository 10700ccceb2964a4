package wxlogin.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import wxlogin.aws.AwsClients;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;

/**
 * The session store in one DynamoDB table with a string partition key {@code pk} (template.yaml's
 * SessionsTable), two kinds of items:
 * <ul>
 * <li>{@code token#<sha256 of the token>}: familyId, userId, appid, loginType, openid?, unionid?,
 *     issuedAt, expiresAt, rotatedAt? and the TTL attribute {@code ttl};</li>
 * <li>{@code family#<familyId>}: currentHash (the only token that may be refreshed), userId,
 *     familyUser (= userId, the key of the sparse index {@code ByUser}: user -> families), createdAt
 *     (the login), rotatedAt?, expiresAt, ttl, revokedAt?, revokedReason?.</li>
 * </ul>
 * Times are epoch seconds; {@code ttl} equals {@code expiresAt}, so DynamoDB deletes what can no
 * longer be used (the code checks expiresAt itself: TTL deletion lags). Reads are strongly
 * consistent; rotation is one transaction conditioned on the family's current token.
 *
 * <p>The one writer of the table: login starts families here (one {@code TransactWriteItems} per
 * login), refresh and logout read, rotate and revoke here. Every failure is sorted by
 * {@link SessionStoreFailures#of} in one place.
 */
public final class DynamoDbSessionStore implements SessionStore {

    static final String PK = SessionItems.PK;
    static final String TTL = SessionItems.TTL;
    static final String TOKEN_PREFIX = SessionItems.TOKEN_PREFIX;
    static final String FAMILY_PREFIX = SessionItems.FAMILY_PREFIX;
    /** Caps per call and per attempt; the invocation's remaining time caps both further. */
    static final long CALL_CAP_MILLIS = 4_000;
    static final long ATTEMPT_CAP_MILLIS = 1_500;
    /** Below this much time left, the store is not called: the answer would come too late. */
    static final long MIN_CALL_MILLIS = 50;

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbSessionStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** Connect 1 s, socket 2 s, one retry: a throttled or failed call answers 503 quickly and the app retries. */
    static final AwsClients.Limits LIMITS = new AwsClients.Limits(Duration.ofSeconds(1), Duration.ofSeconds(2), 2);

    /** The client as {@link AwsClients} builds it, with Lambda's credentials. */
    public static DynamoDbSessionStore fromEnvironment(Env env, String table) {
        return fromEnvironment(env, table, AwsClients.lambdaCredentials());
    }

    /** The same with credentials shared with the function's other AWS client (one credentials fetch per cold start). */
    public static DynamoDbSessionStore fromEnvironment(Env env, String table, AwsCredentialsProvider credentials) {
        return new DynamoDbSessionStore(AwsClients.build(DynamoDbClient.builder(), env, "AWS_ENDPOINT_URL_DYNAMODB",
                credentials, LIMITS), table);
    }

    DynamoDbClient client() {
        return client;
    }

    String table() {
        return table;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public StoredToken findToken(String hash, Deadline deadline) {
        Map<String, AttributeValue> item = get(TOKEN_PREFIX + hash, deadline);
        if (item == null) {
            return null;
        }
        SessionIdentity identity = new SessionIdentity(s(item, "userId"), s(item, "appid"), s(item, "loginType"),
                s(item, "openid"), s(item, "unionid"));
        return new StoredToken(hash, s(item, "familyId"), identity, n(item, "issuedAt"), n(item, "expiresAt"),
                optionalN(item, "rotatedAt"));
    }

    @Override
    public TokenFamily findFamily(String familyId, Deadline deadline) {
        Map<String, AttributeValue> item = get(FAMILY_PREFIX + familyId, deadline);
        if (item == null) {
            return null;
        }
        return new TokenFamily(familyId, s(item, "currentHash"), s(item, "userId"), n(item, "createdAt"),
                n(item, "expiresAt"), optionalN(item, "revokedAt"));
    }

    @Override
    public List<String> familiesOf(String userId, Deadline deadline) {
        List<String> familyIds = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
            Map<String, AttributeValue> from = start;
            // A GSI is eventually consistent: a family started a moment ago may be missing (README: Lasting sessions).
            QueryResponse page = call("Query", () -> client.query(q -> q.tableName(table)
                    .indexName(SessionItems.BY_USER_INDEX)
                    .keyConditionExpression("#user = :user")
                    .expressionAttributeNames(Map.of("#user", SessionItems.FAMILY_USER))
                    .expressionAttributeValues(Map.of(":user", s(userId)))
                    .exclusiveStartKey(from)
                    .overrideConfiguration(timeouts)));
            for (Map<String, AttributeValue> item : page.items()) {
                String pk = s(item, PK);
                if (pk != null && pk.startsWith(FAMILY_PREFIX)) {
                    familyIds.add(pk.substring(FAMILY_PREFIX.length()));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return familyIds;
    }

    private Map<String, AttributeValue> get(String key, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
        return call("GetItem", () -> {
            Map<String, AttributeValue> item = client.getItem(r -> r.tableName(table).key(key(key))
                    .consistentRead(true).overrideConfiguration(timeouts)).item();
            return item == null || item.isEmpty() ? null : item;
        });
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void create(TokenFamily family, StoredToken first, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
        List<TransactWriteItem> writes = List.of(
                TransactWriteItem.builder().put(p -> p.tableName(table).item(item(SessionItems.family(family)))
                        .conditionExpression(SessionItems.NOT_YET_STORED)).build(),
                TransactWriteItem.builder().put(p -> p.tableName(table).item(item(SessionItems.token(first)))
                        .conditionExpression(SessionItems.NOT_YET_STORED)).build());
        try {
            call("TransactWriteItems", () -> client.transactWriteItems(r -> r.transactItems(writes)
                    .overrideConfiguration(timeouts)));
        } catch (RotationConflict e) {
            throw SessionStoreFailures.alreadyExists();
        }
    }

    @Override
    public boolean rotate(TokenFamily family, StoredToken presented, StoredToken next, long now, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(FAMILY_PREFIX + family.familyId()))
                // familyUser too: a family started before the index existed joins it at its next refresh.
                .updateExpression("SET currentHash = :next, rotatedAt = :now, expiresAt = :exp, #ttl = :exp, "
                        + "#user = :user")
                .conditionExpression("currentHash = :observed AND attribute_not_exists(revokedAt)")
                .expressionAttributeNames(Map.of("#ttl", TTL, "#user", SessionItems.FAMILY_USER))
                .expressionAttributeValues(Map.of(":next", s(next.hash()), ":now", n(now),
                        ":exp", n(next.expiresAt()), ":observed", s(family.currentHash()),
                        ":user", s(family.userId())))).build());
        writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(item(SessionItems.token(next)))
                .conditionExpression(SessionItems.NOT_YET_STORED)).build());
        writes.add(markRotated(presented.hash(), now));
        try {
            call("TransactWriteItems", () -> client.transactWriteItems(r -> r.transactItems(writes)
                    .overrideConfiguration(timeouts)));
            return true;
        } catch (RotationConflict e) {
            return false;
        }
    }

    private TransactWriteItem markRotated(String hash, long now) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(key(TOKEN_PREFIX + hash))
                .updateExpression("SET rotatedAt = if_not_exists(rotatedAt, :now)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":now", n(now)))).build();
    }

    @Override
    public void revoke(String familyId, long now, String reason, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
        try {
            call("UpdateItem", () -> client.updateItem(u -> u.tableName(table).key(key(FAMILY_PREFIX + familyId))
                    .updateExpression("SET revokedAt = if_not_exists(revokedAt, :now), "
                            + "revokedReason = if_not_exists(revokedReason, :reason)")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":now", n(now), ":reason", s(reason)))
                    .overrideConfiguration(timeouts)));
        } catch (RotationConflict e) {
            // The family is gone (expired and deleted): nothing left to revoke.
        }
    }

    // ------------------------------------------------------------------ items

    /** An item of {@link SessionItems} as the SDK's attribute values. */
    private static Map<String, AttributeValue> item(Map<String, Object> item) {
        return SessionItems.convert(item, AttributeValue::fromS, number -> n(number));
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of(PK, s(pk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long n(Map<String, AttributeValue> item, String name) {
        Long value = optionalN(item, name);
        if (value == null) {
            throw new ConfigurationException("sessions table item lacks " + name + ": not written by this service?");
        }
        return value;
    }

    private static Long optionalN(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Long.valueOf(value.n());
    }

    // ------------------------------------------------------------------ errors and time

    /** Per-request timeouts: the caps, never past the invocation's deadline. */
    private static AwsRequestOverrideConfiguration timeouts(Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, CALL_CAP_MILLIS, ATTEMPT_CAP_MILLIS,
                MIN_CALL_MILLIS);
        if (timeouts == null) {
            throw SessionStoreFailures.noTimeLeft();
        }
        return timeouts;
    }

    /** A conditional write whose condition did not hold (internal signal, never leaves this class). */
    private static final class RotationConflict extends RuntimeException {
        RotationConflict() {
            super(null, null, false, false);
        }
    }

    private interface Call<T> {
        T run();
    }

    /**
     * Runs one call; conditions that did not hold are signals, every other failure goes to
     * {@link SessionStoreFailures#of}. Messages name the operation and the error code only:
     * an SDK message could quote a key, and keys hold token hashes.
     */
    private <T> T call(String operation, Call<T> call) {
        try {
            return call.run();
        } catch (ConditionalCheckFailedException e) {
            throw new RotationConflict();
        } catch (TransactionCanceledException e) {
            throw cancelled(operation, e);
        } catch (RuntimeException e) {
            throw SessionStoreFailures.of(operation, table, e);
        }
    }

    private RuntimeException cancelled(String operation, TransactionCanceledException e) {
        List<String> codes = new ArrayList<>();
        if (e.hasCancellationReasons()) {
            for (CancellationReason reason : e.cancellationReasons()) {
                codes.add(reason.code());
            }
        }
        SessionStoreFailures.Cancellation why = SessionStoreFailures.classify(codes);
        return why == SessionStoreFailures.Cancellation.CONFLICT ? new RotationConflict()
                : SessionStoreFailures.cancelled(operation, codes, why, e);
    }
}
