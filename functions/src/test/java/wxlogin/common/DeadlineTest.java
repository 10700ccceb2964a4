// Unit: the invocation's time budget on an injected clock - what every outbound call's timeout is cut from (no sockets, no sleeping).
package wxlogin.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import wxlogin.testing.MutableClock;

class DeadlineTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void theBudgetIsTheLambdasRemainingTimeLessTheReserveForAnswering() {
        Deadline deadline = Deadline.fromRemaining(1_500, clock);

        assertThat(deadline.remainingMillis()).isEqualTo(1_500 - Deadline.RESERVE_MILLIS);
        assertThat(deadline.timeoutMillis(8_000)).as("a step's timeout never outlasts the invocation").isEqualTo(1_000);
        assertThat(deadline.timeoutMillis(300)).as("nor its own cap").isEqualTo(300);
    }

    @Test
    void theBudgetStopsShortOfApiGatewaysIntegrationLimit() {
        assertThat(Deadline.fromRemaining(900_000, clock).remainingMillis()).isEqualTo(Deadline.API_GATEWAY_BUDGET_MILLIS);
    }

    @Test
    void lessThanTheReserveLeavesNothingToSpend() {
        Deadline deadline = Deadline.fromRemaining(200, clock);

        assertThat(deadline.remainingMillis()).isZero();
        assertThat(deadline.timeoutMillis(8_000)).isZero();
        assertThat(deadline.allows(1)).isFalse();
    }

    @Test
    void timeSpentOnEarlierStepsShrinksEveryLaterTimeout() {
        Deadline deadline = Deadline.fromRemaining(3_500, clock);
        assertThat(deadline.timeoutMillis(8_000)).isEqualTo(3_000);

        clock.advance(Duration.ofMillis(2_200));
        assertThat(deadline.timeoutMillis(8_000)).isEqualTo(800);
        assertThat(deadline.allows(800)).isTrue();
        assertThat(deadline.allows(801)).isFalse();

        clock.advance(Duration.ofSeconds(5));
        assertThat(deadline.remainingMillis()).as("past the end: zero, never negative").isZero();
    }

    @Test
    void aFixedBudgetCountsFromNow() {
        Deadline deadline = Deadline.in(700, clock);
        clock.advance(Duration.ofMillis(650));

        assertThat(deadline.timeoutMillis(6_000)).isEqualTo(50);
    }
}
