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
 * @param name     the short name in reports: floor, stream-floor, login, gate, refresh, myCloudFunction
 * @param function handler, memory size and environment, from template.yaml
 * @param timeout  the template's Timeout: each event's deadline
 * @param task     the task root (classes and lib/)
 */
public record Subject(String name, LambdaJvm.Function function, Duration timeout, Path task,
                      Supplier<String> events, Predicate<String> succeeded) {

    public static final String FLOOR = "floor";
    public static final String STREAM_FLOOR = "stream-floor";

    /** The floor: every other subject's start is paired with one of its starts and ratios are taken to it. */
    public boolean isFloor() {
        return FLOOR.equals(name);
    }

    /** A reference row (the floor, the stream floor): run whatever {@code --only} names. */
    public boolean isReference() {
        return isFloor() || STREAM_FLOOR.equals(name);
    }
}
