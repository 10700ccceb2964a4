// Level: integration, process - ./bin/local as a newcomer runs it: help, a busy port, a JAVA_HOME too old, a quiet --check.
package wxlogin.it.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wxlogin.it.template.ProjectFiles;

/**
 * Runs the real {@code bin/local} script (JDK choice, option checks, the JVM it starts) on the
 * classes this build already made ({@code WXLOGIN_LOCAL_CLASSPATH}: no second Maven build), and
 * checks what a person sees: the message, the exit status, and that no process stays behind.
 */
class LocalCommandTest {

    /** How a run ended: its exit status and everything it printed (stdout and stderr, in order). */
    record Run(int exit, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    @Test
    void helpListsTheOptionsAndExitsAtOnce() throws Exception {
        Run run = bin_local(Map.of(), "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.output()).contains("--port N", "--wechat-port N", "--check", "--metrics", "--verbose", "--template PATH")
                .doesNotContain("Exception");
    }

    @Test
    void aBusyApiPortIsOneLineNamingPortAndNothingStaysRunning() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            // --check: a script waits for this one, so it must end even when the API cannot start.
            Run run = bin_local(Map.of(), "--check", "--port", Integer.toString(port), "--wechat-port", "0");
            assertThat(run.exit()).isEqualTo(1);
            // The JAVA_HOME it was given (a JDK >= 21) is the one it uses, said on the first line.
            assertThat(run.lines().get(0)).isEqualTo("Using JDK " + Runtime.version().feature() + " at " + javaHome());
            assertThat(run.lines()).filteredOn(l -> l.startsWith("error:")).singleElement().asString()
                    .contains("port " + port).contains("--port N").contains("already in use");
            assertNoStackTrace(run);
            assertThat(running("--port " + port)).as("processes left behind").isEmpty();
        }
    }

    @Test
    void aBusyWeChatPortNamesWechatPortAndATooOldJavaHomeIsSaid(@TempDir Path dir) throws Exception {
        Path oldJdk = fakeJdk(dir, 17);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            // Not --check: the serving run must give up too, not wait for Ctrl+C.
            Run run = bin_local(Map.of("JAVA_HOME", oldJdk.toString()), "--port", "0", "--wechat-port", Integer.toString(port));
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.lines().get(0)).startsWith("Using JDK ")
                    .endsWith(", not JAVA_HOME=" + oldJdk + " (JDK 17, older than 21)");
            assertThat(run.lines()).filteredOn(l -> l.startsWith("error:")).singleElement().asString()
                    .contains("port " + port).contains("--wechat-port N");
            assertNoStackTrace(run);
            assertThat(running("--wechat-port " + port)).as("processes left behind").isEmpty();
        }
    }

    @Test
    void aCheckRunIsQuietAndDoesNotOfferCtrlC(@TempDir Path dir) throws Exception {
        // A copy of the template in a folder of its own: its path tells this run's processes from
        // any other ./bin/local on the machine.
        Path template = Files.copy(ProjectFiles.template(), dir.resolve("template.yaml"));
        Run run = bin_local(Map.of(), "--check", "--port", "0", "--wechat-port", "0", "--template", template.toString());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.lines().get(0)).startsWith("Using JDK ");
        assertThat(run.output()).contains("(the whole flow works)")
                .doesNotContain("Press Ctrl+C")
                // Library and JDK chatter only with --verbose.
                .doesNotContain("SLF4J").doesNotContain("WARNING:").doesNotContain("Initializing DynamoDB Local");
        assertThat(running(template.toString())).as("processes left behind").isEmpty();
    }

    @Test
    void withMetricsEachRecordOfTheSelfCheckIsOneReadableLine(@TempDir Path dir) throws Exception {
        Path template = Files.copy(ProjectFiles.template(), dir.resolve("template.yaml"));
        Run run = bin_local(Map.of(), "--check", "--metrics", "--port", "0", "--wechat-port", "0",
                "--template", template.toString());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.lines()).as(run.output())
                .contains("metric Login=1 Function=login Outcome=ok LoginType=app errCode=0",
                        "metric Login=1 Function=login Outcome=ok LoginType=miniProgram errCode=0",
                        "metric GateDecision=1 Function=gate Outcome=allow",
                        "metric CloudFunctionCall=1 Function=myCloudFunction Outcome=ok",
                        "metric Refresh=1 Function=session Outcome=ok")
                .anyMatch(l -> l.matches("metric WeChatLatency=\\d+ Function=login Api=code2verifyinfo"))
                .noneMatch(l -> l.startsWith("{\"_aws\""));
        // Without --metrics the records are left out; the functions' log lines stay.
        Run quiet = bin_local(Map.of(), "--check", "--port", "0", "--wechat-port", "0", "--template", template.toString());
        assertThat(quiet.lines()).as(quiet.output()).noneMatch(l -> l.startsWith("metric ") || l.contains("\"_aws\""))
                .anyMatch(l -> l.startsWith("{\"level\":\"INFO\",\"event\":\"login.ok\""));
    }

    @Test
    void aMistypedOptionFailsBeforeAnyBuild() throws Exception {
        Run run = bin_local(Map.of(), "--prot", "3000");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.lines()).containsExactly("error: unknown option --prot (./bin/local --help lists the options)");
    }

    // ------------------------------------------------------------------ helpers

    private static Run bin_local(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(ProjectFiles.root().resolve("bin/local").toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ProjectFiles.root().toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome());
        builder.environment().put("WXLOGIN_LOCAL_CLASSPATH", classPath());
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("bin/local " + String.join(" ", args) + " did not exit:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    /** This test JVM's JDK: a JDK 21 or newer (the build's). */
    private static String javaHome() {
        return Path.of(System.getProperty("java.home")).toString();
    }

    /** The class path this module's tests run with: local's classes and their runtime dependencies. */
    private static String classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }

    /** Processes of this machine whose command line holds {@code marker} (bin/local's JVM, its shell). */
    private static List<String> running(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid())
                .map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains(marker) && (line.contains("LocalMain") || line.contains("bin/local")))
                .toList();
    }

    private static void assertNoStackTrace(Run run) {
        assertThat(run.lines()).as(run.output()).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread"));
    }

    /** A folder that looks like a JDK of this version to bin/find-jdk.sh: bin/java and bin/javac. */
    private static Path fakeJdk(Path dir, int version) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("jdk-" + version + "/bin"));
        Files.writeString(bin.resolve("java"), "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\n");
        Files.writeString(bin.resolve("javac"), "#!/bin/sh\nexit 0\n");
        bin.resolve("java").toFile().setExecutable(true);
        bin.resolve("javac").toFile().setExecutable(true);
        return bin.getParent();
    }
}
