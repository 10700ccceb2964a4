// Level: integration, static - the runbook's Logs Insights queries run over sample log lines; README holds their exact text.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.it.template.Template.list;
import static wxlogin.it.template.Template.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code ops/queries/*.logsinsights} against {@code ops/queries/samples/}: each query returns the
 * rows it should, and nothing once a field it filters on is misspelled (so these tests can fail).
 * The samples are held to the code (each application line's event and keys are a {@code Log} call
 * site's in {@code functions/}, each metric record to {@code ops/metrics.md}, each access-log line
 * to the template's access log format), and README's runbook quotes every query as it is.
 */
class RunbookTest {

    private static final Path OPS = ProjectFiles.root().resolve("ops/queries");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String README = ProjectFiles.read(ProjectFiles.root().resolve("README.md"));
    private static final String FUNCTIONS = "functions.jsonl";
    private static final String ACCESS_LOG = "access-log.jsonl";
    /** A call site whose keys this test cannot read (they come as one array). */
    private static final String ANY_KEY = "*";
    /** Fields every application line has, whatever its call site ({@code timestamp}: what Logs Insights shows as @timestamp). */
    private static final Set<String> STANDARD_FIELDS = Set.of("timestamp", "level", "event", "function", "requestId");

    private record Expected(String samples, String sortedBy, List<Map<String, Object>> rows) {
    }

    /** Every query, the sample file it reads and the rows it must return (in any order among ties). */
    private static final Map<String, Expected> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("login-failures", new Expected(FUNCTIONS, "answers", List.of(
                row("event", "login.rejected", "status", 503, "errCode", 900503, "answers", 3),
                row("event", "login.rejected", "status", 502, "errCode", 900502, "answers", 2),
                row("event", "login.internal_error", "status", null, "errCode", null, "answers", 1))));
        EXPECTED.put("wechat-failures", new Expected(FUNCTIONS, "failures", List.of(
                row("Function", "login", "Api", "code2verifyinfo", "Outcome", "errcode", "wechatErrcode", 40029, "failures", 3),
                row("Function", "login", "Api", "code2verifyinfo", "Outcome", "unavailable", "wechatErrcode", null, "failures", 2),
                row("Function", "account", "Api", "unregisteruser", "Outcome", "errcode", "wechatErrcode", 40001, "failures", 1))));
        EXPECTED.put("wechat-slow-calls", new Expected(FUNCTIONS, "slowCalls", List.of(
                row("Function", "login", "Api", "code2verifyinfo", "slowCalls", 2, "slowestMs", 5200),
                row("Function", "getPhoneNumber", "Api", "stable_token", "slowCalls", 1, "slowestMs", 3100))));
        EXPECTED.put("wechat-quota", new Expected(FUNCTIONS, "@timestamp", List.of(
                row("@timestamp", "2026-12-07T09:10:23.000Z", "Function", "getPhoneNumber", "Api", "getuserphonenumber",
                        "wechatErrcode", 45009, "rid", "6571a2c0-3f4a5b6c-7d8e9fa0",
                        "requestId", "0b7e0122-1c2d-4e5f-8a9b-000000000122"),
                row("@timestamp", "2026-12-07T09:10:21.000Z", "Function", "login", "Api", "code2verifyinfo",
                        "wechatErrcode", 45011, "rid", "6571a2b4-2e3f4a5b-6c7d8e9f",
                        "requestId", "0b7e0120-1c2d-4e5f-8a9b-000000000120"))));
        EXPECTED.put("gate-denials", new Expected(FUNCTIONS, "denials", List.of(
                row("reason", "UNKNOWN_KID", "denials", 3),
                row("reason", "NO_BEARER_TOKEN", "denials", 2),
                row("reason", "EXPIRED", "denials", 1))));
        EXPECTED.put("api-throttled", new Expected(ACCESS_LOG, "throttled", List.of(
                row("routeKey", "POST /login", "integrationStatus", "-", "throttled", 3),
                row("routeKey", "POST /login", "integrationStatus", "200", "throttled", 2),
                row("routeKey", "POST /functions/myCloudFunction", "integrationStatus", "-", "throttled", 1))));
        EXPECTED.put("api-server-errors", new Expected(ACCESS_LOG, "answers", List.of(
                row("routeKey", "POST /login", "status", "503", "integrationError", "-", "authorizerError", "-", "answers", 3),
                row("routeKey", "POST /functions/myCloudFunction", "status", "500", "integrationError", "-",
                        "authorizerError", "The authorizer failed", "answers", 2),
                row("routeKey", "POST /session/refresh", "status", "500", "integrationError", "Rate Exceeded.",
                        "authorizerError", "-", "answers", 1))));
        EXPECTED.put("dependency-failures", new Expected(FUNCTIONS, "failures", List.of(
                row("Function", "login", "Dependency", "DynamoDB", "kind", "unavailable", "failures", 3),
                row("Function", "gate", "Dependency", "SecretsManager", "kind", "unavailable", "failures", 2),
                row("Function", "session", "Dependency", "DynamoDB", "kind", "throttled", "failures", 1))));
        EXPECTED.put("refresh-reuse", new Expected(FUNCTIONS, "reuses", List.of(
                row("userId", "u-7Hq2", "reuses", 3),
                row("userId", "u-K9s1", "reuses", 1))));
        EXPECTED.put("errors", new Expected(FUNCTIONS, "lines", List.of(
                row("function", "gate", "event", "gate.no_signing_keys", "lines", 3),
                row("function", "session", "event", "session.internal_error", "lines", 2),
                row("function", "login", "event", "login.internal_error", "lines", 1))));
    }

    // ------------------------------------------------------------------ the queries on the samples

    @Test
    void everyQueryIsTested() {
        assertThat(queryNames()).isEqualTo(new TreeSet<>(EXPECTED.keySet()));
    }

    @Test
    void everyQueryReturnsItsRowsOnTheSamples() {
        EXPECTED.forEach((name, expected) -> {
            List<Map<String, Object>> rows = run(query(name), expected.samples());
            assertThat(rows).as(name).hasSameSizeAs(expected.rows());
            List<Map<String, Object>> shown = rows.stream().map(r -> normalized(LogsInsights.display(r))).toList();
            assertThat(shown).as(name).containsExactlyInAnyOrderElementsOf(expected.rows().stream().map(RunbookTest::normalized).toList());
            // Sorted as the query says (Logs Insights promises no order among ties, so neither does this).
            List<Object> keys = rows.stream().map(r -> LogsInsights.field(r, expected.sortedBy())).toList();
            for (int i = 1; i < keys.size(); i++) {
                Object before = keys.get(i - 1);
                Object after = keys.get(i);
                boolean descending = before instanceof Number && after instanceof Number
                        ? number(before) >= number(after) : String.valueOf(before).compareTo(String.valueOf(after)) >= 0;
                assertThat(descending).as(name + " sorted by " + expected.sortedBy() + ", descending: " + keys).isTrue();
            }
        });
    }

    @Test
    void aMisspelledFieldInAQuerysFilterReturnsNothing() {
        EXPECTED.forEach((name, expected) -> {
            String query = query(name);
            Matcher filter = Pattern.compile("(?m)^(\\| )?filter (.*)$").matcher(query);
            assertThat(filter.find()).as(name + " filters").isTrue();
            Matcher field = Pattern.compile("[A-Za-z@][A-Za-z0-9_.@]*").matcher(filter.group(2));
            assertThat(field.find()).isTrue();
            String misspelled = query.substring(0, filter.start(2))
                    + filter.group(2).replaceAll("\\b" + Pattern.quote(field.group()) + "\\b", field.group() + "x")
                    + query.substring(filter.end(2));
            assertThat(run(misspelled, expected.samples())).as(name + " with " + field.group() + "x").isEmpty();
        });
    }

    // ------------------------------------------------------------------ the samples against the code

    @Test
    void sampleLinesUseTheEventsAndKeysOfTheCodesLogCallSites() throws IOException {
        Map<String, Set<String>> callSites = logCallSites();
        assertThat(callSites).containsKeys("login.rejected", "gate.denied", "session.reuse_detected");
        int lines = 0;
        for (Map<String, Object> line : samples(FUNCTIONS)) {
            if (line.containsKey("_aws")) {
                continue;
            }
            lines++;
            String event = String.valueOf(line.get("event"));
            assertThat(callSites).as("a Log call site logs " + event).containsKey(event);
            assertThat(line.keySet()).as(event).containsAll(Set.of("timestamp", "level", "event", "function"));
            assertThat(line.get("level")).as(event).isIn("INFO", "WARN", "ERROR");
            assertThat(CatalogueFunctions.NAMES).as(event + " function").contains(String.valueOf(line.get("function")));
            for (String key : line.keySet()) {
                if (!STANDARD_FIELDS.contains(key) && !callSites.get(event).contains(ANY_KEY)) {
                    assertThat(callSites.get(event)).as("keys of " + event + "'s call sites").contains(key);
                }
            }
        }
        assertThat(lines).isGreaterThan(20);
    }

    @Test
    void sampleMetricRecordsAreEmbeddedMetricFormatOfCatalogueMetrics() {
        MetricCatalogue catalogue = MetricCatalogue.load();
        int records = 0;
        for (Map<String, Object> line : samples(FUNCTIONS)) {
            if (!line.containsKey("_aws")) {
                continue;
            }
            records++;
            for (Object directive : list(map(line.get("_aws")).get("CloudWatchMetrics"))) {
                assertThat(map(directive).get("Namespace")).isEqualTo("WeixinAppLogin");
                for (Object m : list(map(directive).get("Metrics"))) {
                    String name = String.valueOf(map(m).get("Name"));
                    MetricCatalogue.Metric metric = catalogue.metric(name);
                    assertThat(metric).as(name).isNotNull();
                    assertThat(map(m).get("Unit")).as(name + " unit").isEqualTo(metric.unit());
                    assertThat(line.get(name)).as(name + " value").isInstanceOf(Number.class);
                    for (Object set : list(map(directive).get("Dimensions"))) {
                        Set<String> names = new LinkedHashSet<>();
                        list(set).forEach(d -> names.add(String.valueOf(d)));
                        assertThat(metric.hasDimensionSet(names)).as(name + " " + names).isTrue();
                        names.forEach(d -> assertThat(metric.allows(d, String.valueOf(line.get(d)))).as(name + " " + d + "=" + line.get(d)).isTrue());
                    }
                }
            }
        }
        assertThat(records).isGreaterThan(5);
    }

    @Test
    void accessLogSamplesHaveTheFieldsOfTheTemplatesAccessLogFormat() throws IOException {
        Set<String> format = JSON.readValue(AlarmsTest.accessLogLine("200", "POST /login", "200"), Map.class).keySet();
        for (Map<String, Object> line : samples(ACCESS_LOG)) {
            assertThat(line.keySet()).isEqualTo(format);
            // API Gateway writes every $context value as a string in this format.
            line.values().forEach(v -> assertThat(v).isInstanceOf(String.class));
        }
    }

    // ------------------------------------------------------------------ README

    @Test
    void theReadmeRunbookQuotesEveryQueryAsItIsAndCoversEveryAlarm() {
        String runbook = section(README, "## Alarms and runbook");
        for (String name : queryNames()) {
            String file = "ops/queries/" + name + ".logsinsights";
            assertThat(runbook).as("README names " + file).contains("`" + file + "`");
            assertThat(runbook).as("README quotes " + file + " exactly").contains("```\n" + query(name) + "```\n");
        }
        Set<String> runbooks = new TreeSet<>();
        for (String id : AlarmsTest.TEMPLATE.idsOfType(AlarmsTest.ALARM)) {
            String description = String.valueOf(AlarmsTest.TEMPLATE.properties(id).get("AlarmDescription"));
            Matcher m = Pattern.compile("Runbook: README.md, \"Alarms and runbook\", (\\w+)\\.$").matcher(description.strip());
            assertThat(m.find()).as(id + " names its runbook entry").isTrue();
            runbooks.add(m.group(1));
        }
        for (String entry : runbooks) {
            assertThat(runbook).as("README runbook entry " + entry).containsPattern("(?m)^#### .*`" + entry + "`");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The Function values of ops/metrics.md. */
    private static final class CatalogueFunctions {
        static final Set<String> NAMES = MetricCatalogue.load().functionResources().keySet();
    }

    static Set<String> queryNames() {
        try (Stream<Path> files = Files.list(OPS)) {
            Set<String> names = new TreeSet<>();
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".logsinsights"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".logsinsights".length())));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String query(String name) {
        return ProjectFiles.read(OPS.resolve(name + ".logsinsights"));
    }

    private static List<Map<String, Object>> run(String query, String samples) {
        return LogsInsights.run(query, samples(samples));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> samples(String file) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : ProjectFiles.read(OPS.resolve("samples").resolve(file)).split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readValue(line, Map.class));
                } catch (IOException e) {
                    throw new AssertionError("not a JSON line in " + file + ": " + line, e);
                }
            }
        }
        return out;
    }

    /**
     * Event -> keys of every {@code Log.info/warn/error("event", k, v, ...)} call in functions/
     * (the keys: the string literals at the odd argument positions).
     */
    static Map<String, Set<String>> logCallSites() throws IOException {
        Map<String, Set<String>> sites = new TreeMap<>();
        Pattern call = Pattern.compile("Log\\.(?:info|warn|error)\\(\\s*\"([^\"]+)\"");
        try (Stream<Path> files = Files.walk(ProjectFiles.root().resolve("functions/src/main/java"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher m = call.matcher(source);
                while (m.find()) {
                    List<String> args = arguments(source, m.end());
                    Set<String> keys = sites.computeIfAbsent(m.group(1), e -> new TreeSet<>());
                    if (args.size() % 2 == 1) {
                        // The pairs come as one array built elsewhere (a helper's varargs): any key.
                        keys.add(ANY_KEY);
                        continue;
                    }
                    for (int i = 0; i < args.size(); i += 2) {
                        String key = args.get(i).strip();
                        assertThat(key).as("a key of " + m.group(1) + " in " + file.getFileName()).matches("\"\\w+\"");
                        keys.add(key.substring(1, key.length() - 1));
                    }
                }
            }
        }
        return sites;
    }

    /** The arguments after the event, split at top-level commas, up to the call's closing parenthesis. */
    private static List<String> arguments(String source, int from) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        boolean inString = false;
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (inString) {
                current.append(c);
                if (c == '\\') {
                    current.append(source.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth-- == 0) {
                    if (!current.toString().isBlank()) {
                        args.add(current.toString());
                    }
                    return args;
                }
            } else if (c == ',' && depth == 0) {
                if (!current.toString().isBlank()) {
                    args.add(current.toString());
                }
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        throw new AssertionError("unterminated Log call");
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertThat(start).as("README has " + heading).isGreaterThanOrEqualTo(0);
        int end = markdown.indexOf("\n## ", start + heading.length() + 2);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        return row;
    }

    /** Numbers as doubles, so 3 (a JSON int), 3L (a count) and 3.0 compare equal. */
    private static Map<String, Object> normalized(Map<String, Object> row) {
        Map<String, Object> out = new HashMap<>();
        row.forEach((k, v) -> out.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
        return out;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
