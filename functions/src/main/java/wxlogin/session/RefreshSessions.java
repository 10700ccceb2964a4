package wxlogin.session;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import wxlogin.aws.AwsClients;
import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Log;

/**
 * Lasting sessions: refresh-token families with rotation and reuse detection (OAuth 2.0 Security
 * BCP, section 4.14). Each login starts a family; each refresh replaces the family's current
 * token with a new one. A replaced token presented again within the reuse interval is a client
 * retrying after a lost answer and is rotated again; after that interval it is the theft signal:
 * the whole family is revoked and the caller gets 401. Logout revokes the family.
 */
public final class RefreshSessions {

    static final long DEFAULT_LIFETIME_SECONDS = 30L * 24 * 3600;
    static final long DEFAULT_REUSE_INTERVAL_SECONDS = 10;
    /** A rotation lost to a concurrent one is retried (re-read, decide again) at most this often. */
    static final int MAX_ATTEMPTS = 5;
    /** Retry-After for a transient store failure: short, well inside the reuse interval. */
    static final int RETRY_AFTER_SECONDS = 1;

    static final String REJECTED_MESSAGE =
            "The refresh token is not valid (unknown, expired, revoked or already used). Log in again.";
    static final String UNAVAILABLE_MESSAGE =
            "The session service is temporarily unavailable. Retry in a second with the same refresh token.";
    public static final String MISCONFIGURED_MESSAGE =
            "The session service is misconfigured. Please try again later; the operator has the details.";

    private final SessionStore store;
    private final RefreshTokens tokens;
    private final long lifetimeSeconds;
    private final long reuseIntervalSeconds;
    private final Clock clock;

    public RefreshSessions(SessionStore store, RefreshTokens tokens, long lifetimeSeconds, long reuseIntervalSeconds,
                           Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.lifetimeSeconds = lifetimeSeconds;
        this.reuseIntervalSeconds = reuseIntervalSeconds;
        this.clock = clock;
    }

    /** SessionFunction's wiring: {@code SESSIONS_TABLE} is required. */
    public static RefreshSessions fromEnvironment(Env env, Clock clock) {
        return new RefreshSessions(DynamoDbSessionStore.fromEnvironment(env, env.required("SESSIONS_TABLE")),
                new RefreshTokens(), lifetime(env),
                env.number("REFRESH_REUSE_INTERVAL_SECONDS", DEFAULT_REUSE_INTERVAL_SECONDS, 0, 300), clock);
    }

    /**
     * CodeExchangeFunction's wiring: null without {@code SESSIONS_TABLE}. The same store as the
     * session function's; a login only starts families (one write).
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
                lifetime(env), DEFAULT_REUSE_INTERVAL_SECONDS, clock);
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
        long expiresAt = now + lifetimeSeconds;
        try {
            store.create(new TokenFamily(familyId, hash, identity.userId(), now, expiresAt, null),
                    new StoredToken(hash, familyId, identity, now, expiresAt, null), deadline);
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
        Log.info("session.started", "familyId", familyId, "userId", identity.userId());
        return new Issued(token, lifetimeSeconds);
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
     * Rotates the presented token: the identity it carries and the family's new token.
     *
     * @throws ApiException 401 unknown, expired, revoked or reused (then the family is revoked);
     *                      503 store unavailable, throttled or too busy (nothing was issued); 500 misconfiguration
     */
    public Rotated rotate(String presented, Deadline deadline) {
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
                boolean current = RefreshTokens.sameHash(family.currentHash(), hash);
                if (!current && token.rotatedAt() == null && attempt < MAX_ATTEMPTS) {
                    // The token was read just before a concurrent rotation committed (which marks it
                    // rotated in the same transaction): read both again rather than cry theft.
                    continue;
                }
                if (!current && !withinReuseInterval(token, now)) {
                    store.revoke(family.familyId(), now, "reuse", deadline);
                    Log.warn("session.reuse_detected", "familyId", family.familyId(), "userId", family.userId(),
                            "rotatedSecondsAgo", token.rotatedAt() == null ? "unknown" : now - token.rotatedAt());
                    throw rejected("replaced token used again after the reuse interval; family "
                            + family.familyId() + " revoked");
                }
                String nextToken = tokens.newToken();
                StoredToken next = new StoredToken(RefreshTokens.hash(nextToken), family.familyId(), token.identity(),
                        now, now + lifetimeSeconds, null);
                if (store.rotate(family, token, next, now, deadline)) {
                    Log.info("session.refreshed", "familyId", family.familyId(), "userId", family.userId(),
                            "retried", !current);
                    return new Rotated(token.identity(), new Issued(nextToken, lifetimeSeconds));
                }
                // A concurrent rotation (or revocation) won: read again and decide again.
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

    private boolean withinReuseInterval(StoredToken token, long now) {
        // Whole seconds: "within 10 s" holds for 10 to 11 s of real time. 0 disables the grace.
        return reuseIntervalSeconds > 0 && token.rotatedAt() != null && now - token.rotatedAt() <= reuseIntervalSeconds;
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
        } catch (SessionStoreUnavailableException e) {
            throw unavailable(e);
        } catch (ConfigurationException e) {
            throw misconfigured(e);
        }
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

    /** What a rotation yields: who the family belongs to and its new token. */
    public record Rotated(SessionIdentity identity, Issued refresh) {
    }
}
