package wxlogin.bench.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One fresh JVM running a function under the real Lambda Java runtime client, started the way
 * Lambda's java21 runtime starts it: the runtime client on the class path, the task root as the
 * working directory, the heap capped from the memory size, SerialGC, C1 only, the function's
 * environment plus Lambda's reserved variables, and {@code JAVA_TOOL_OPTIONS} from the template.
 */
public final class LambdaJvm implements AutoCloseable {

    public static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Lambda sizes the heap at about 85 % of the function's memory (e.g. 445645k at 512 MB). */
    public static final double HEAP_SHARE = 0.85;
    /** Extra JVM options for profiling runs (e.g. -Xlog:class+load), never in reported figures. */
    public static final String EXTRA_OPTIONS_PROPERTY = "wxlogin.bench.extraJvmOptions";

    /** How the function gets AWS credentials. */
    public enum Credentials {
        /** {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} + token: what SnapStart functions get. */
        CONTAINER,
        /** {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}: on-demand functions. */
        ENVIRONMENT
    }

    /**
     * How Lambda initialises the runtime: {@code on-demand} (a fresh JVM per cold start) or
     * {@code snap-start} (the runtime client runs {@code beforeCheckpoint}, waits for
     * {@code restore/next}, runs {@code afterRestore}, then asks for events).
     */
    public enum Initialization {
        ON_DEMAND("on-demand"), SNAP_START("snap-start");

        private final String value;

        Initialization(String value) {
            this.value = value;
        }

        /** The value of {@code AWS_LAMBDA_INITIALIZATION_TYPE}. */
        public String value() {
            return value;
        }
    }

    /** What to start: the template's handler, memory and environment. */
    public record Function(String name, String handler, int memoryMb, Map<String, String> environment) {
    }

    private final Process process;
    private final long launchedAtNanos;
    private final List<String> command;
    private final Path log;

    private LambdaJvm(Process process, long launchedAtNanos, List<String> command, Path log) {
        this.process = process;
        this.launchedAtNanos = launchedAtNanos;
        this.command = command;
        this.log = log;
    }

    /** The JVM options Lambda's launcher passes (state flags), for a function of this memory size. */
    public static List<String> lambdaJvmOptions(int memoryMb, Path jni) {
        List<String> options = new ArrayList<>();
        // The function's memory is the container's limit in Lambda: the JVM sizes its initial heap
        // and other defaults from it, not from this machine's RAM.
        options.add("-XX:MaxRAM=" + memoryMb + "m");
        options.add("-XX:MaxHeapSize=" + Math.round(memoryMb * 1024 * HEAP_SHARE) + "k");
        options.add("-XX:+UseSerialGC");
        options.add("-XX:+TieredCompilation");
        options.add("-XX:TieredStopAtLevel=1");
        options.add("--add-opens=java.base/java.io=ALL-UNNAMED");
        options.add("-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac");
        options.add("-Djava.net.preferIPv4Stack=true");
        options.add("-XX:+ErrorFileToStderr");
        options.add("-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI=" + jni);
        // JDK 22+ warns on System.load from the class path; Lambda's JDK 21 does not. Silence only.
        if (Runtime.version().feature() >= 22) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        return options;
    }

    /**
     * Starts the JVM. The clock starts just before the process is created.
     *
     * @param log stdout and stderr of the function go here (appended)
     */
    public static LambdaJvm launch(Path javaHome, Path runtimeDir, Path taskDir, Function function,
                                   RuntimeApi api, Credentials credentials, Path log) {
        return launch(javaHome, runtimeDir, taskDir, function, api, credentials, log, Initialization.ON_DEMAND, List.of());
    }

    /**
     * As above, initialised as {@code initialization} says, with {@code extraOptions} after
     * Lambda's (e.g. a class-load log the harness reads).
     */
    public static LambdaJvm launch(Path javaHome, Path runtimeDir, Path taskDir, Function function, RuntimeApi api,
                                   Credentials credentials, Path log, Initialization initialization,
                                   List<String> extraOptions) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(lambdaJvmOptions(function.memoryMb(), Layout.jniLibrary(runtimeDir)));
        command.addAll(extraOptions);
        String extra = System.getProperty(EXTRA_OPTIONS_PROPERTY, "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.add("-classpath");
        command.add(Layout.runtimeJars(runtimeDir).stream().map(Path::toString).collect(Collectors.joining(":")));
        command.add(MAIN_CLASS);
        command.add(function.handler());

        ProcessBuilder builder = new ProcessBuilder(command).directory(taskDir.toFile());
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        env.putAll(lambdaEnvironment(function, taskDir, runtimeDir, api, credentials, log.getParent(), path));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initialization.value());
        try {
            Files.createDirectories(log.getParent());
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            long start = System.nanoTime();
            Process process = builder.start();
            return new LambdaJvm(process, start, command, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Lambda's reserved variables, the credentials, then the function's own variables. */
    static Map<String, String> lambdaEnvironment(Function function, Path taskDir, Path runtimeDir, RuntimeApi api,
                                                 Credentials credentials, Path scratch, String path) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", path);
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("_HANDLER", function.handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/24/[$LATEST]00000000000000000000000000000000");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("LAMBDA_TASK_ROOT", taskDir.toString());
        env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
        // No developer profile may change which credential provider answers.
        env.put("AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-such-aws-credentials").toString());
        env.put("AWS_CONFIG_FILE", scratch.resolve("no-such-aws-config").toString());
        switch (credentials) {
            case CONTAINER -> {
                env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", api.credentialsUri());
                env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", RuntimeApi.CREDENTIALS_TOKEN);
            }
            case ENVIRONMENT -> {
                env.put("AWS_ACCESS_KEY_ID", "ASIALOCALENVIRONMENT");
                env.put("AWS_SECRET_ACCESS_KEY", "local-environment-secret");
                env.put("AWS_SESSION_TOKEN", "local-environment-session-token");
            }
        }
        env.putAll(function.environment());
        return env;
    }

    public long pid() {
        return process.pid();
    }

    public long launchedAtNanos() {
        return launchedAtNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /**
     * CPU time (user + system) of all the process's live threads so far, in ns, from
     * {@code /proc/<pid>/task/<tid>/schedstat}: nanosecond resolution, for short stretches such as
     * one invocation (a thread that ended in between is not counted).
     */
    public long cpuNanos() {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        long sum = 0;
        try (var threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(thread.resolve("schedstat")).trim().split("\\s+")[0]);
                } catch (IOException e) {
                    // The thread ended while we listed: its time is lost to both readings alike.
                }
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tasks + " (Linux only)", e);
        }
    }

    /** Peak resident memory so far (kB), from {@code /proc/<pid>/status}. */
    public long peakRssKb() {
        return procStatus("VmHWM:");
    }

    public long rssKb() {
        return procStatus("VmRSS:");
    }

    /** CPU time (user + system, all threads) used so far, in ms; 10 ms resolution. */
    public long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + process.pid() + "/stat (Linux only)", e);
        }
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException(field + " not in /proc/" + process.pid() + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + process.pid() + "/status (Linux only)", e);
        }
    }

    /** The last lines the function printed, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
