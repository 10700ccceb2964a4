package wxlogin.secrets;

// Unit: the per-instance secret cache (TTL, grace while Secrets Manager is down, rate-limited forced re-reads).

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.testing.MutableClock;

class CachedSecretTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicReference<String> stored = new AtomicReference<>("v1");
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicInteger calls = new AtomicInteger();

    private final SecretSource source = id -> {
        calls.incrementAndGet();
        if (failure.get() != null) {
            throw failure.get();
        }
        return stored.get();
    };

    private final CachedSecret<String> secret = new CachedSecret<>(source, "id", value -> {
        if (value.startsWith("bad")) {
            throw new ConfigurationException("malformed");
        }
        return value;
    }, Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(10), clock);

    @Test
    void servesFromCacheWithinTheTtlAndRereadsAfter() {
        assertThat(secret.get()).isEqualTo("v1");
        stored.set("v2");
        clock.advance(Duration.ofMinutes(4));
        assertThat(secret.get()).isEqualTo("v1");
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(secret.get()).isEqualTo("v2");
        assertThat(calls).hasValue(2);
    }

    @Test
    void keepsServingTheCachedValueWhileTheServiceIsDownWithinGrace() {
        secret.get();
        failure.set(new SecretUnavailableException("down", null));
        clock.advance(Duration.ofMinutes(30));
        assertThat(secret.get()).isEqualTo("v1");
        // Backs off instead of asking on every call.
        int afterFirstFailure = calls.get();
        secret.get();
        secret.get();
        assertThat(calls).hasValue(afterFirstFailure);
        clock.advance(Duration.ofMinutes(40));
        assertThatThrownBy(secret::get).isInstanceOf(SecretUnavailableException.class);
    }

    @Test
    void failsWhenNothingIsCached() {
        failure.set(new SecretUnavailableException("down", null));
        assertThatThrownBy(secret::get).isInstanceOf(SecretUnavailableException.class);
        failure.set(null);
        stored.set("bad-json");
        assertThatThrownBy(secret::get).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aMalformedNewValueDoesNotReplaceAGoodOne() {
        secret.get();
        stored.set("bad-json");
        clock.advance(Duration.ofMinutes(6));
        assertThat(secret.get()).isEqualTo("v1");
    }

    @Test
    void forcedRereadsAreRateLimited() {
        secret.get();
        stored.set("v2");
        assertThat(secret.refreshNow(Deadline.in(5_000, clock))).isEqualTo("v2");
        stored.set("v3");
        assertThat(secret.refreshNow(Deadline.in(5_000, clock))).isEqualTo("v2");
        assertThat(calls).hasValue(2);
        clock.advance(Duration.ofSeconds(11));
        assertThat(secret.refreshNow(Deadline.in(5_000, clock))).isEqualTo("v3");
    }

    @Test
    void expireForcesTheNextReadButKeepsTheValueForGrace() {
        secret.get();
        secret.expire();
        stored.set("v2");
        assertThat(secret.get()).isEqualTo("v2");
        secret.expire();
        failure.set(new SecretUnavailableException("down", null));
        assertThat(secret.get()).isEqualTo("v2");
    }

    @Test
    void aTtlRereadWithAValueCachedWaitsAtMostTheStaleCapAndAFirstReadTheWholeDeadline() {
        // Outage drill (issue 19): a hanging Secrets Manager spent a warm login's whole budget on a re-read.
        DeadlineRecordingSource timed = new DeadlineRecordingSource();
        AtomicReference<Long> given = timed.given;
        CachedSecret<String> cached = new CachedSecret<>(timed, "id", value -> value, Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofSeconds(10), clock);

        cached.get(Deadline.in(9_000, clock));
        assertThat(given.get()).as("nothing cached: the invocation's deadline").isEqualTo(9_000L);

        clock.advance(Duration.ofMinutes(6));
        cached.get(Deadline.in(9_000, clock));
        assertThat(given.get()).as("cached: the stale cap").isEqualTo(CachedSecret.STALE_REREAD_CAP_MILLIS);

        clock.advance(Duration.ofMinutes(6));
        cached.get(Deadline.in(300, clock));
        assertThat(given.get()).as("never past the deadline").isEqualTo(300L);
    }

    @Test
    void aForcedRereadStaysInsideTheInvocationsDeadlineAndFallsBackToTheCachedValue() {
        // Issue 19: refreshNow() had no deadline; a hanging Secrets Manager then held the gate or a
        // login for the source's own 6 s cap, whatever time the invocation had left.
        DeadlineRecordingSource timed = new DeadlineRecordingSource();
        AtomicReference<Long> given = timed.given;
        AtomicReference<String> answer = timed.answer;
        CachedSecret<String> cached = new CachedSecret<>(timed, "id", value -> value, Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofSeconds(10), clock);

        assertThat(cached.refreshNow(Deadline.in(700, clock))).isEqualTo("v1");
        assertThat(given.get()).as("nothing cached: the deadline bounds the read").isEqualTo(700L);

        clock.advance(Duration.ofSeconds(11));
        answer.set(null);
        assertThat(cached.refreshNow(Deadline.in(2_500, clock))).as("the read failed: the cached value serves")
                .isEqualTo("v1");
        assertThat(given.get()).as("a forced re-read may use the time left, no more").isEqualTo(2_500L);

        given.set(null);
        assertThat(cached.refreshNow(Deadline.in(2_500, clock))).isEqualTo("v1");
        assertThat(given.get()).as("rate-limited: no read at all").isNull();

        CachedSecret<String> empty = new CachedSecret<>(timed, "id", value -> value, Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofSeconds(10), clock);
        assertThatThrownBy(() -> empty.refreshNow(Deadline.in(300, clock)))
                .isInstanceOf(SecretUnavailableException.class);
        assertThat(given.get()).isEqualTo(300L);
    }

    /** Records the time each read was given; answers {@link #answer}, or fails as unavailable when it is null. */
    private static final class DeadlineRecordingSource implements SecretSource {
        final AtomicReference<Long> given = new AtomicReference<>();
        final AtomicReference<String> answer = new AtomicReference<>("v1");

        @Override
        public String fetch(String secretId) {
            throw new AssertionError("a read inside an invocation passes its deadline");
        }

        @Override
        public String fetch(String secretId, Deadline deadline) {
            given.set(deadline.remainingMillis());
            if (answer.get() == null) {
                throw new SecretUnavailableException("timed out after " + deadline.remainingMillis() + " ms", null);
            }
            return answer.get();
        }
    }
}
