package wxlogin.common;

import java.time.Clock;

/**
 * The time an invocation may still spend on outbound calls: the Lambda's remaining time minus
 * a reserve for answering, capped below API Gateway's 30 s integration limit.
 */
public final class Deadline {

    /** Kept back to serialise and return the answer. */
    static final long RESERVE_MILLIS = 500;
    /** API Gateway gives up after 30 s; stop well before so the app gets our answer, not its 503. */
    static final long API_GATEWAY_BUDGET_MILLIS = 25_000;

    private final Clock clock;
    private final long endMillis;

    private Deadline(Clock clock, long endMillis) {
        this.clock = clock;
        this.endMillis = endMillis;
    }

    public static Deadline fromRemaining(long lambdaRemainingMillis, Clock clock) {
        long budget = Math.min(lambdaRemainingMillis - RESERVE_MILLIS, API_GATEWAY_BUDGET_MILLIS);
        return new Deadline(clock, clock.millis() + Math.max(0, budget));
    }

    public static Deadline in(long millis, Clock clock) {
        return new Deadline(clock, clock.millis() + millis);
    }

    public long remainingMillis() {
        return Math.max(0, endMillis - clock.millis());
    }

    /** A timeout for one step: at most {@code cap}, never past the deadline. */
    public int timeoutMillis(long cap) {
        return (int) Math.min(cap, remainingMillis());
    }

    public boolean allows(long millis) {
        return remainingMillis() >= millis;
    }
}
