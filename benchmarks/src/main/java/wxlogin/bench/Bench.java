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
