package wxlogin.session;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import wxlogin.aws.AwsClients;
import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.token.SigningKey;
import wxlogin.token.SigningKeys;

/**
 * Lasting sessions: refresh-token families with rotation and reuse detection (OAuth 2.0 Security
 * BCP, section 4.14). Each login starts a family; each refresh replaces the family's current
 * token with its successor, derived from it with a server-side key ({@link RefreshTokens#successor}).
 * A replaced token presented again within the reuse interval, while its successor is still
 * unused, is a client retrying (a lost answer, two pages at once): it gets that same successor.
 * Later, or once the successor was used, it is the theft signal: the whole family is revoked and
 * the caller gets 401. A family ends at the latest {@code MAX_SESSION_AGE_SECONDS} after the login
 * that started it. Logout revokes the family, or every family of the user.
 */
public final class RefreshSessions {

    static final long DEFAULT_LIFETIME_SECONDS = 30L * 24 * 3600;
    static final long DEFAULT_REUSE_INTERVAL_SECONDS = 10;
    static final long DEFAULT_MAX_AGE_SECONDS = 90L * 24 * 3600;
    /** No maximum age (login's wiring): far beyond any lifetime, far from overflowing when added to a time. */
    static final long UNLIMITED_AGE_SECONDS = 1L << 40;
    /** A rotation lost to a concurrent one is retried (re-read, decide again) at most this often. */
    static final int MAX_ATTEMPTS = 5;
    /** Retry-After for a transient store failure: short, well inside the reuse interval. */
    static final int RETRY_AFTER_SECONDS = 1;

    static final String REJECTED_MESSAGE =
            "The refresh token is not valid (unknown, expired, revoked or already used). Log in again.";
    static final String TOO_OLD_MESSAGE =
            "This session has reached its maximum age. Log in again.";
    static final String EVERYWHERE_REJECTED_MESSAGE =
            "The refresh token is not valid (unknown, expired or revoked), so it cannot sign out other devices. "
                    + "Log in again, then sign out everywhere.";
    static final String UNAVAILABLE_MESSAGE =
            "The session service is temporarily unavailable. Retry in a second with the same refresh token.";
    public static final String MISCONFIGURED_MESSAGE =
            "The session service is misconfigured. Please try again later; the operator has the details.";

    private final SessionStore store;
    private final RefreshTokens tokens;
    private final long lifetimeSeconds;
    private final long reuseIntervalSeconds;
    private final long maxAgeSeconds;
    private final Clock clock;

    public RefreshSessions(SessionStore store, RefreshTokens tokens, long lifetimeSeconds, long reuseIntervalSeconds,
                           Clock clock) {
        this(store, tokens, lifetimeSeconds, reuseIntervalSeconds, DEFAULT_MAX_AGE_SECONDS, clock);
    }

    public RefreshSessions(SessionStore store, RefreshTokens tokens, long lifetimeSeconds, long reuseIntervalSeconds,
                           long maxAgeSeconds, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.lifetimeSeconds = lifetimeSeconds;
        this.reuseIntervalSeconds = reuseIntervalSeconds;
        this.maxAgeSeconds = maxAgeSeconds;
        this.clock = clock;
    }

    /** SessionFunction's wiring: {@code SESSIONS_TABLE} is required. */
    public static RefreshSessions fromEnvironment(Env env, Clock clock) {
        return new RefreshSessions(DynamoDbSessionStore.fromEnvironment(env, env.required("SESSIONS_TABLE")),
                new RefreshTokens(), lifetime(env),
                env.number("REFRESH_REUSE_INTERVAL_SECONDS", DEFAULT_REUSE_INTERVAL_SECONDS, 0, 300), maxAge(env), clock);
    }

    /**
     * CodeExchangeFunction's wiring: null without {@code SESSIONS_TABLE}. The same store as the
     * session function's; a login only starts families (one write). The maximum session age is the
     * session function's to enforce: a login's first token lives {@code REFRESH_TTL_SECONDS}.
     */
    public static RefreshSessions forLoginOrNull(Env env, Clock clock) {
        return forLoginOrNull(env, clock, AwsClients.lambdaCredentials());
    }

    /** The same with the AWS credentials the login's Secrets Manager client uses (one fetch per cold start). */
    public static RefreshSessions forLoginOrNull(Env env, Clock clock, AwsCredentialsProvider credentials) {
        String table = env.optional("SESSIONS_TABLE", null);
        if (table == null) {
            return null;
        }
        return new RefreshSessions(DynamoDbSessionStore.fromEnvironment(env, table, credentials), new RefreshTokens(),
                lifetime(env), DEFAULT_REUSE_INTERVAL_SECONDS, UNLIMITED_AGE_SECONDS, clock);
    }

    private static long maxAge(Env env) {
        return env.number("MAX_SESSION_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS, 300, 366L * 24 * 3600);
    }

    private static long lifetime(Env env) {
        return env.number("REFRESH_TTL_SECONDS", DEFAULT_LIFETIME_SECONDS, 300, 366L * 24 * 3600);
    }

    public long lifetimeSeconds() {
        return lifetimeSeconds;
    }

    /** The store, for tests. */
    SessionStore store() {
        return store;
    }

    /** After a SnapStart restore: the next token seeds a fresh random generator. */
    public void refreshAfterRestore() {
        tokens.forgetRandomness();
    }

    // ------------------------------------------------------------------ login

    /** Starts a family for a fresh login and returns its first refresh token. */
    public Issued start(SessionIdentity identity, Deadline deadline) {
        long now = now();
        String token = tokens.newToken();
        String hash = RefreshTokens.hash(token);
        String familyId = tokens.newFamilyId();
        long expiresAt = now + Math.min(lifetimeSeconds, maxAgeSeconds);
        try {
            store.create(new TokenFamily(familyId, hash, identity.userId(), now, expiresAt, null),
                    new StoredToken(hash, familyId, identity, now, expiresAt, null), deadline);
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
        Log.info("session.started", "familyId", familyId, "userId", identity.userId());
        return new Issued(token, expiresAt - now);
    }

    /**
     * For {@code /login}: a refresh token, or null when the store failed. The login code is spent
     * by then, so the login still succeeds (access token only); the failure is logged.
     */
    public Issued startOrNull(SessionIdentity identity, Deadline deadline) {
        try {
            return start(identity, deadline);
        } catch (ApiException e) {
            Log.error("login.refresh_token_not_issued", "status", e.status(), "cause", e.getMessage(),
                    "userId", identity.userId());
        } catch (RuntimeException e) {
            // Only the type: an unexpected message could carry anything.
            Log.error("login.refresh_token_not_issued", "type", e.getClass().getName(), "userId", identity.userId());
        }
        return null;
    }

    // ------------------------------------------------------------------ refresh

    /**
     * Rotates the presented token: the identity it carries, the family's successor token and when
     * the family's login happened. {@code keys} derive successors: the first key makes new ones,
     * every listed key recognises a successor made before a key rotation.
     *
     * @throws ApiException 401 unknown, expired, revoked, too old or reused (then the family is revoked);
     *                      503 store unavailable, throttled or too busy (nothing was issued); 500 misconfiguration
     */
    public Rotated rotate(String presented, SigningKeys keys, Deadline deadline) {
        String hash = RefreshTokens.hash(presented);
        try {
            for (int attempt = 1; ; attempt++) {
                long now = now();
                StoredToken token = store.findToken(hash, deadline);
                if (token == null) {
                    throw rejected("unknown token");
                }
                if (token.expiredAt(now)) {
                    throw rejected("expired token, family " + token.familyId());
                }
                TokenFamily family = store.findFamily(token.familyId(), deadline);
                if (family == null) {
                    throw rejected("family " + token.familyId() + " is gone");
                }
                if (family.revoked()) {
                    throw rejected("family " + token.familyId() + " is revoked");
                }
                long endOfLife = family.createdAt() + maxAgeSeconds;
                if (now >= endOfLife) {
                    Metrics.revocation(Metrics.RevocationReason.MAX_AGE, 1);
                    throw new ApiException(401, ErrorCodes.REFRESH_TOKEN_REJECTED, TOO_OLD_MESSAGE,
                            "family " + family.familyId() + " is older than MAX_SESSION_AGE_SECONDS");
                }
                if (!RefreshTokens.sameHash(family.currentHash(), hash)) {
                    String successor = unusedSuccessor(presented, keys, family);
                    if (successor != null && withinReuseInterval(token, now)) {
                        Log.info("session.refresh_repeated", "familyId", family.familyId(), "userId", family.userId());
                        Metrics.refresh(Metrics.RefreshOutcome.REPEATED);
                        return new Rotated(token.identity(), new Issued(successor, family.expiresAt() - now),
                                family.createdAt());
                    }
                    if (successor == null && token.rotatedAt() == null && attempt < MAX_ATTEMPTS) {
                        // The token was read just before a concurrent rotation committed (which marks it
                        // rotated in the same transaction): read both again rather than cry theft.
                        continue;
                    }
                    store.revoke(family.familyId(), now, "reuse", deadline);
                    Log.warn("session.reuse_detected", "familyId", family.familyId(), "userId", family.userId(),
                            "rotatedSecondsAgo", token.rotatedAt() == null ? "unknown" : now - token.rotatedAt(),
                            "successorUsed", successor == null);
                    Metrics.reuseDetected();
                    Metrics.revocation(Metrics.RevocationReason.REUSE, 1);
                    throw rejected("replaced token used again after the reuse interval or after its successor; family "
                            + family.familyId() + " revoked");
                }
                String nextToken = RefreshTokens.successor(presented, keys.signingKey().secret());
                long expiresAt = Math.min(now + lifetimeSeconds, endOfLife);
                StoredToken next = new StoredToken(RefreshTokens.hash(nextToken), family.familyId(), token.identity(),
                        now, expiresAt, null);
                if (store.rotate(family, token, next, now, deadline)) {
                    Log.info("session.refreshed", "familyId", family.familyId(), "userId", family.userId());
                    Metrics.refresh(Metrics.RefreshOutcome.OK);
                    return new Rotated(token.identity(), new Issued(nextToken, expiresAt - now), family.createdAt());
                }
                // A concurrent rotation (or revocation) won: read again and decide again (its successor is ours too).
                long pause = ThreadLocalRandom.current().nextLong(5, 30);
                if (attempt >= MAX_ATTEMPTS || !deadline.allows(pause + 200)) {
                    throw new ApiException(503, ErrorCodes.SESSION_STORE_UNAVAILABLE,
                            "This session is being refreshed by several requests at once. "
                                    + "Retry in a second with the same refresh token.",
                            RETRY_AFTER_SECONDS, "rotation of family " + family.familyId() + " lost to concurrent ones "
                                    + attempt + " times", null);
                }
                pause(pause);
            }
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
    }

    /** The presented token's successor if it is the family's current token (issued, not yet used), else null. */
    private static String unusedSuccessor(String presented, SigningKeys keys, TokenFamily family) {
        for (SigningKey key : keys.all()) {
            String successor = RefreshTokens.successor(presented, key.secret());
            if (RefreshTokens.sameHash(RefreshTokens.hash(successor), family.currentHash())) {
                return successor;
            }
        }
        return null;
    }

    private boolean withinReuseInterval(StoredToken token, long now) {
        // Whole seconds: "within 10 s" holds for 10 to 11 s of real time. 0 disables the grace.
        // Not yet marked rotated: the rotation that made its successor current committed after we read it.
        return reuseIntervalSeconds > 0 && (token.rotatedAt() == null || now - token.rotatedAt() <= reuseIntervalSeconds);
    }

    // ------------------------------------------------------------------ logout

    /**
     * Revokes the family of the presented token (current or replaced). Like RFC 7009, a token that
     * is unknown or expired is not an error: there is nothing left to revoke.
     */
    public void revoke(String presented, Deadline deadline) {
        String hash = RefreshTokens.hash(presented);
        try {
            long now = now();
            StoredToken token = store.findToken(hash, deadline);
            if (token == null || token.expiredAt(now)) {
                Log.info("session.logout_nothing_to_revoke", "known", token != null);
                return;
            }
            store.revoke(token.familyId(), now, "logout", deadline);
            Log.info("session.logged_out", "familyId", token.familyId(), "userId", token.identity().userId());
            Metrics.revocation(Metrics.RevocationReason.LOGOUT, 1);
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
    }

    /**
     * Revokes every family of the presented token's user (every device). The token must still
     * stand for a session (known, unexpired, family not revoked): anyone else gets 401. Idempotent;
     * a failure part-way is a 503 and a repeat finishes the job.
     */
    public int revokeEverywhere(String presented, Deadline deadline) {
        String hash = RefreshTokens.hash(presented);
        try {
            long now = now();
            StoredToken token = store.findToken(hash, deadline);
            TokenFamily family = token == null || token.expiredAt(now) ? null
                    : store.findFamily(token.familyId(), deadline);
            if (family == null || family.revoked()) {
                throw new ApiException(401, ErrorCodes.REFRESH_TOKEN_REJECTED, EVERYWHERE_REJECTED_MESSAGE,
                        token == null ? "logout everywhere with an unknown token"
                                : "logout everywhere with a token of an expired, gone or revoked family");
            }
            int revoked = revokeFamilies(family.userId(), family.familyId(), "logout-everywhere", now, deadline);
            Log.info("session.logged_out_everywhere", "userId", family.userId(), "families", revoked);
            Metrics.revocation(Metrics.RevocationReason.EVERYWHERE, revoked);
            return revoked;
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
    }

    /**
     * Revokes every family of a user the index lists (for account deletion: call it again before
     * the job ends, the index may lag a just-started family by a moment). Idempotent.
     *
     * @return how many families were revoked (or were already)
     */
    public int revokeAllOf(String userId, String reason, Deadline deadline) {
        try {
            return revokeFamilies(userId, null, reason, now(), deadline);
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
    }

    /** Every family of the user, {@code last} (which may predate the index) after all the others. */
    private int revokeFamilies(String userId, String last, String reason, long now, Deadline deadline) {
        Set<String> familyIds = new LinkedHashSet<>(store.familiesOf(userId, deadline));
        if (last != null) {
            // If a call fails part-way, the presented token still stands for a session and a repeat finishes the job.
            familyIds.remove(last);
            familyIds.add(last);
        }
        for (String familyId : familyIds) {
            store.revoke(familyId, now, reason, deadline);
        }
        return familyIds.size();
    }

    // ------------------------------------------------------------------ helpers

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private static ApiException rejected(String cause) {
        return new ApiException(401, ErrorCodes.REFRESH_TOKEN_REJECTED, REJECTED_MESSAGE, cause);
    }

    private static ApiException unavailable(SessionStoreUnavailableException e) {
        return new ApiException(503, ErrorCodes.SESSION_STORE_UNAVAILABLE, UNAVAILABLE_MESSAGE, RETRY_AFTER_SECONDS,
                "session store " + (e.throttled() ? "throttled: " : "unavailable: ") + e.getMessage(), null);
    }

    private static ApiException misconfigured(ConfigurationException e) {
        return new ApiException(500, ErrorCodes.MISCONFIGURED, MISCONFIGURED_MESSAGE, e.getMessage());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A refresh token as the client receives it. {@link #toString()} hides the token. */
    public record Issued(String token, long expiresIn) {
        @Override
        public String toString() {
            return "Issued[expiresIn=" + expiresIn + "]";
        }
    }

    /**
     * What a rotation yields: who the family belongs to, its new token, and when the login that
     * started the family happened (epoch seconds: the access token's {@code auth_time}).
     */
    public record Rotated(SessionIdentity identity, Issued refresh, long authTime) {
    }
}
