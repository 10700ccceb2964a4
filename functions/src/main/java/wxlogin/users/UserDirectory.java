package wxlogin.users;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import wxlogin.aws.AwsClients;
import wxlogin.aws.AwsFailure;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.common.RandomIds;

/**
 * The user directory (template.yaml's UsersTable, partition key {@code pk}): one stable id per
 * person, linked to every identity the person logs in with. Items:
 * <ul>
 * <li>{@code user#<userId>}: userId, createdAt, links (the link keys it owns, for deletion);</li>
 * <li>{@code link#<kind>#<value>}: userId, createdAt — one per {@link IdentityKey};</li>
 * <li>{@code deletion#<userId>}: an account deletion under way ({@link DeletionRecord}).</li>
 * </ul>
 * A login reads its links once (strongly consistent); it writes only when it learns something
 * new, claiming each new link with a conditional put in the same transaction that creates or
 * extends the user. Whoever loses a race re-reads and joins the winner, so concurrent first logins
 * of one person end as one user with every link. No link ever moves to another user, except that a
 * link marked {@code deleting} (its user's deletion has begun) counts as absent: a login takes it
 * over for a new user, and nothing is ever added to a user being deleted. A deleted user leaves a
 * tombstone {@code user#<userId>} (userId, deletedAt) so the id is never issued again.
 */
public final class UserDirectory {

    /** User ids the contract accepts as {@code sub}: URL-safe, at most 64 characters. */
    static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Re-reads after a lost race; more would only mean a storm of logins of one person. */
    static final int MAX_ATTEMPTS = 4;
    static final long CALL_CAP_MILLIS = 3_000;
    static final long ATTEMPT_CAP_MILLIS = 1_500;
    static final long MIN_CALL_MILLIS = 50;
    /** Connect 1 s, socket 2 s, one retry: a failing directory answers 503 well inside the login's time. */
    static final AwsClients.Limits LIMITS = new AwsClients.Limits(Duration.ofSeconds(1), Duration.ofSeconds(2), 2);
    /** Our requests are fixed: a missing table, or one with another key schema, rejects them. */
    private static final Set<String> MISCONFIGURATION_ERRORS = Set.of("ResourceNotFoundException", "ValidationException");
    private static final String DELETING = "deleting";
    private static final String DELETION_PREFIX = "deletion#";
    /** 16 random bytes: 22 URL-safe characters, never colliding with another id in practice. */
    static final int NEW_ID_BYTES = 16;

    private final DynamoDbClient client;
    private final String table;
    private final Supplier<String> newUserIds;
    private final Clock clock;
    /** The generator behind {@link #newUserIds} when this class made it (forgotten after a restore), else null. */
    private final RandomIds ids;

    /** @param newUserIds fresh random ids for people who bring no usable multi-terminal user_id */
    public UserDirectory(DynamoDbClient client, String table, Supplier<String> newUserIds, Clock clock) {
        this(client, table, newUserIds, clock, null);
    }

    /**
     * The directory of {@code USERS_TABLE} on a client as {@link AwsClients} builds it, or null when
     * the variable is unset. New ids come from a generator created on first use, so none comes from
     * a SnapStart snapshot; {@link #refreshAfterRestore()} drops it.
     */
    public static UserDirectory fromEnvironment(Env env, AwsCredentialsProvider credentials, Clock clock) {
        String table = env.optional("USERS_TABLE", null);
        if (table == null) {
            return null;
        }
        RandomIds ids = new RandomIds();
        return new UserDirectory(AwsClients.build(DynamoDbClient.builder(), env, "AWS_ENDPOINT_URL_DYNAMODB",
                credentials, LIMITS), table, () -> ids.next(NEW_ID_BYTES), clock, ids);
    }

    private UserDirectory(DynamoDbClient client, String table, Supplier<String> newUserIds, Clock clock, RandomIds ids) {
        this.client = client;
        this.table = table;
        this.newUserIds = newUserIds;
        this.clock = clock;
        this.ids = ids;
    }

    /** After a SnapStart restore: the next new id seeds a fresh random generator. */
    public void refreshAfterRestore() {
        if (ids != null) {
            ids.forget();
        }
    }

    /** The user this login belongs to, created or extended as needed. */
    public DirectoryUser resolve(LoginIdentities login, Deadline deadline) {
        boolean preferredIdTaken = false;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Map<IdentityKey, String> owners = owners(login, deadline);
            Outcome outcome = owners.isEmpty()
                    ? create(login, preferredIdTaken ? null : login.preferredUserId(), deadline)
                    : extend(login, owners, deadline);
            if (outcome.user != null) {
                return outcome.user;
            }
            preferredIdTaken |= outcome.preferredIdTaken;
        }
        throw new UserDirectoryUnavailableException("users table: still contended after " + MAX_ATTEMPTS + " attempts", null);
    }

    /** A write's result: the user, or null and why to try again. */
    private record Outcome(DirectoryUser user, boolean preferredIdTaken) {
        static final Outcome LOST_RACE = new Outcome(null, false);
    }

    private Outcome create(LoginIdentities login, String preferredUserId, Deadline deadline) {
        boolean preferred = preferredUserId != null && USER_ID.matcher(preferredUserId).matches();
        String userId = preferred ? preferredUserId : newUserIds.get();
        long now = clock.instant().getEpochSecond();
        List<TransactWriteItem> writes = new ArrayList<>();
        Set<String> linkKeys = new TreeSet<>();
        login.all().forEach(key -> linkKeys.add(key.pk()));
        writes.add(TransactWriteItem.builder().put(p -> p.tableName(table)
                .item(Map.of("pk", s("user#" + userId), "userId", s(userId), "createdAt", n(now),
                        "links", AttributeValue.fromSs(List.copyOf(linkKeys))))
                .conditionExpression("attribute_not_exists(pk)")).build());
        for (IdentityKey key : login.all()) {
            writes.add(claim(key, userId, now));
        }
        int failedAt = write(writes, deadline);
        if (failedAt < 0) {
            Log.info("users.created", "userId", userId, "links", linkKeys.size());
            Metrics.directoryLinkCreated(1);
            return new Outcome(new DirectoryUser(userId, true, linkKeys.size(), null), false);
        }
        // The id exists already (a user deleted earlier: ids are never reused) or a link was claimed meanwhile.
        return failedAt == 0 ? new Outcome(null, preferred) : Outcome.LOST_RACE;
    }

    private Outcome extend(LoginIdentities login, Map<IdentityKey, String> owners, Deadline deadline) {
        String userId = ownerOf(login, owners);
        String conflicting = owners.values().stream().filter(owner -> !owner.equals(userId)).findFirst().orElse(null);
        if (conflicting != null) {
            // One login naming two existing users: theirs to sort out, not ours to merge. No link moves.
            Log.warn("users.conflict", "userId", userId, "otherUserId", conflicting);
        }
        List<IdentityKey> missing = login.all().stream().filter(key -> !owners.containsKey(key)).toList();
        if (missing.isEmpty()) {
            return new Outcome(new DirectoryUser(userId, false, 0, conflicting), false);
        }
        long now = clock.instant().getEpochSecond();
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key("user#" + userId))
                .updateExpression("ADD links :links")
                // Never a new link for a user whose deletion has begun or ended.
                .conditionExpression("attribute_exists(pk) AND attribute_not_exists(deleting) AND attribute_not_exists(deletedAt)")
                .expressionAttributeValues(Map.of(":links",
                        AttributeValue.fromSs(missing.stream().map(IdentityKey::pk).toList())))).build());
        for (IdentityKey key : missing) {
            writes.add(claim(key, userId, now));
        }
        if (write(writes, deadline) >= 0) {
            return Outcome.LOST_RACE;
        }
        Log.info("users.linked", "userId", userId, "links", missing.size());
        Metrics.directoryLinkCreated(1);
        return new Outcome(new DirectoryUser(userId, false, missing.size(), conflicting), false);
    }

    /** The authenticated identity's user, else the unionid's, else the smallest id (deterministic). */
    private static String ownerOf(LoginIdentities login, Map<IdentityKey, String> owners) {
        String own = owners.get(login.authenticated());
        if (own != null) {
            return own;
        }
        return owners.entrySet().stream().filter(e -> e.getKey().kind().equals(IdentityKey.UNIONID))
                .map(Map.Entry::getValue).findFirst()
                .orElseGet(() -> new TreeSet<>(owners.values()).first());
    }

    private TransactWriteItem claim(IdentityKey key, String userId, long now) {
        return TransactWriteItem.builder().put(p -> p.tableName(table)
                .item(Map.of("pk", s(key.pk()), "userId", s(userId), "createdAt", n(now)))
                // A link of a user being deleted is taken over; the deletion removes only links still its own.
                .conditionExpression("attribute_not_exists(pk) OR attribute_exists(deleting)")).build();
    }

    // ------------------------------------------------------------------ account deletion

    /**
     * Starts (or resumes) the deletion of a user: one transaction writes the deletion record and
     * marks the user and each of its links {@code deleting}, so every login from then on treats the
     * person as unknown and no login adds a link to the user.
     *
     * @return the record to finish; null when the user is already deleted or was never in the directory
     */
    public DeletionRecord beginDeletion(String userId, Deadline deadline) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> record = get(DELETION_PREFIX + userId, deadline);
            if (record != null) {
                return DeletionRecord.of(userId, strings(record.get("links")), true);
            }
            Map<String, AttributeValue> user = get("user#" + userId, deadline);
            if (user == null || user.containsKey("deletedAt")) {
                return null;
            }
            Set<String> links = strings(user.get("links"));
            long now = clock.instant().getEpochSecond();
            List<TransactWriteItem> writes = new ArrayList<>();
            Map<String, AttributeValue> item = new HashMap<>(Map.of("pk", s(DELETION_PREFIX + userId), "userId", s(userId),
                    "startedAt", n(now)));
            if (!links.isEmpty()) {
                item.put("links", AttributeValue.fromSs(List.copyOf(links)));
            }
            writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)")).build());
            // The links read are all there are: a login adding one meanwhile cancels this and we read again.
            writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key("user#" + userId))
                    .updateExpression("SET deleting = :now")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(deletedAt) AND "
                            + (links.isEmpty() ? "attribute_not_exists(links)" : "size(links) = :n"))
                    .expressionAttributeValues(links.isEmpty() ? Map.of(":now", n(now))
                            : Map.of(":now", n(now), ":n", n(links.size())))).build());
            for (String link : links) {
                writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(link))
                        .updateExpression("SET deleting = :now")
                        .conditionExpression("userId = :userId")
                        .expressionAttributeValues(Map.of(":now", n(now), ":userId", s(userId)))).build());
            }
            if (write(writes, deadline) < 0) {
                Log.info("users.deletion_started", "userId", userId, "links", links.size());
                return DeletionRecord.of(userId, links, false);
            }
        }
        throw new UserDirectoryUnavailableException("users table: deletion still contended after " + MAX_ATTEMPTS
                + " attempts", null);
    }

    /** Deletes the links the record names that still belong to its user (a login may have taken one over). */
    public void deleteLinks(DeletionRecord record, Deadline deadline) {
        for (String link : record.linkKeys()) {
            call(() -> {
                try {
                    return client.deleteItem(d -> d.tableName(table).key(key(link))
                            .conditionExpression("userId = :userId")
                            .expressionAttributeValues(Map.of(":userId", s(record.userId())))
                            .overrideConfiguration(timeouts(deadline)));
                } catch (ConditionalCheckFailedException e) {
                    return null; // gone already, or another user's now
                }
            });
        }
    }

    /** Ends the deletion: the user becomes a tombstone (its id is never reused) and the record goes, in one transaction. */
    public void finishDeletion(DeletionRecord record, Deadline deadline) {
        long now = clock.instant().getEpochSecond();
        List<TransactWriteItem> writes = List.of(
                TransactWriteItem.builder().update(u -> u.tableName(table).key(key("user#" + record.userId()))
                        .updateExpression("SET userId = :userId, deletedAt = :now REMOVE links, deleting, createdAt")
                        .expressionAttributeValues(Map.of(":userId", s(record.userId()), ":now", n(now)))).build(),
                TransactWriteItem.builder().delete(d -> d.tableName(table).key(key(DELETION_PREFIX + record.userId())))
                        .build());
        if (write(writes, deadline) >= 0) {
            throw new UserDirectoryUnavailableException("users table: the deletion's last write was cancelled", null);
        }
        Log.info("users.deleted", "userId", record.userId());
    }

    private Map<String, AttributeValue> get(String pk, Deadline deadline) {
        GetItemResponse answer = call(() -> client.getItem(g -> g.tableName(table).key(key(pk)).consistentRead(true)
                .overrideConfiguration(timeouts(deadline))));
        return answer.hasItem() && !answer.item().isEmpty() ? answer.item() : null;
    }

    private static Set<String> strings(AttributeValue value) {
        return value == null || !value.hasSs() ? Set.of() : new TreeSet<>(value.ss());
    }

    // ------------------------------------------------------------------ DynamoDB calls

    /** Who owns each of the login's identities (absent: nobody yet), read strongly consistent. */
    private Map<IdentityKey, String> owners(LoginIdentities login, Deadline deadline) {
        Map<String, IdentityKey> byPk = new LinkedHashMap<>();
        login.all().forEach(key -> byPk.put(key.pk(), key));
        List<Map<String, AttributeValue>> keys = byPk.keySet().stream().map(UserDirectory::key).toList();
        Map<IdentityKey, String> owners = new HashMap<>();
        Map<String, KeysAndAttributes> pending = Map.of(table,
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        for (int round = 0; round < MAX_ATTEMPTS && !pending.isEmpty(); round++) {
            Map<String, KeysAndAttributes> request = pending;
            BatchGetItemResponse answer = call(() -> client.batchGetItem(r -> r.requestItems(request)
                    .overrideConfiguration(timeouts(deadline))));
            for (Map<String, AttributeValue> item : answer.responses().getOrDefault(table, List.of())) {
                IdentityKey key = byPk.get(item.get("pk").s());
                AttributeValue owner = item.get("userId");
                // A link of a user being deleted: that person is unknown from now on.
                if (key != null && owner != null && owner.s() != null && !item.containsKey(DELETING)) {
                    owners.put(key, owner.s());
                }
            }
            pending = answer.hasUnprocessedKeys() ? answer.unprocessedKeys() : Map.of();
        }
        if (!pending.isEmpty()) {
            throw new UserDirectoryUnavailableException("users table: BatchGetItem left keys unprocessed (throttled)", null);
        }
        return owners;
    }

    /** Runs a transaction: -1 when it committed, else the index of the first item whose condition failed. */
    private int write(List<TransactWriteItem> writes, Deadline deadline) {
        try {
            call(() -> client.transactWriteItems(r -> r.transactItems(writes).overrideConfiguration(timeouts(deadline))));
            return -1;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
            for (int i = 0; i < reasons.size(); i++) {
                if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                    return i;
                }
            }
            boolean conflict = reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
            if (conflict) {
                return writes.size(); // another writer on the same items: re-read and try again
            }
            List<String> codes = reasons.stream().map(CancellationReason::code).toList();
            if (codes.contains("ValidationError")) {
                throw new ConfigurationException("users table: TransactWriteItems refused as invalid " + codes);
            }
            throw new UserDirectoryUnavailableException("users table: TransactWriteItems cancelled " + codes, e);
        }
    }

    private interface Call<T> {
        T run();
    }

    /**
     * Sorts failures through {@link AwsFailure}, the one sorting of SDK errors: the table missing,
     * our request refused or access denied is misconfiguration; anything else is "unavailable".
     * Messages name codes only: keys hold openids.
     */
    private <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (TransactionCanceledException e) {
            throw e;
        } catch (RuntimeException e) {
            AwsFailure failure = AwsFailure.of(e, MISCONFIGURATION_ERRORS, Metrics.Dependency.DYNAMODB);
            if (failure == null) {
                throw e;
            }
            if (failure.misconfigured()) {
                throw new ConfigurationException("users table '" + table + "' (USERS_TABLE): " + failure.what()
                        + ": is it there, keyed by the string pk, and may this function use it?");
            }
            String how = failure.throttled() ? "throttled" : failure.status() == 0 ? "unreachable or timed out" : "failed";
            throw new UserDirectoryUnavailableException("users table " + how + ": " + failure.what(), e);
        }
    }

    private static AwsRequestOverrideConfiguration timeouts(Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, CALL_CAP_MILLIS, ATTEMPT_CAP_MILLIS,
                MIN_CALL_MILLIS);
        if (timeouts == null) {
            throw new UserDirectoryUnavailableException("users table: no time left for a call", null);
        }
        return timeouts;
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", s(pk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
