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
    void nearTheDeadlineBothTimeoutsEndWithIt() {
        Deadline deadline = Deadline.in(20_000, clock);
        clock.advance(Duration.ofMillis(19_300));

        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, 4_000, 1_500, 50);

        assertThat(timeouts.apiCallTimeout()).hasValue(Duration.ofMillis(700));
        assertThat(timeouts.apiCallAttemptTimeout()).hasValue(Duration.ofMillis(700));
    }

    @Test
    void belowTheMinimumThereIsNoCall() {
        Deadline deadline = Deadline.in(1_000, clock);
        clock.advance(Duration.ofMillis(951));

        assertThat(AwsClients.timeouts(deadline, 4_000, 1_500, 50)).as("the caller does not call").isNull();
    }
}
