package wxlogin.session;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
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
 *     createdAt, rotatedAt?, expiresAt, ttl, revokedAt?, revokedReason?.</li>
 * </ul>
 * Times are epoch seconds; {@code ttl} equals {@code expiresAt}, so DynamoDB deletes what can no
 * longer be used (the code checks expiresAt itself: TTL deletion lags). Reads are strongly
 * consistent; rotation is one transaction conditioned on the family's current token.
 */
public final class DynamoDbSessionStore implements SessionStore {

    static final String PK = "pk";
    static final String TTL = "ttl";
    static final String TOKEN_PREFIX = "token#";
    static final String FAMILY_PREFIX = "family#";
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

    /**
     * A client configured explicitly, like {@code SecretsManagerSource.fromEnvironment}: region from the
     * environment, the default credentials chain (Lambda's container credentials under SnapStart), the
     * url-connection HTTP client, the standard {@code AWS_ENDPOINT_URL_DYNAMODB} override, one retry.
     */
    public static DynamoDbSessionStore fromEnvironment(Env env, String table) {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(1))
                        .socketTimeout(Duration.ofSeconds(2))
                        .build())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(Region.of(env.awsRegion()))
                // One retry: a throttled or failed call answers 503 quickly and the app retries.
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMillis(CALL_CAP_MILLIS))
                        .retryStrategy(b -> b.maxAttempts(2)));
        String endpoint = env.awsEndpointOverride("AWS_ENDPOINT_URL_DYNAMODB");
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return new DynamoDbSessionStore(builder.build(), table);
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
                TransactWriteItem.builder().put(p -> p.tableName(table).item(familyItem(family))
                        .conditionExpression("attribute_not_exists(pk)")).build(),
                TransactWriteItem.builder().put(p -> p.tableName(table).item(tokenItem(first))
                        .conditionExpression("attribute_not_exists(pk)")).build());
        try {
            call("TransactWriteItems", () -> client.transactWriteItems(r -> r.transactItems(writes)
                    .overrideConfiguration(timeouts)));
        } catch (RotationConflict e) {
            // 128 and 256 random bits do not collide; if they ever did, no session is better than a shared one.
            throw new SessionStoreUnavailableException("new family or token already exists", false, null);
        }
    }

    @Override
    public boolean rotate(TokenFamily family, StoredToken presented, StoredToken next, long now, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = timeouts(deadline);
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(FAMILY_PREFIX + family.familyId()))
                .updateExpression("SET currentHash = :next, rotatedAt = :now, expiresAt = :exp, #ttl = :exp")
                .conditionExpression("currentHash = :observed AND attribute_not_exists(revokedAt)")
                .expressionAttributeNames(Map.of("#ttl", TTL))
                .expressionAttributeValues(Map.of(":next", s(next.hash()), ":now", n(now),
                        ":exp", n(next.expiresAt()), ":observed", s(family.currentHash())))).build());
        writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(tokenItem(next))
                .conditionExpression("attribute_not_exists(pk)")).build());
        writes.add(markRotated(presented.hash(), now));
        if (!RefreshTokens.sameHash(presented.hash(), family.currentHash())) {
            // A retry within the reuse interval also retires the token the first rotation issued.
            writes.add(markRotated(family.currentHash(), now));
        }
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

    private static Map<String, AttributeValue> familyItem(TokenFamily family) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(FAMILY_PREFIX + family.familyId()));
        item.put("kind", s("family"));
        item.put("currentHash", s(family.currentHash()));
        item.put("userId", s(family.userId()));
        item.put("createdAt", n(family.createdAt()));
        item.put("expiresAt", n(family.expiresAt()));
        item.put(TTL, n(family.expiresAt()));
        return item;
    }

    private static Map<String, AttributeValue> tokenItem(StoredToken token) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(TOKEN_PREFIX + token.hash()));
        item.put("kind", s("token"));
        item.put("familyId", s(token.familyId()));
        SessionIdentity identity = token.identity();
        item.put("userId", s(identity.userId()));
        item.put("appid", s(identity.appid()));
        item.put("loginType", s(identity.loginType()));
        if (identity.openid() != null) {
            item.put("openid", s(identity.openid()));
        }
        if (identity.unionid() != null) {
            item.put("unionid", s(identity.unionid()));
        }
        item.put("issuedAt", n(token.issuedAt()));
        item.put("expiresAt", n(token.expiresAt()));
        item.put(TTL, n(token.expiresAt()));
        return item;
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
        if (!deadline.allows(MIN_CALL_MILLIS)) {
            throw new SessionStoreUnavailableException("no time left for DynamoDB", false, null);
        }
        return AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofMillis(deadline.timeoutMillis(CALL_CAP_MILLIS)))
                .apiCallAttemptTimeout(Duration.ofMillis(deadline.timeoutMillis(ATTEMPT_CAP_MILLIS)))
                .build();
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
     * Runs one call and sorts its failures. Messages name the operation and the error code only:
     * an SDK message could quote a key, and keys hold token hashes.
     */
    private <T> T call(String operation, Call<T> call) {
        try {
            return call.run();
        } catch (ConditionalCheckFailedException e) {
            throw new RotationConflict();
        } catch (TransactionCanceledException e) {
            throw cancelled(operation, e);
        } catch (ResourceNotFoundException e) {
            throw new ConfigurationException("DynamoDB table " + table + " not found (" + operation + ")");
        } catch (SdkServiceException e) {
            String code = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
                    && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
            if (e.isThrottlingException()) {
                throw new SessionStoreUnavailableException(operation + " throttled (" + code + ")", true, e);
            }
            if (e.statusCode() == 403 || "AccessDeniedException".equals(code)) {
                throw new ConfigurationException("no permission for DynamoDB " + operation + " on table " + table);
            }
            if ("ValidationException".equals(code)) {
                // Our requests are fixed: a table with another key schema rejects them.
                throw new ConfigurationException("DynamoDB rejected " + operation + " on table " + table
                        + " (ValidationException): is its key the string pk?");
            }
            throw new SessionStoreUnavailableException(operation + " failed: HTTP " + e.statusCode() + " " + code,
                    false, e);
        } catch (SdkClientException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new SessionStoreUnavailableException(operation + " unreachable or timed out: "
                    + e.getClass().getSimpleName() + (root == e ? "" : " (" + root.getClass().getSimpleName() + ")"),
                    false, e);
        }
    }

    private RuntimeException cancelled(String operation, TransactionCanceledException e) {
        boolean conflict = false;
        boolean throttled = false;
        List<String> codes = new ArrayList<>();
        if (e.hasCancellationReasons()) {
            for (CancellationReason reason : e.cancellationReasons()) {
                String code = reason.code();
                codes.add(code);
                conflict |= "ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code);
                throttled |= "ThrottlingError".equals(code) || "ProvisionedThroughputExceeded".equals(code)
                        || "RequestLimitExceeded".equals(code);
            }
        }
        if (throttled) {
            return new SessionStoreUnavailableException(operation + " throttled " + codes, true, e);
        }
        if (conflict) {
            return new RotationConflict();
        }
        return new SessionStoreUnavailableException(operation + " cancelled " + codes, false, e);
    }
}
