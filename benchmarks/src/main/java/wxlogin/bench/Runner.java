package wxlogin.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import wxlogin.bench.lambda.ClassLoadLog;
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

    /**
     * One SnapStart-style start: the runtime client initialised as {@code snap-start} (handler
     * constructed, {@code beforeCheckpoint}, {@code GET restore/next}), a pause standing for the
     * snapshot, the restore (the emulator answers {@code restore/next}, the runtime client runs
     * {@code afterRestore}), the first invocation, then warm ones of the same kind of request.
     *
     * @param checkpointNanos   launch -> {@code restore/next} asked (JVM, runtime client, constructor, beforeCheckpoint)
     * @param afterRestoreNanos restore -> the runtime's first {@code next} ({@code afterRestore})
     * @param firstNanos        restore -> first response: what a restored instance's first caller waits for
     *                          beyond the memory restore itself
     * @param firstCpuNanos     CPU time of the process (all live threads) over {@code firstNanos}
     * @param warmNanos         each warm invocation: event available -> response
     * @param warmCpuNanos      CPU time of the process over each warm invocation
     * @param classes           classes loaded between the restore and the first response, from the JVM's
     *                          class-load log; null when the run kept no such log
     * @param classesAtCheckpoint classes loaded before {@code restore/next} was asked (-1 without a log)
     * @param firstCalls        outbound calls of the first invocation (afterRestore included)
     * @param warmCalls         outbound calls of all warm invocations together
     */
    public record RestoreStart(String subject, long checkpointNanos, long afterRestoreNanos, long firstNanos,
                               long firstCpuNanos, long[] warmNanos, long[] warmCpuNanos, List<String> classes,
                               int classesAtCheckpoint, Calls firstCalls, Calls warmCalls, String firstAnswer) {

        /** Median of the warm invocations (0 without any). */
        public long warmMedianNanos() {
            return median(warmNanos);
        }

        public long warmCpuMedianNanos() {
            return median(warmCpuNanos);
        }

        private static long median(long[] values) {
            if (values.length == 0) {
                return 0;
            }
            long[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /** Peak RSS after a number of warm invocations in one process. */
    public record Footprint(String subject, int memoryMb, long[] invocations, long[] peakRssKb, long[] rssKb) {
    }

    private final Stand stand;
    private final Path javaHome;
    private final Path runtimeDir;
    private final Path logDir;
    private final LambdaJvm.Credentials credentials;
    private final AtomicInteger classLogs = new AtomicInteger();

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

    /**
     * One restore-mode start (see {@link RestoreStart}).
     *
     * @param settle      how long the checkpointed JVM idles before the restore (the snapshot is
     *                    taken after init; the JIT's queue drains meanwhile, as before a snapshot)
     * @param logClasses  whether to run with {@code -Xlog:class+load} (to a file, with
     *                    {@code System.nanoTime()} stamps) and count the classes of the first invocation
     */
    public RestoreStart restoreStart(Subject subject, int warm, Duration settle, boolean logClasses)
            throws InterruptedException {
        Path classLog = logClasses
                ? logDir.resolve(subject.name() + "-class-load-" + classLogs.incrementAndGet() + ".log") : null;
        List<String> extra = new ArrayList<>();
        if (classLog != null) {
            deleteIfExists(classLog);
            // tn = the JVM's System.nanoTime(): the same clock as the emulator's stamps on this machine.
            extra.add("-Xlog:class+load=info:file=" + classLog + ":tn");
        }
        try (RuntimeApi api = RuntimeApi.start(subject.function().name(), subject.timeout())) {
            long restored;
            long checkpointNanos;
            RuntimeApi.Outcome firstOutcome;
            long firstCpu;
            Calls beforeFirst;
            Calls afterFirst;
            long[] warmNanos = new long[warm];
            long[] warmCpu = new long[warm];
            Calls afterWarm;
            long checkpointAt;
            try (LambdaJvm jvm = LambdaJvm.launch(javaHome, runtimeDir, subject.task(), subject.function(), api,
                    credentials, logDir.resolve(subject.name() + "-restore.log"), LambdaJvm.Initialization.SNAP_START,
                    extra)) {
                checkpointAt = awaitCheckpoint(jvm, api, subject);
                checkpointNanos = checkpointAt - jvm.launchedAtNanos();
                Thread.sleep(settle.toMillis());
                RuntimeApi.Invocation first = api.enqueue(subject.events().get());
                beforeFirst = calls(api);
                long cpuBefore = jvm.cpuNanos();
                restored = api.restore();
                firstOutcome = await(first, jvm, api, subject);
                firstCpu = jvm.cpuNanos() - cpuBefore;
                afterFirst = calls(api);
                for (int i = 0; i < warm; i++) {
                    String event = subject.events().get();
                    long cpu = jvm.cpuNanos(); // before the event is available: the runtime takes it at once
                    RuntimeApi.Invocation next = api.enqueue(event);
                    RuntimeApi.Outcome outcome = await(next, jvm, api, subject);
                    warmCpu[i] = jvm.cpuNanos() - cpu;
                    warmNanos[i] = outcome.atNanos() - next.queuedAtNanos();
                }
                afterWarm = calls(api);
            }
            // The JVM has exited (SIGTERM): its log is complete.
            List<String> classes = null;
            int atCheckpoint = -1;
            if (classLog != null) {
                ClassLoadLog log = ClassLoadLog.read(classLog);
                classes = log.between(restored, firstOutcome.atNanos());
                atCheckpoint = log.between(Long.MIN_VALUE, checkpointAt).size();
                if (log.size() == 0) {
                    throw new IllegalStateException("the class-load log " + classLog + " is empty");
                }
            }
            return new RestoreStart(subject.name(), checkpointNanos, api.firstNextNanos() - restored,
                    firstOutcome.atNanos() - restored, firstCpu, warmNanos, warmCpu, classes, atCheckpoint,
                    afterFirst.minus(beforeFirst), afterWarm.minus(afterFirst), firstOutcome.body());
        }
    }

    /**
     * Refresh tokens for the session function's requests, from real logins: one login JVM
     * (on demand), {@code count} logins of the subject's person, each answer's refresh token kept.
     */
    public List<String> refreshTokens(Subject login, int count) throws InterruptedException {
        List<String> tokens = new ArrayList<>();
        try (RuntimeApi api = RuntimeApi.start(login.function().name(), login.timeout());
             LambdaJvm jvm = launch(login, api)) {
            while (tokens.size() < count) {
                RuntimeApi.Outcome outcome = await(api.enqueue(login.events().get()), jvm, api, login);
                tokens.add(Stand.refreshToken(outcome.body()));
            }
        }
        return tokens;
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

    /** When the runtime asked for {@code restore/next}; fails with the function's log when it dies, errs or hangs. */
    private static long awaitCheckpoint(LambdaJvm jvm, RuntimeApi api, Subject subject) throws InterruptedException {
        long giveUpAt = System.nanoTime() + COLD_LIMIT.toNanos();
        while (true) {
            try {
                return api.restoreRequested().get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (api.initError().isDone()) {
                    throw new IllegalStateException(subject.name() + " failed to initialise or in beforeCheckpoint: "
                            + abbreviate(api.initError().join()) + "\n--- function log ---\n" + jvm.logTail(30));
                }
                if (!jvm.isAlive()) {
                    throw new IllegalStateException(subject.name() + " exited before asking for restore/next\n"
                            + "--- function log ---\n" + jvm.logTail(30));
                }
                if (System.nanoTime() > giveUpAt) {
                    throw new IllegalStateException(subject.name() + " did not reach its checkpoint in " + COLD_LIMIT
                            + "\n--- function log ---\n" + jvm.logTail(30));
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
                if (api.restoreError().isDone()) {
                    throw new IllegalStateException(subject.name() + " failed in afterRestore: "
                            + abbreviate(api.restoreError().join()) + "\n--- function log ---\n" + jvm.logTail(30));
                }
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
