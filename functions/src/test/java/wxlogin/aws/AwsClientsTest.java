package wxlogin.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import wxlogin.common.Deadline;

class AwsClientsTest {

    private static final Clock STOPPED = Clock.fixed(Instant.parse("2026-12-07T18:00:00Z"), ZoneOffset.UTC);

    private static AwsRequestOverrideConfiguration timeoutsWithLeft(long millisLeft) {
        return AwsClients.timeouts(Deadline.in(millisLeft, STOPPED), 4_000, 1_500, 50);
    }

    @Test
    void withTimeToSpareTheCallAndEachAttemptHaveTheirCaps() {
        AwsRequestOverrideConfiguration timeouts = timeoutsWithLeft(10_000);

        assertThat(timeouts.apiCallTimeout()).contains(Duration.ofMillis(4_000));
        assertThat(timeouts.apiCallAttemptTimeout()).contains(Duration.ofMillis(1_500));
    }

    @Test
    void aDeadlineShorterThanTheCallsCapShortensTheCallButLeavesTheAttemptsCapWhileItIsShorter() {
        AwsRequestOverrideConfiguration timeouts = timeoutsWithLeft(2_000);

        assertThat(timeouts.apiCallTimeout()).contains(Duration.ofMillis(2_000));
        assertThat(timeouts.apiCallAttemptTimeout()).contains(Duration.ofMillis(1_500));
    }

    @Test
    void whenNoRetryFitsThereIsOneTimerOnly() {
        // Two timers due at the same moment race: if the attempt's wins, the SDK retries past the call's.
        for (long left : new long[] {1_500, 1_450, 200}) {
            AwsRequestOverrideConfiguration timeouts = timeoutsWithLeft(left);

            assertThat(timeouts.apiCallTimeout()).as("%d ms left", left).contains(Duration.ofMillis(left));
            assertThat(timeouts.apiCallAttemptTimeout()).as("%d ms left", left).isEqualTo(Optional.empty());
        }
    }

    @Test
    void tooLittleTimeLeftMeansNoCall() {
        assertThat(timeoutsWithLeft(49)).isNull();
    }
}
