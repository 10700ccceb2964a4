package wxlogin.bench;

// Smoke (a few seconds): bin/bench's restore mode works end to end - the runtime client runs the SnapStart sequence (constructor, beforeCheckpoint, restore/next, afterRestore, first invocation) against the emulator, and the first invocation's classes are counted from the class-load log; a session refresh after restore uses a refresh token from a real login.

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wxlogin.bench.lambda.LambdaJvm;
import wxlogin.bench.lambda.Layout;
import wxlogin.bench.probe.SnapStartProbe;

class RestoreSmokeTest {

    private static final Path LAMBDA_DIR = Path.of(System.getProperty("wxlogin.lambda.dir", "target/lambda"));
    private static final Path ROOT = Path.of(System.getProperty("wxlogin.root", ".."));
    private static final Duration SETTLE = Duration.ofMillis(100);

    @Test
    void theRuntimeClientRunsTheSnapStartSequenceAndTheFirstInvocationsClassesAreCounted() throws Exception {
        Path task = LAMBDA_DIR.resolve("task");
        try (Stand stand = Stand.start(ROOT, task, LAMBDA_DIR.resolve("scratch"), 3)) {
            Runner runner = new Runner(stand, Path.of(System.getProperty("java.home")), LAMBDA_DIR.resolve("runtime"),
                    LAMBDA_DIR.resolve("scratch/logs"), LambdaJvm.Credentials.CONTAINER);

            Path probeTask = Layout.handlerTask(task, LAMBDA_DIR.resolve("scratch/probe-task"),
                    List.of(SnapStartProbe.class), List.of("aws-lambda-java-core-", "crac-"));
            Subject probe = new Subject("snapstart-probe", new LambdaJvm.Function("SnapStartProbe",
                    SnapStartProbe.class.getName() + "::handleRequest", 1024, Map.of()),
                    Duration.ofSeconds(10), probeTask, () -> "{}", body -> true);
            Runner.RestoreStart probed = runner.restoreStart(probe, 1, SETTLE, true);

            assertThat(probed.firstAnswer())
                    .as("org.crac hooks ran through the runtime client, before the restore and after it, once each")
                    .isEqualTo("\"beforeCheckpoint afterRestore\"");
            assertThat(probed.afterRestoreNanos()).as("afterRestore ran after the restore, before the first next").isPositive();
            assertThat(probed.firstNanos()).isGreaterThan(probed.afterRestoreNanos());
            assertThat(probed.classesAtCheckpoint()).as("the class-load log was written and split at the checkpoint")
                    .isGreaterThan(100);
            assertThat(probed.classes()).as("the first invocation's classes were counted").isNotNull()
                    .allSatisfy(name -> assertThat(name).isNotBlank());

            // A session refresh after restore, with a refresh token from a real login.
            Deque<String> refreshTokens = new ArrayDeque<>(runner.refreshTokens(stand.login(), 2));
            Runner.RestoreStart refresh = runner.restoreStart(stand.refresh(refreshTokens::pop), 1, SETTLE, true);

            assertThat(Stand.hasRefreshToken(refresh.firstAnswer())).as("refreshed: %s", refresh.firstAnswer()).isTrue();
            assertThat(refresh.firstCalls().dynamoDb()).as("the refresh read and rotated the stored token").isPositive();
            assertThat(refresh.classes()).isNotNull();
            assertThat(refreshTokens).as("each refresh request used a token of its own").isEmpty();
        }
    }
}
