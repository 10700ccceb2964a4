// Level: build check (runs last, in its own JVM, after every other test JVM of integration-tests) - no log line of the run holds a secret, key, code or token the run created.
package wxlogin.it.reliability.secrecy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;
import wxlogin.testing.SecretLedger.Kind;

/**
 * The one log-secrecy check of the run. Surefire writes each test class's stdout and stderr (the
 * Lambda logger, the local API's access log, the SDK, Jazzer...) to
 * {@code target/surefire-reports/<class>-output.txt} ({@code redirectTestOutputToFile}); stray
 * output of a forked JVM lands in {@code *.dumpstream}. This class runs in the POM's last Surefire
 * execution, after the JVMs of the other executions have ended, and reads all of those files
 * against the {@link SecretLedger} every JVM wrote:
 * <ul>
 *   <li>every recorded value (app secrets, signing keys, secret strings, WeChat codes, access
 *       tokens, session tokens and their signatures, session_keys) must appear in no line;</li>
 *   <li>any JWS-shaped string in a line whose HS256 signature verifies under a recorded signing key
 *       is a session token the run minted (whoever minted it) and is a leak too.</li>
 * </ul>
 * A leak fails the build; the report names file, line and kind, never the value.
 */
class LogSecrecyCheck {

    /** Long enough that a match is never an accident. */
    private static final int INDEX_LENGTH = SecretLedger.MIN_LENGTH;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern JWS = Pattern.compile("[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])");

    @Test
    void noLogLineOfTheRunHoldsASecretCodeOrToken() throws IOException {
        Map<Kind, Set<String>> ledger = SecretLedger.readAll();
        List<Path> logs = logFiles();
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        ledger.forEach((kind, values) -> counts.put(kind, values.size()));
        assertThat(logs).as("no test output found in %s: did the other test executions run with redirectTestOutputToFile?",
                reportsDirectories()).isNotEmpty();
        assertThat(ledger.values().stream().mapToInt(Set::size).sum())
                .as("the secret ledger in %s is empty: nothing to check against", SecretLedger.directories()).isPositive();

        Map<String, List<Entry>> index = index(ledger);
        List<byte[]> signingKeys = ledger.get(Kind.SIGNING_KEY).stream()
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        List<String> leaks = new ArrayList<>();
        long lines = 0;
        for (Path log : logs) {
            try (BufferedReader reader = reader(log)) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    lines++;
                    for (Kind kind : leaksIn(line, index, signingKeys)) {
                        leaks.add(log.getFileName() + ":" + number + " holds a " + kind);
                    }
                    // A JSON line (the functions' log lines, EMF records) is read once more as its values
                    // say, unescaped: a value JSON escaping changed must not slip past the raw scan.
                    String values = jsonValues(line);
                    if (values != null && !values.equals(line)) {
                        for (Kind kind : leaksIn(values, index, signingKeys)) {
                            leaks.add(log.getFileName() + ":" + number + " holds a " + kind + " (in a JSON value)");
                        }
                    }
                }
            }
        }

        System.out.printf("log secrecy: %d lines in %d files checked against %s from %d test JVMs; %d leaks%n",
                lines, logs.size(), counts, SecretLedger.jvmCount(), leaks.size());
        assertThat(leaks).as("secrets, codes or tokens in log lines (values withheld)").isEmpty();
        // Checked: the next run starts a fresh ledger (a failing run keeps it, to look into).
        SecretLedger.clear();
    }

    record Entry(Kind kind, String value) {
    }

    /**
     * Values by their last characters (the random end of codes and tokens, where values differ):
     * each line position costs one hash lookup.
     */
    static Map<String, List<Entry>> index(Map<Kind, Set<String>> ledger) {
        Map<String, List<Entry>> index = new HashMap<>();
        ledger.forEach((kind, values) -> values.forEach(value -> index.computeIfAbsent(
                value.substring(value.length() - INDEX_LENGTH), k -> new ArrayList<>()).add(new Entry(kind, value))));
        return index;
    }

    static List<Kind> leaksIn(String line, Map<String, List<Entry>> index, List<byte[]> signingKeys) {
        List<Kind> found = new ArrayList<>();
        for (int end = INDEX_LENGTH; end <= line.length(); end++) {
            List<Entry> candidates = index.get(line.substring(end - INDEX_LENGTH, end));
            if (candidates != null) {
                for (Entry entry : candidates) {
                    int start = end - entry.value().length();
                    if (start >= 0 && line.startsWith(entry.value(), start)) {
                        found.add(entry.kind());
                    }
                }
            }
        }
        Matcher jws = JWS.matcher(line);
        while (jws.find()) {
            if (signedByAny(jws.group(), signingKeys)) {
                found.add(Kind.SESSION_TOKEN);
            }
        }
        return found;
    }

    /** The text of every member name and scalar value of a JSON object line, one a line; null when not a JSON object. */
    static String jsonValues(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(line);
        } catch (java.io.IOException e) {
            return null;
        }
        if (json == null || !json.isObject()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        appendValues(json, text);
        return text.toString();
    }

    private static void appendValues(JsonNode node, StringBuilder text) {
        if (node.isObject()) {
            node.properties().forEach(member -> {
                text.append(member.getKey()).append('\n');
                appendValues(member.getValue(), text);
            });
        } else if (node.isArray()) {
            node.forEach(element -> appendValues(element, text));
        } else {
            text.append(node.asText()).append('\n');
        }
    }

    private static boolean signedByAny(String token, List<byte[]> keys) {
        int dot = token.lastIndexOf('.');
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] input = token.substring(0, dot).getBytes(StandardCharsets.US_ASCII);
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                if (java.security.MessageDigest.isEqual(mac.doFinal(input), signature)) {
                    return true;
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return false;
    }

    /** The Surefire report folders of the run's modules (functions/ and integration-tests/). */
    private static List<Path> reportsDirectories() {
        String configured = System.getProperty("wxlogin.surefireReports", "integration-tests/target/surefire-reports")
                + java.io.File.pathSeparator + System.getProperty("wxlogin.moreSurefireReports", "functions/target/surefire-reports");
        return java.util.Arrays.stream(configured.split(java.io.File.pathSeparator)).filter(d -> !d.isBlank())
                .map(Path::of).toList();
    }

    /** Every class's captured output and every forked JVM's stray output, except this check's own. */
    private static List<Path> logFiles() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : reportsDirectories()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> {
                    String name = f.getFileName().toString();
                    return (name.endsWith("-output.txt") || name.endsWith(".dumpstream"))
                            && !name.startsWith(LogSecrecyCheck.class.getName());
                }).sorted().forEach(all::add);
            }
        }
        return all;
    }

    /** Output may hold any bytes (fuzzers print what they like): read it leniently. */
    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)));
    }
}
