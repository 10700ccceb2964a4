// Test helper (no tests): a SessionStore in maps, with DynamoDB's conditional semantics and injectable failures.
package wxlogin.session;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;

/**
 * Keeps what {@link DynamoDbSessionStore} keeps, under one lock so each write is atomic like a
 * DynamoDB transaction. {@link #failWith} makes every later call fail (store down, throttled,
 * misconfigured); {@link #loseNextRotations} makes rotations lose to an imaginary concurrent one.
 */
public final class InMemorySessionStore implements SessionStore {

    public final Map<String, StoredToken> tokens = new ConcurrentHashMap<>();
    public final Map<String, TokenFamily> families = new ConcurrentHashMap<>();
    public final Map<String, String> revokedReasons = new ConcurrentHashMap<>();
    public final AtomicInteger calls = new AtomicInteger();
    private volatile RuntimeException failure;
    private final AtomicInteger rotationsToLose = new AtomicInteger();

    public static InMemorySessionStore create() {
        return new InMemorySessionStore();
    }

    public InMemorySessionStore failWith(RuntimeException failure) {
        this.failure = failure;
        return this;
    }

    public static RuntimeException unavailable() {
        return new SessionStoreUnavailableException("test: store down", false, null);
    }

    public static RuntimeException throttled() {
        return new SessionStoreUnavailableException("test: throttled", true, null);
    }

    public static RuntimeException misconfigured() {
        return new ConfigurationException("test: no such table");
    }

    /** The next {@code calls} calls succeed, every later one fails as the store being down. */
    public void failAfter(int calls) {
        callsBeforeFailure.set(calls);
    }

    private final AtomicInteger callsBeforeFailure = new AtomicInteger(-1);

    public void loseNextRotations(int count) {
        rotationsToLose.set(count);
    }

    private void enter() {
        calls.incrementAndGet();
        if (callsBeforeFailure.get() >= 0 && callsBeforeFailure.getAndDecrement() == 0) {
            failure = unavailable();
        }
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    @Override
    public synchronized StoredToken findToken(String hash, Deadline deadline) {
        enter();
        return tokens.get(hash);
    }

    /** Runs once, inside the next findFamily, before it reads: a concurrent request's write lands there. */
    public void beforeNextFindFamily(Runnable action) {
        this.beforeFindFamily = action;
    }

    private volatile Runnable beforeFindFamily;

    @Override
    public synchronized TokenFamily findFamily(String familyId, Deadline deadline) {
        enter();
        Runnable action = beforeFindFamily;
        beforeFindFamily = null;
        if (action != null) {
            action.run();
        }
        return families.get(familyId);
    }

    @Override
    public synchronized List<String> familiesOf(String userId, Deadline deadline) {
        enter();
        return families.values().stream().filter(f -> f.userId().equals(userId)).map(TokenFamily::familyId).toList();
    }

    @Override
    public synchronized void create(TokenFamily family, StoredToken first, Deadline deadline) {
        enter();
        if (families.containsKey(family.familyId()) || tokens.containsKey(first.hash())) {
            throw new IllegalStateException("duplicate");
        }
        families.put(family.familyId(), family);
        tokens.put(first.hash(), first);
    }

    @Override
    public synchronized boolean rotate(TokenFamily family, StoredToken presented, StoredToken next, long now,
                                       Deadline deadline) {
        enter();
        if (rotationsToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return false;
        }
        TokenFamily stored = families.get(family.familyId());
        if (stored == null || stored.revoked() || !stored.currentHash().equals(family.currentHash())
                || tokens.containsKey(next.hash()) || !tokens.containsKey(presented.hash())) {
            return false;
        }
        families.put(family.familyId(), new TokenFamily(stored.familyId(), next.hash(), stored.userId(),
                stored.createdAt(), next.expiresAt(), null));
        tokens.put(next.hash(), next);
        markRotated(presented.hash(), now);
        return true;
    }

    private void markRotated(String hash, long now) {
        StoredToken t = tokens.get(hash);
        if (t.rotatedAt() == null) {
            tokens.put(hash, new StoredToken(t.hash(), t.familyId(), t.identity(), t.issuedAt(), t.expiresAt(), now));
        }
    }

    @Override
    public synchronized void revoke(String familyId, long now, String reason, Deadline deadline) {
        enter();
        TokenFamily f = families.get(familyId);
        if (f != null && !f.revoked()) {
            families.put(familyId, new TokenFamily(f.familyId(), f.currentHash(), f.userId(), f.createdAt(),
                    f.expiresAt(), now));
            revokedReasons.put(familyId, reason);
        }
    }
}
