package wxlogin.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import wxlogin.bench.lambda.LambdaJvm;

/**
 * A function as the benchmark runs it: how to start it, a fresh event per invocation (a new
 * WeChat code for each login) and what a successful answer looks like.
 *
 * @param name     the short name in reports: floor, login, gate, myCloudFunction
 * @param function handler, memory size and environment, from template.yaml
 * @param timeout  the template's Timeout: each event's deadline
 * @param task     the task root (classes and lib/)
 */
public record Subject(String name, LambdaJvm.Function function, Duration timeout, Path task,
                      Supplier<String> events, Predicate<String> succeeded) {

    public boolean isFloor() {
        return "floor".equals(name);
    }
}
