package wxlogin.bench;

// Smoke (a few seconds): the benchmark harness works end to end - one cold start of the floor and one of the gate under the real runtime client.

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import wxlogin.bench.lambda.LambdaJvm;

class ColdStartSmokeTest {

    private static final Path LAMBDA_DIR = Path.of(System.getProperty("wxlogin.lambda.dir", "target/lambda"));
    private static final Path ROOT = Path.of(System.getProperty("wxlogin.root", ".."));

    @Test
    void theFloorAndTheGateStartUnderTheRuntimeClientAndAnswer() throws Exception {
        try (Stand stand = Stand.start(ROOT, LAMBDA_DIR.resolve("task"), LAMBDA_DIR.resolve("scratch"))) {
            Runner runner = new Runner(stand, Path.of(System.getProperty("java.home")), LAMBDA_DIR.resolve("runtime"),
                    LAMBDA_DIR.resolve("scratch/logs"), LambdaJvm.Credentials.CONTAINER);

            Runner.ColdStart floor = runner.coldStart(stand.floor(), 1);
            Runner.ColdStart gate = runner.coldStart(stand.gate(), 1);

            assertThat(floor.coldNanos()).isPositive().isGreaterThan(floor.initNanos());
            assertThat(floor.warmNanos()).hasSize(1);
            assertThat(gate.coldNanos()).isPositive();
            assertThat(gate.coldCalls()).as("a cold gate reads the signing keys once, with container credentials")
                    .isEqualTo(new Runner.Calls(1, 0, 1));
            assertThat(gate.warmCalls()).as("a warm gate decision makes no outbound call").isEqualTo(new Runner.Calls(0, 0, 0));
        }
    }
}
