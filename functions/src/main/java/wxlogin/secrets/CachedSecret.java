package wxlogin.secrets;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Log;

/**
 * One secret, parsed and cached per Lambda instance, so warm invocations make no call.
 * The value is re-read after {@code ttl} (rotation without a redeploy). When Secrets Manager
 * fails and a value is cached, the cached value keeps serving for {@code grace}; a value
 * that no longer parses is treated the same way, so a bad edit does not take logins down.
 */
public final class CachedSecret<T> {

    /** Secrets are re-read this often, so rotation needs no redeploy. */
    public static final Duration TTL = Duration.ofMinutes(5);
    /** How long a cached secret keeps serving while Secrets Manager is down. */
    public static final Duration GRACE = Duration.ofHours(1);
    /**
     * A forced re-read (WeChat rejected the app secret, a token names an unknown kid) happens at
     * most this often, so clients cannot make us hammer Secrets Manager.
     */
    public static final Duration FORCED_INTERVAL = Duration.ofSeconds(10);
    /**
     * A TTL re-read while a value is cached waits at most this long (and never past the deadline):
     * the cached value is as good as a late answer, and a hanging Secrets Manager must not spend a
     * warm invocation's time (the outage drill: a warm login or refresh then ran out of time).
     */
    static final long STALE_REREAD_CAP_MILLIS = 1_000;
    /** After a failed refresh, do not ask again for this long (no hammering a sick service). */
    static final Duration FAILURE_BACKOFF = Duration.ofSeconds(15);

    private final SecretSource source;
    private final String secretId;
    private final Function<String, T> parser;
    private final Duration ttl;
    private final Duration grace;
    private final Duration minForcedInterval;
    private final Clock clock;

    private T value;
    private long fetchedAt;
    private boolean stale;
    private long nextAttemptAt;
    private Long lastForcedAt;

    public CachedSecret(SecretSource source, String secretId, Function<String, T> parser,
                        Duration ttl, Duration grace, Duration minForcedInterval, Clock clock) {
        this.source = Objects.requireNonNull(source);
        this.secretId = Objects.requireNonNull(secretId);
        this.parser = Objects.requireNonNull(parser);
        this.ttl = ttl;
        this.grace = grace;
        this.minForcedInterval = minForcedInterval;
        this.clock = clock;
    }

    /** A secret cached with the project's policy: {@link #TTL}, {@link #GRACE}, {@link #FORCED_INTERVAL}. */
    public static <T> CachedSecret<T> of(SecretSource source, String secretId, Function<String, T> parser, Clock clock) {
        return new CachedSecret<>(source, secretId, parser, TTL, GRACE, FORCED_INTERVAL, clock);
    }

    /** The cached value, re-read when older than the TTL. */
    public T get() {
        return get(null);
    }

    /** The same, a re-read bounded by the invocation's deadline (null: the source's own cap). */
    public synchronized T get(Deadline deadline) {
        long now = clock.millis();
        if (value != null && !stale && now - fetchedAt < ttl.toMillis()) {
            return value;
        }
        if (value != null && now < nextAttemptAt) {
            return value;
        }
        if (value != null) {
            long cap = deadline == null ? STALE_REREAD_CAP_MILLIS
                    : Math.min(STALE_REREAD_CAP_MILLIS, deadline.remainingMillis());
            return load(now, Deadline.in(cap, clock));
        }
        return load(now, deadline);
    }

    /**
     * Re-reads now (e.g. WeChat rejected the app secret, or a token names an unknown key), at
     * most once per {@code minForcedInterval}; otherwise answers like {@link #get(Deadline)}. The
     * read stays inside {@code deadline}, the invocation's remaining time: a hanging Secrets Manager
     * must not keep the function past its Timeout (with a value cached, that value then serves).
     */
    public synchronized T refreshNow(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline");
        long now = clock.millis();
        if (value != null && lastForcedAt != null && now - lastForcedAt < minForcedInterval.toMillis()) {
            return get(deadline);
        }
        lastForcedAt = now;
        return load(now, deadline);
    }

    /** Marks the value stale (after a SnapStart restore) while keeping it for the grace period. */
    public synchronized void expire() {
        stale = true;
        nextAttemptAt = 0;
        lastForcedAt = null;
    }

    public String secretId() {
        return secretId;
    }

    private T load(long now, Deadline deadline) {
        try {
            T parsed = parser.apply(deadline == null ? source.fetch(secretId) : source.fetch(secretId, deadline));
            value = parsed;
            fetchedAt = now;
            stale = false;
            nextAttemptAt = 0;
            return parsed;
        } catch (SecretUnavailableException | ConfigurationException e) {
            if (value != null && now - fetchedAt < ttl.toMillis() + grace.toMillis()) {
                nextAttemptAt = now + FAILURE_BACKOFF.toMillis();
                Log.warn("secret.stale", "secret", secretId, "reason", e.getMessage());
                return value;
            }
            throw e;
        }
    }
}
