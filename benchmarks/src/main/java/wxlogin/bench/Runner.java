package wxlogin.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import wxlogin.bench.lambda.LambdaJvm;
import wxlogin.bench.lambda.RuntimeApi;

/**
 * Starts a subject in a fresh JVM under the runtime client and drives it through the Runtime
 * API emulator: one cold invocation, then warm ones, timing each and counting outbound calls.
 */
public final class Runner {

    static final Duration COLD_LIMIT = Duration.ofSeconds(60);

    /** Outbound calls made by a stretch of invocations (DynamoDB: requests of any operation). */
    public record Calls(long secretsManager, long wechat, long credentials, long dynamoDb) {
        Calls minus(Calls earlier) {
            return new Calls(secretsManager - earlier.secretsManager, wechat - earlier.wechat,
                    credentials - earlier.credentials, dynamoDb - earlier.dynamoDb);
        }
    }

    /**
     * One cold start and its warm invocations.
     *
     * @param coldNanos  launch -> first response
     * @param coldCpuMillis CPU time the process used up to its first response (all threads): less
     *                  sensitive than wall time to other work on a shared machine
     * @param initNanos  launch -> the runtime's first {@code next} (JVM, runtime client, handler constructor)
     * @param warmNanos  each warm invocation: event available -> response
     * @param coldCalls  outbound calls of the first invocation (including init)
     * @param warmCalls  outbound calls of all warm invocations together
     * @param coldAnswer the first invocation's answer (the subject's success predicate accepted it)
     */
    public record ColdStart(String subject, long coldNanos, long coldCpuMillis, long initNanos, long[] warmNanos,
                            Calls coldCalls, Calls warmCalls, String coldAnswer) {
    }

    /** Peak RSS after a number of warm invocations in one process. */
    public record Footprint(String subject, int memoryMb, long[] invocations, long[] peakRssKb, long[] rssKb) {
    }

    private final Stand stand;
    private final Path javaHome;
    private final Path runtimeDir;
    private final Path logDir;
    private final LambdaJvm.Credentials credentials;

    public Runner(Stand stand, Path javaHome, Path runtimeDir, Path logDir, LambdaJvm.Credentials credentials) {
        this.stand = stand;
        this.javaHome = javaHome;
        this.runtimeDir = runtimeDir;
        this.logDir = logDir;
        this.credentials = credentials;
    }

    public ColdStart coldStart(Subject subject, int warm) throws InterruptedException {
        try (RuntimeApi api = RuntimeApi.start(subject.function().name(), subject.timeout())) {
            Calls before = calls(api);
            RuntimeApi.Invocation first = api.enqueue(subject.events().get());
            try (LambdaJvm jvm = launch(subject, api)) {
                RuntimeApi.Outcome cold = await(first, jvm, api, subject);
                long coldNanos = cold.atNanos() - jvm.launchedAtNanos();
                long coldCpu = jvm.cpuMillis();
                long initNanos = api.firstNextNanos() - jvm.launchedAtNanos();
                Calls afterCold = calls(api);
                long[] warmNanos = new long[warm];
                for (int i = 0; i < warm; i++) {
                    RuntimeApi.Invocation next = api.enqueue(subject.events().get());
                    RuntimeApi.Outcome outcome = await(next, jvm, api, subject);
                    warmNanos[i] = outcome.atNanos() - next.queuedAtNanos();
                }
                Calls afterWarm = calls(api);
                return new ColdStart(subject.name(), coldNanos, coldCpu, initNanos, warmNanos,
                        afterCold.minus(before), afterWarm.minus(afterCold), cold.body());
            }
        }
    }

    /** Peak RSS after each count in {@code checkpoints} (ascending) of warm invocations. */
    public Footprint footprint(Subject subject, int... checkpoints) throws InterruptedException {
        try (RuntimeApi api = RuntimeApi.start(subject.function().name(), subject.timeout())) {
            RuntimeApi.Invocation first = api.enqueue(subject.events().get());
            try (LambdaJvm jvm = launch(subject, api)) {
                await(first, jvm, api, subject);
                long[] hwm = new long[checkpoints.length];
                long[] rss = new long[checkpoints.length];
                long[] counts = new long[checkpoints.length];
                int done = 0;
                for (int c = 0; c < checkpoints.length; c++) {
                    while (done < checkpoints[c]) {
                        await(api.enqueue(subject.events().get()), jvm, api, subject);
                        done++;
                    }
                    counts[c] = done;
                    hwm[c] = jvm.peakRssKb();
                    rss[c] = jvm.rssKb();
                }
                return new Footprint(subject.name(), subject.function().memoryMb(), counts, hwm, rss);
            }
        }
    }

    private LambdaJvm launch(Subject subject, RuntimeApi api) {
        return LambdaJvm.launch(javaHome, runtimeDir, subject.task(), subject.function(), api, credentials,
                logDir.resolve(subject.name() + ".log"));
    }

    private Calls calls(RuntimeApi api) {
        return new Calls(stand.secretsManagerCalls(), stand.wechatCalls(), api.credentialCalls(), stand.dynamoDbCalls());
    }

    /** The invocation's answer; fails with the function's log when it errs, dies or hangs. */
    private static RuntimeApi.Outcome await(RuntimeApi.Invocation invocation, LambdaJvm jvm, RuntimeApi api,
                                            Subject subject) throws InterruptedException {
        long giveUpAt = System.nanoTime() + COLD_LIMIT.toNanos();
        while (true) {
            try {
                RuntimeApi.Outcome outcome = invocation.await(Duration.ofMillis(50));
                if (outcome.error() || !subject.succeeded().test(outcome.body())) {
                    throw new IllegalStateException(subject.name() + " answered "
                            + (outcome.error() ? "an error (" + outcome.errorType() + ")" : "unexpectedly") + ": "
                            + abbreviate(outcome.body()) + "\n--- function log ---\n" + jvm.logTail(30));
                }
                return outcome;
            } catch (TimeoutException e) {
                if (api.initError().isDone()) {
                    throw new IllegalStateException(subject.name() + " failed to initialise: "
                            + abbreviate(api.initError().join()) + "\n--- function log ---\n" + jvm.logTail(30));
                }
                if (!jvm.isAlive()) {
                    throw new IllegalStateException(subject.name() + " exited before answering\n--- function log ---\n"
                            + jvm.logTail(30) + "\n--- command ---\n" + String.join(" ", jvm.command()));
                }
                if (System.nanoTime() > giveUpAt) {
                    throw new IllegalStateException(subject.name() + " gave no answer in " + COLD_LIMIT
                            + "\n--- function log ---\n" + jvm.logTail(30));
                }
            }
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }
}
