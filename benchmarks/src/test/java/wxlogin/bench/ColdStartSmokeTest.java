package wxlogin.bench;

// Smoke (a few seconds): the benchmark harness works end to end - one cold start each of the floor, the stream floor, the gate and the login (lasting sessions on, DynamoDB Local) under the real runtime client.

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import wxlogin.bench.lambda.LambdaJvm;

class ColdStartSmokeTest {

    private static final Path LAMBDA_DIR = Path.of(System.getProperty("wxlogin.lambda.dir", "target/lambda"));
    private static final Path ROOT = Path.of(System.getProperty("wxlogin.root", ".."));

    @Test
    void theFloorsTheGateAndTheLoginStartUnderTheRuntimeClientAndAnswer() throws Exception {
        // A short DynamoDB Local warm-up: this checks that things work, it measures nothing.
        try (Stand stand = Stand.start(ROOT, LAMBDA_DIR.resolve("task"), LAMBDA_DIR.resolve("scratch"), 3)) {
            Runner runner = new Runner(stand, Path.of(System.getProperty("java.home")), LAMBDA_DIR.resolve("runtime"),
                    LAMBDA_DIR.resolve("scratch/logs"), LambdaJvm.Credentials.CONTAINER);

            Runner.ColdStart floor = runner.coldStart(stand.floor(), 1);
            Runner.ColdStart streamFloor = runner.coldStart(stand.streamFloor(), 1);
            Runner.ColdStart gate = runner.coldStart(stand.gate(), 1);
            Runner.ColdStart login = runner.coldStart(stand.login(), 1);

            assertThat(floor.coldNanos()).isPositive().isGreaterThan(floor.initNanos());
            assertThat(floor.warmNanos()).hasSize(1);
            assertThat(streamFloor.coldAnswer()).isEqualTo("\"hello world\"");
            assertThat(streamFloor.coldCalls()).isEqualTo(new Runner.Calls(0, 0, 0, 0));
            assertThat(gate.coldNanos()).isPositive();
            assertThat(gate.coldCalls()).as("a cold gate reads the signing keys once, with container credentials")
                    .isEqualTo(new Runner.Calls(1, 0, 1, 0));
            assertThat(gate.warmCalls()).as("a warm gate decision makes no outbound call").isEqualTo(new Runner.Calls(0, 0, 0, 0));

            assertThat(Stand.hasRefreshToken("{\"statusCode\":200,\"body\":\"{\\\"token\\\":\\\"t\\\"}\"}"))
                    .as("a login answer without a refresh token (a failed session write) does not pass").isFalse();
            assertThat(Stand.hasRefreshToken(login.coldAnswer()))
                    .as("the login wrote its session to DynamoDB Local and answered a refresh token: %s", login.coldAnswer())
                    .isTrue();
            // The user directory: one read per login, a write only the first time this person logs in
            // (the stand's DynamoDB Local may have seen "bench" already).
            assertThat(login.coldCalls().dynamoDb())
                    .as("a cold login: the directory's read (and write, for a new person) and one session write")
                    .isBetween(2L, 3L);
            assertThat(login.warmCalls().dynamoDb())
                    .as("a warm login of a returning person: one directory read and one session write").isEqualTo(2);
            assertThat(stand.dynamoDbCallsByOperation()).containsKey("TransactWriteItems");
        }
    }
}
