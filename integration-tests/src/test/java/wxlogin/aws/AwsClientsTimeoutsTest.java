// Unit (SDK types, so out of functions/'s quick run): the timeouts every SDK call gets are cut from the invocation's deadline on an injected clock - the behaviour behind SecretsManagerSourceTest's and DynamoDbSessionStoreTest's real slow-answer cases.
package wxlogin.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import wxlogin.common.Deadline;
import wxlogin.testing.MutableClock;

class AwsClientsTimeoutsTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void withTimeEnoughTheCapsApply() {
        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(Deadline.in(20_000, clock), 4_000, 1_500, 50);

        assertThat(timeouts.apiCallTimeout()).hasValue(Duration.ofMillis(4_000));
        assertThat(timeouts.apiCallAttemptTimeout()).hasValue(Duration.ofMillis(1_500));
    }

    @Test
    void aDeadlineInsideTheCallsCapEndsTheCallAndLeavesTheAttemptsCapWhileItIsShorter() {
        Deadline deadline = Deadline.in(20_000, clock);
        clock.advance(Duration.ofMillis(18_000));

        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, 4_000, 1_500, 50);

        assertThat(timeouts.apiCallTimeout()).hasValue(Duration.ofMillis(2_000));
        assertThat(timeouts.apiCallAttemptTimeout()).hasValue(Duration.ofMillis(1_500));
    }

    @Test
    void nearTheDeadlineOneTimerEndsTheCall() {
        // Two timers due at the same moment: their order would decide whether the SDK starts a retry.
        for (long left : new long[] {1_500, 700}) {
            Deadline deadline = Deadline.in(20_000, clock);
            clock.advance(Duration.ofMillis(20_000 - left));

            AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, 4_000, 1_500, 50);

            assertThat(timeouts.apiCallTimeout()).as("%d ms left", left).hasValue(Duration.ofMillis(left));
            assertThat(timeouts.apiCallAttemptTimeout()).as("%d ms left", left).isEmpty();
        }
    }

    @Test
    void belowTheMinimumThereIsNoCall() {
        Deadline deadline = Deadline.in(1_000, clock);
        clock.advance(Duration.ofMillis(951));

        assertThat(AwsClients.timeouts(deadline, 4_000, 1_500, 50)).as("the caller does not call").isNull();
    }
}
