package wxlogin.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import wxlogin.bench.lambda.ClassLoadLog;
import wxlogin.bench.lambda.LambdaJvm;
import wxlogin.bench.lambda.Layout;

/**
 * The cold-start benchmark (bin/bench runs it, then JMH). Prints a Markdown report.
 *
 * <p>Options: {@code --runs N} cold starts per function (default 10), {@code --warm K} warm
 * invocations after each (5), {@code --only login,gate} (default all; the floor and the stream floor
 * always run), {@code --footprint 100,1000}
 * checkpoints for peak RSS ({@code --footprint none} to skip), {@code --credentials container|environment}
 * (container: what SnapStart functions get), {@code --functions-dir DIR} a functions/ folder built
 * the sam build way (default: the layout Maven made in benchmarks/target/lambda/task),
 * {@code --java-home DIR} the JDK that runs the functions (default: this one), {@code --out FILE}.
 *
 * <p>{@code --mode restore} measures what a SnapStart function pays instead: each start runs the
 * runtime client with {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start} (constructor,
 * {@code beforeCheckpoint}, {@code restore/next}, {@code afterRestore}), and the report gives the
 * first invocation after the restore, a warm invocation of the same request, and the classes
 * loaded during the first invocation, for the floor, login, gate, refresh, myCloudFunction and account.
 * Its options: {@code --runs N} rounds (default 10), {@code --warm K} (10; the median is the warm figure), {@code --only},
 * {@code --class-runs C} extra starts per subject with a class-load log (3; timed runs keep no
 * log), {@code --settle-ms MS} the pause between checkpoint and restore (1000).
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path root = Path.of(options.getOrDefault("root", System.getProperty("wxlogin.root", "."))).toAbsolutePath().normalize();
        Path lambdaDir = Path.of(options.getOrDefault("lambda-dir", root.resolve("benchmarks/target/lambda").toString()));
        Path javaHome = Path.of(options.getOrDefault("java-home", System.getProperty("java.home")));
        int runs = Integer.parseInt(options.getOrDefault("runs", "10"));
        int warm = Integer.parseInt(options.getOrDefault("warm", "5"));
        List<String> only = options.containsKey("only") ? List.of(options.get("only").split(",")) : List.of();
        String footprint = options.getOrDefault("footprint", "100,1000");
        LambdaJvm.Credentials credentials = LambdaJvm.Credentials.valueOf(
                options.getOrDefault("credentials", "container").toUpperCase(Locale.ROOT));
        Path scratch = Files.createDirectories(lambdaDir.resolve("scratch"));
        Path task = options.containsKey("functions-dir")
                ? Layout.taskFromSamBuild(Path.of(options.get("functions-dir")), scratch.resolve("sam-task"))
                : lambdaDir.resolve("task");

        if ("restore".equals(options.getOrDefault("mode", "fresh"))) {
            // A warm invocation right after the first still compiles code: take the median of more.
            int restoreWarm = Integer.parseInt(options.getOrDefault("warm", "10"));
            restoreMode(options, root, lambdaDir, javaHome, runs, restoreWarm, only, credentials, scratch, task);
            return;
        }
        StringBuilder report = new StringBuilder();
        try (Stand stand = Stand.start(root, task, scratch)) {
            Runner runner = new Runner(stand, javaHome, lambdaDir.resolve("runtime"), scratch.resolve("logs"), credentials);
            List<Subject> subjects = stand.subjects(only);
            report.append(setup(javaHome, credentials, runs, warm, task, lambdaDir.resolve("runtime"), stand));
            report.append(sizes(stand));
            System.out.print(report);
            String cold = coldStarts(runner, stand, subjects, runs, warm);
            System.out.print(cold);
            report.append(cold);
            if (!footprint.equals("none")) {
                int[] checkpoints = Arrays.stream(footprint.split(",")).mapToInt(Integer::parseInt).toArray();
                String memory = footprints(runner, subjects, checkpoints);
                System.out.print(memory);
                report.append(memory);
            }
        }
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), report.toString());
        }
    }

    // ---------------------------------------------------------------- restore mode

    private static void restoreMode(Map<String, String> options, Path root, Path lambdaDir, Path javaHome, int runs,
                                    int warm, List<String> only, LambdaJvm.Credentials credentials, Path scratch,
                                    Path task) throws Exception {
        int classRuns = Integer.parseInt(options.getOrDefault("class-runs", "3"));
        java.time.Duration settle = java.time.Duration.ofMillis(Long.parseLong(options.getOrDefault("settle-ms", "1000")));
        StringBuilder report = new StringBuilder();
        try (Stand stand = Stand.start(root, task, scratch)) {
            Path logs = scratch.resolve("logs");
            Runner runner = new Runner(stand, javaHome, lambdaDir.resolve("runtime"), logs, credentials);
            java.util.Deque<String> refreshTokens = new java.util.ArrayDeque<>();
            Subject login = stand.login();
            List<Subject> subjects = java.util.stream.Stream.of(stand.floor(), login, stand.gate(),
                            stand.refresh(() -> {
                                String token = refreshTokens.poll();
                                if (token == null) {
                                    throw new IllegalStateException("no refresh token left for the refresh requests");
                                }
                                return token;
                            }), stand.cloudFunction(), stand.account())
                    .filter(s -> s.isFloor() || only.isEmpty() || only.contains(s.name())).toList();
            // Logins before any measurement: the person is a returning one (as most logins are), and
            // each refresh request gets a refresh token of its own (rotation makes them single-use).
            boolean refresh = subjects.stream().anyMatch(s -> s.name().equals("refresh"));
            refreshTokens.addAll(runner.refreshTokens(login, refresh ? (runs + classRuns) * (warm + 1) + 1 : 1));
            report.append(restoreSetup(javaHome, credentials, runs, warm, classRuns, settle, task,
                    lambdaDir.resolve("runtime"), stand));
            System.out.print(report);
            String restores = restoreStarts(runner, subjects, runs, warm, classRuns, settle, logs);
            System.out.print(restores);
            report.append(restores);
        }
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), report.toString());
        }
    }

    static String restoreSetup(Path javaHome, LambdaJvm.Credentials credentials, int runs, int warm, int classRuns,
                               java.time.Duration settle, Path task, Path runtimeDir, Stand stand) throws IOException {
        String fresh = setup(javaHome, credentials, runs, warm, task, runtimeDir, stand);
        String head = fresh.substring(0, fresh.lastIndexOf("- " + runs + " cold starts"));
        return head.replace("## Setup", "## Setup (restore mode)")
                + "- AWS_LAMBDA_INITIALIZATION_TYPE=snap-start: constructor -> beforeCheckpoint -> restore/next (answered after "
                + settle.toMillis() + " ms idle, standing for the snapshot) -> afterRestore -> first invocation\n"
                + "- " + runs + " rounds; in each, every function right after a floor start; " + warm
                + " warm invocations of the same request after the first; then " + classRuns
                + " starts per subject with -Xlog:class+load (timed runs keep no log)\n"
                + "- login: a returning person (logged in before any measurement); refresh: a refresh token from a login per request\n\n";
    }

    static String restoreStarts(Runner runner, List<Subject> subjects, int runs, int warm, int classRuns,
                                java.time.Duration settle, Path logs) throws InterruptedException, IOException {
        Subject floor = subjects.stream().filter(Subject::isFloor).findFirst().orElseThrow();
        List<Subject> functions = subjects.stream().filter(s -> !s.isFloor()).toList();
        Map<String, List<Runner.RestoreStart>> results = new LinkedHashMap<>();
        Map<String, List<Double>> beyond = new LinkedHashMap<>();
        Map<String, List<Double>> plain = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        subjects.forEach(s -> {
            results.put(s.name(), new ArrayList<>());
            beyond.put(s.name(), new ArrayList<>());
            plain.put(s.name(), new ArrayList<>());
            cpu.put(s.name(), new ArrayList<>());
        });
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < functions.size(); i++) {
                Subject function = functions.get((i + run) % functions.size());
                Runner.RestoreStart base = runner.restoreStart(floor, warm, settle, false);
                Runner.RestoreStart measured = runner.restoreStart(function, warm, settle, false);
                for (Runner.RestoreStart r : List.of(base, measured)) {
                    results.get(r.subject()).add(r);
                    beyond.get(r.subject()).add((double) (r.firstNanos() - r.warmMedianNanos()) / base.firstNanos());
                    plain.get(r.subject()).add((double) r.firstNanos() / base.firstNanos());
                    cpu.get(r.subject()).add((double) (r.firstCpuNanos() - r.warmCpuMedianNanos()) / base.firstCpuNanos());
                }
                System.err.printf(Locale.ROOT, "restore run %d: floor first %.1f ms, %s first %.1f ms, warm %.1f ms (x%.2f beyond warm)%n",
                        run + 1, base.firstNanos() / 1e6, function.name(), measured.firstNanos() / 1e6,
                        measured.warmMedianNanos() / 1e6, beyond.get(function.name()).get(beyond.get(function.name()).size() - 1));
            }
        }
        Map<String, List<Runner.RestoreStart>> counted = new LinkedHashMap<>();
        for (Subject subject : subjects) {
            List<Runner.RestoreStart> list = new ArrayList<>();
            for (int c = 0; c < classRuns; c++) {
                list.add(runner.restoreStart(subject, warm, settle, true));
            }
            counted.put(subject.name(), list);
            System.err.println("classes loaded in " + subject.name() + "'s first invocation: "
                    + list.stream().map(r -> r.classes().size()).toList());
        }

        StringBuilder out = new StringBuilder("## First invocation after restore (SnapStart sequence under the runtime client)\n\n");
        out.append("| function | first invocation, ms | warm, ms | first - warm, ms | (first - warm) / floor's first,"
                + " pairwise | the same, ratio of medians | first / floor's first | CPU: (first - warm) / floor's first"
                + " | afterRestore, ms | classes loaded in the first invocation | classes loaded by the checkpoint"
                + " | constructor + beforeCheckpoint (from launch), ms |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double floorFirst = median(results.get(floor.name()).stream().mapToDouble(r -> r.firstNanos()).sorted().toArray());
        results.forEach((name, list) -> {
            List<Runner.RestoreStart> logged = counted.get(name);
            double beyondMs = median(list.stream().mapToDouble(r -> (r.firstNanos() - r.warmMedianNanos()) / 1e6)
                    .sorted().toArray());
            out.append("| ").append(name)
                    .append(" | ").append(range(list, r -> r.firstNanos() / 1e6, "%.1f"))
                    .append(" | ").append(median(list, r -> r.warmMedianNanos() / 1e6, "%.1f"))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", beyondMs))
                    .append(" | **").append(median(beyond.get(name), r -> r, "%.2f")).append("** (")
                    .append(range(beyond.get(name), r -> r, "%.2f").replaceFirst("^\\S+ \\(", ""))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", beyondMs * 1e6 / floorFirst))
                    .append(" | ").append(median(plain.get(name), r -> r, "%.2f"))
                    .append(" | ").append(median(cpu.get(name), r -> r, "%.2f"))
                    .append(" | ").append(median(list, r -> r.afterRestoreNanos() / 1e6, "%.1f"))
                    .append(" | **").append(classRuns == 0 ? "-" : median(logged, r -> r.classes().size(), "%.0f")).append("**")
                    .append(classRuns == 0 ? "" : " (" + logged.stream().map(r -> Integer.toString(r.classes().size()))
                            .collect(java.util.stream.Collectors.joining(", ")) + ")")
                    .append(" | ").append(classRuns == 0 ? "-" : median(logged, r -> r.classesAtCheckpoint(), "%.0f"))
                    .append(" | ").append(median(list, r -> r.checkpointNanos() / 1e6, "%.0f")).append(" |\n");
        });
        out.append("\nPairwise ratios are taken to the floor's first invocation in the same round (the floor is started"
                + " just before each function): median (min-max) over the rounds; the ratio of medians divides the"
                + " function's median (first - warm) by the median of all the floor's first invocations (steadier when"
                + " other work on the machine disturbs single floor starts). CPU: the process's CPU time (all threads)"
                + " over the first invocation minus that of a warm one, to the floor's first invocation's; contention"
                + " disturbs it less than wall time. Classes: median (each counted run).\n");

        if (classRuns > 0) {
            out.append("\n### Classes loaded during the first invocation, by origin (the first counted run)\n\n");
            for (Map.Entry<String, List<Runner.RestoreStart>> e : counted.entrySet()) {
                List<String> classes = e.getValue().get(0).classes();
                Files.write(logs.resolve(e.getKey() + "-first-invocation-classes.txt"), classes);
                out.append("- ").append(e.getKey()).append(" (").append(classes.size()).append("): ")
                        .append(ClassLoadLog.byGroup(classes).entrySet().stream()
                                .map(g -> g.getKey() + " " + g.getValue())
                                .collect(java.util.stream.Collectors.joining(", ")))
                        .append('\n');
            }
            out.append("\nThe lists: ").append(logs.resolve("<function>-first-invocation-classes.txt")).append('\n');
        }

        out.append("\n### Outbound calls (Secrets Manager GetSecretValue / WeChat / container credentials; DynamoDB)\n\n");
        out.append("| function | first invocation after restore | warm invocation (mean of ").append(warm)
                .append(") | DynamoDB: first / warm |\n|---|---|---|---|\n");
        results.forEach((name, list) -> {
            Runner.RestoreStart first = list.get(0);
            out.append("| ").append(name).append(" | ").append(calls(first.firstCalls(), 1)).append(" | ")
                    .append(warm == 0 ? "-" : calls(first.warmCalls(), warm)).append(" | ")
                    .append(num(first.firstCalls().dynamoDb(), 1)).append(" / ")
                    .append(warm == 0 ? "-" : num(first.warmCalls().dynamoDb(), warm)).append(" |\n");
        });
        return out.append('\n').toString();
    }

    // ---------------------------------------------------------------- sections

    static String setup(Path javaHome, LambdaJvm.Credentials credentials, int runs, int warm, Path task, Path runtimeDir,
                        Stand stand) throws IOException {
        StringBuilder out = new StringBuilder("## Setup\n\n");
        out.append("- machine: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ").append(memTotal()).append('\n');
        out.append("- JDK running the functions: ").append(javaVersion(javaHome)).append('\n');
        out.append("- runtime client: ").append(Layout.runtimeJars(runtimeDir).stream()
                .map(p -> p.getFileName().toString()).filter(n -> n.contains("runtime-interface-client")).findFirst().orElse("?"))
                .append('\n');
        out.append("- JVM options (Lambda's launcher, 1024 MB): `")
                .append(String.join(" ", LambdaJvm.lambdaJvmOptions(1024, Path.of("<jni>"))))
                .append("` plus the template's JAVA_TOOL_OPTIONS\n");
        out.append("- credentials: ").append(credentials == LambdaJvm.Credentials.CONTAINER
                ? "container credentials endpoint (as under SnapStart)" : "environment variables").append('\n');
        out.append("- lasting sessions: on; DynamoDB Local in the harness's JVM (in memory) behind a counting proxy, tables ")
                .append(String.join(", ", stand.tables())).append('\n');
        out.append("- task root: ").append(task).append('\n');
        out.append("- ").append(runs).append(" cold starts per function and of the stream floor, each preceded by one of the floor; ")
                .append(warm).append(" warm invocations after each\n\n");
        return out.toString();
    }

    static String sizes(Stand stand) {
        long task = Layout.size(stand.task());
        long floor = Layout.size(stand.floorTask());
        return "## Artifact\n\n| artifact | size | jars in lib/ |\n|---|---:|---:|\n"
                + "| functions (login, gate, myCloudFunction share CodeUri) | " + mib(task) + " | " + Layout.jarCount(stand.task()) + " |\n"
                + "| floors (HelloWorld, StreamHelloWorld + aws-lambda-java-core) | " + mib(floor) + " | " + Layout.jarCount(stand.floorTask()) + " |\n\n";
    }

    static String coldStarts(Runner runner, Stand stand, List<Subject> subjects, int runs, int warm)
            throws InterruptedException {
        Map<String, Long> dynamoBefore = stand.dynamoDbCallsByOperation();
        Subject floor = subjects.stream().filter(Subject::isFloor).findFirst().orElseThrow();
        List<Subject> functions = subjects.stream().filter(s -> !s.isFloor()).toList();
        Map<String, List<Runner.ColdStart>> results = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        Map<String, List<Double>> cpuRatios = new LinkedHashMap<>();
        results.put(floor.name(), new ArrayList<>());
        functions.forEach(f -> {
            results.put(f.name(), new ArrayList<>());
            ratios.put(f.name(), new ArrayList<>());
            cpuRatios.put(f.name(), new ArrayList<>());
        });
        for (int run = 0; run < runs; run++) {
            // Each function right after a floor start; the order rotates so no function always goes first.
            for (int i = 0; i < functions.size(); i++) {
                Subject function = functions.get((i + run) % functions.size());
                Runner.ColdStart base = runner.coldStart(floor, warm);
                Runner.ColdStart measured = runner.coldStart(function, warm);
                results.get(floor.name()).add(base);
                results.get(function.name()).add(measured);
                ratios.get(function.name()).add((double) measured.coldNanos() / base.coldNanos());
                cpuRatios.get(function.name()).add((double) measured.coldCpuMillis() / Math.max(10, base.coldCpuMillis()));
                System.err.printf(Locale.ROOT, "run %d: floor %.0f ms, %s %.0f ms (x%.2f)%n", run + 1,
                        base.coldNanos() / 1e6, function.name(), measured.coldNanos() / 1e6,
                        (double) measured.coldNanos() / base.coldNanos());
            }
        }
        StringBuilder out = new StringBuilder("## Cold starts (fresh JVM, launch -> first response)\n\n");
        out.append("| function | cold ms median (min-max) | x floor, same run: median (min-max) | init ms | first invoke ms"
                + " | cold CPU ms | CPU x floor | warm ms median (min-max) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        results.forEach((name, list) -> {
            out.append("| ").append(name).append(" | ").append(range(list, c -> c.coldNanos() / 1e6, "%.0f"));
            out.append(" | ").append(ratios.containsKey(name) ? range(ratios.get(name), r -> r, "%.2f") : "1");
            out.append(" | ").append(median(list, c -> c.initNanos() / 1e6, "%.0f"));
            out.append(" | ").append(median(list, c -> (c.coldNanos() - c.initNanos()) / 1e6, "%.0f"));
            out.append(" | ").append(median(list, c -> (double) c.coldCpuMillis(), "%.0f"));
            out.append(" | ").append(cpuRatios.containsKey(name) ? median(cpuRatios.get(name), r -> r, "%.2f") : "1");
            List<Double> warmMs = list.stream().flatMap(c -> Arrays.stream(c.warmNanos()).mapToObj(n -> n / 1e6)).toList();
            out.append(" | ").append(range(warmMs, w -> w, "%.2f")).append(" |\n");
        });
        out.append("\n## Outbound calls per invocation (Secrets Manager GetSecretValue / WeChat / container credentials;"
                + " DynamoDB)\n\n");
        out.append("| function | cold (first) invocation | warm invocation (mean of ").append(warm)
                .append(") | DynamoDB: cold / warm |\n|---|---|---|---|\n");
        results.forEach((name, list) -> {
            Runner.ColdStart first = list.get(0);
            Runner.Calls w = first.warmCalls();
            out.append("| ").append(name).append(" | ").append(calls(first.coldCalls(), 1)).append(" | ")
                    .append(warm == 0 ? "-" : calls(w, warm)).append(" | ")
                    .append(num(first.coldCalls().dynamoDb(), 1)).append(" / ")
                    .append(warm == 0 ? "-" : num(w.dynamoDb(), warm)).append(" |\n");
        });
        Map<String, Long> dynamoOperations = new TreeMap<>();
        stand.dynamoDbCallsByOperation().forEach((operation, count) -> {
            long during = count - dynamoBefore.getOrDefault(operation, 0L);
            if (during > 0) {
                dynamoOperations.put(operation, during);
            }
        });
        out.append("\nDynamoDB requests during these cold starts, by operation: ")
                .append(dynamoOperations.isEmpty() ? "none" : dynamoOperations.toString()).append('\n');
        return out.append('\n').toString();
    }

    static String footprints(Runner runner, List<Subject> subjects, int[] checkpoints) throws InterruptedException {
        StringBuilder out = new StringBuilder("## Peak resident memory (VmHWM) in one process\n\n| function | MemorySize | -XX:MaxHeapSize |");
        for (int c : checkpoints) {
            out.append(" after ").append(c).append(" |");
        }
        out.append(" growth |\n|---|---:|---:|");
        out.append("---:|".repeat(checkpoints.length + 1)).append('\n');
        for (Subject subject : subjects) {
            Runner.Footprint f = runner.footprint(subject, checkpoints);
            out.append("| ").append(f.subject()).append(" | ").append(f.memoryMb()).append(" MB | ")
                    .append(Math.round(f.memoryMb() * 1024 * LambdaJvm.HEAP_SHARE)).append("k |");
            for (long kb : f.peakRssKb()) {
                out.append(String.format(Locale.ROOT, " %.1f MB |", kb / 1024.0));
            }
            long growth = f.peakRssKb()[f.peakRssKb().length - 1] - f.peakRssKb()[0];
            out.append(String.format(Locale.ROOT, " %+.1f MB |%n", growth / 1024.0));
            System.err.println("footprint " + f.subject() + ": " + Arrays.toString(f.peakRssKb()) + " kB");
        }
        return out.append('\n').toString();
    }

    // ---------------------------------------------------------------- helpers

    static <T> String range(List<T> values, ToDoubleFunction<T> f, String format) {
        double[] sorted = values.stream().mapToDouble(f).sorted().toArray();
        return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")",
                median(sorted), sorted[0], sorted[sorted.length - 1]);
    }

    static <T> String median(List<T> values, ToDoubleFunction<T> f, String format) {
        return String.format(Locale.ROOT, format, median(values.stream().mapToDouble(f).sorted().toArray()));
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String calls(Runner.Calls c, int per) {
        return String.format(Locale.ROOT, "%s / %s / %s", num(c.secretsManager(), per), num(c.wechat(), per),
                num(c.credentials(), per));
    }

    private static String num(long total, int per) {
        return per == 1 || total % per == 0 ? Long.toString(total / per) : String.format(Locale.ROOT, "%.2f", (double) total / per);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1024.0 / 1024.0);
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.exists(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        return Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
    }

    private static String memTotal() throws IOException {
        Path meminfo = Path.of("/proc/meminfo");
        if (!Files.exists(meminfo)) {
            return "?";
        }
        return Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                .map(l -> String.format(Locale.ROOT, "%.0f GiB RAM",
                        Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).orElse("?");
    }

    private static String javaVersion(Path javaHome) throws IOException {
        Path release = javaHome.resolve("release");
        if (!Files.exists(release)) {
            return javaHome.toString();
        }
        return Files.readAllLines(release).stream()
                .filter(l -> l.startsWith("IMPLEMENTOR=") || l.startsWith("JAVA_RUNTIME_VERSION="))
                .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", "")).reduce((a, b) -> a + " " + b)
                .orElse(javaHome.toString());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --name value pairs; got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
