// Level: integration, static - what the README says against what the template and the code do, for what can drift.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.it.template.Template.map;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's environment variables (names, defaults, ranges), routes and errCode tables, held to
 * template.yaml and to the functions' source: a change to one that forgets the other fails here.
 */
class DocsTest {

    private static final String README = ProjectFiles.read(ProjectFiles.root().resolve("README.md"));
    private static final Template TEMPLATE = Template.load();
    /** The "## API" section: the contract's documentation (other sections may quote other codes). */
    private static final String API_SECTION = section(README, "## API");
    private static final Pattern ENV_ROW = Pattern.compile("^\\| (`[A-Z][A-Z0-9_]+`(?:, `[A-Z0-9_]+`)*)[^|]*\\|(.*)$", Pattern.MULTILINE);

    // ------------------------------------------------------------------ environment variables

    @Test
    void everyVariableTheTemplateSetsIsInTheReadmesTableAndTheOtherWayRound() {
        Set<String> documented = documentedVariables().keySet();
        Set<String> declared = new TreeSet<>();
        TEMPLATE.functionIds().forEach(id -> declared.addAll(TEMPLATE.environment(id).keySet()));
        declared.remove("JAVA_TOOL_OPTIONS");
        assertThat(documented).as("README's environment variables").containsAll(declared);
        // Documented but never set by the template: only the SDK's endpoint overrides (local runs).
        assertThat(documented.stream().filter(name -> !declared.contains(name)))
                .allSatisfy(name -> assertThat(name).startsWith("AWS_ENDPOINT_URL_"));
    }

    @Test
    void numericVariablesHaveTheSameDefaultAndRangeInTheReadmeTheTemplateAndTheCode() {
        Map<String, long[]> code = codeNumbers();
        assertThat(code).as("env.number(...) calls in functions/").isNotEmpty();
        Map<String, String> rows = documentedVariables();
        Map<String, Object> parameters = TEMPLATE.section("Parameters");
        code.forEach((name, c) -> {
            String row = rows.get(name);
            assertThat(row).as("README row of " + name).isNotNull();
            long[] readmeRange = range(row);
            assertThat(readmeRange).as("README range of " + name + " in: " + row).isNotNull();
            assertThat(readmeRange).as("README range of " + name).containsExactly(c[1], c[2]);
            assertThat(firstNumber(row.substring(row.lastIndexOf('|', row.length() - 2)))).as("README default of " + name)
                    .isEqualTo(c[0]);
            String parameter = parameterOf(name);
            if (parameter != null) {
                Map<String, Object> p = map(parameters.get(parameter));
                assertThat(List.of(number(p.get("Default")), number(p.get("MinValue")), number(p.get("MaxValue"))))
                        .as("template parameter " + parameter + " (Default, MinValue, MaxValue) for " + name)
                        .containsExactly(c[0], c[1], c[2]);
            }
        });
    }

    @Test
    void everyTemplateParameterIsInTheReadme() {
        assertThat(TEMPLATE.section("Parameters").keySet())
                .allSatisfy(name -> assertThat(README).as("README names parameter " + name).contains("`" + name));
    }

    // ------------------------------------------------------------------ routes

    @Test
    void theReadmeDocumentsEveryRouteAndNoOther() {
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("^###.*$", Pattern.MULTILINE).matcher(API_SECTION);
        while (m.find()) {
            Matcher route = Pattern.compile("`((?:GET|POST|PUT|PATCH|DELETE) /[^`]*)`").matcher(m.group());
            while (route.find()) {
                documented.add(route.group(1));
            }
        }
        Set<String> served = TEMPLATE.routes().stream().map(Template.Route::routeKey).collect(Collectors.toCollection(TreeSet::new));
        for (String route : served) {
            assertThat(documented.stream().anyMatch(doc -> matches(doc, route))).as("README documents " + route).isTrue();
        }
        for (String doc : documented) {
            assertThat(served.stream().anyMatch(route -> matches(doc, route))).as("template serves " + doc).isTrue();
        }
    }

    // ------------------------------------------------------------------ errCodes

    @Test
    void theProjectsErrCodesInTheReadmeAreTheCodesTableWithItsStatuses() throws IOException {
        Map<Long, Integer> code = projectCodes();
        assertThat(code).isNotEmpty();
        Map<Long, Set<Integer>> documented = documentedCodes(c -> c >= 900_000 && c <= 999_999);
        assertThat(documented.keySet()).as("project errCodes in README's tables").isEqualTo(code.keySet());
        code.forEach((c, status) -> assertThat(documented.get(c)).as("README status of " + c).containsOnly(status));
    }

    @Test
    void weChatsErrcodesInTheLoginTableHaveTheStatusesTheCodeGives() throws IOException {
        String login = ProjectFiles.read(ProjectFiles.root().resolve("functions/src/main/java/wxlogin/login/LoginErrors.java"));
        Map<Long, Integer> mapped = new TreeMap<>();
        Matcher single = Pattern.compile("errcode == (-?\\d+)L\\) \\{\\s*return new ApiException\\((\\d{3})").matcher(login);
        while (single.find()) {
            mapped.put(Long.parseLong(single.group(1)), Integer.parseInt(single.group(2)));
        }
        Matcher set = Pattern.compile("MISCONFIGURATION = Set\\.of\\(([^)]*)\\)").matcher(login);
        assertThat(set.find()).as("LoginErrors.MISCONFIGURATION").isTrue();
        for (String n : set.group(1).split(",")) {
            mapped.put(Long.parseLong(n.strip().replace("L", "")), 500);
        }
        assertThat(mapped).hasSizeGreaterThan(5);
        Map<Long, Set<Integer>> documented = documentedCodes(c -> c < 900_000 || c > 999_999);
        mapped.forEach((c, status) -> assertThat(documented.get(c)).as("README row of WeChat errcode " + c).containsOnly(status));
    }

    // ------------------------------------------------------------------ parsing

    /** README rows of the environment variables table: name -> the rest of the row. */
    private static Map<String, String> documentedVariables() {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ENV_ROW.matcher(section(API_SECTION, "### Environment variables"));
        while (m.find()) {
            Matcher names = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(m.group(1));
            while (names.find()) {
                rows.put(names.group(1), m.group(2));
            }
        }
        assertThat(rows).as("README's environment variables table").isNotEmpty();
        return rows;
    }

    /** {@code env.number("NAME", default, min, max)} in functions/: name -> {default, min, max}. */
    private static Map<String, long[]> codeNumbers() {
        Map<String, long[]> found = new TreeMap<>();
        Pattern call = Pattern.compile("env\\.number\\(\"([A-Z0-9_]+)\",\\s*([^,]+),\\s*([^,]+),\\s*([^)]+)\\)");
        for (Path file : functionsSources()) {
            String source = ProjectFiles.read(file);
            Matcher m = call.matcher(source);
            while (m.find()) {
                found.put(m.group(1), new long[] {
                        evaluate(m.group(2), source), evaluate(m.group(3), source), evaluate(m.group(4), source)});
            }
        }
        return found;
    }

    /** A literal, a product of literals, or a constant of the same file defined so. */
    private static long evaluate(String expression, String source) {
        String e = expression.strip();
        if (e.matches("[A-Z_][A-Z0-9_]*")) {
            Matcher constant = Pattern.compile("\\b" + e + "\\s*=\\s*([^;]+);").matcher(source);
            assertThat(constant.find()).as("constant " + e).isTrue();
            return evaluate(constant.group(1), source);
        }
        long product = 1;
        for (String factor : e.split("\\*")) {
            product *= Long.parseLong(factor.strip().replace("_", "").replaceAll("[Ll]$", ""));
        }
        return product;
    }

    /** The template parameter an environment variable takes its value from, or null. */
    private static String parameterOf(String variable) {
        for (String id : TEMPLATE.functionIds()) {
            Object ref = map(TEMPLATE.environment(id).get(variable)).get("Ref");
            if (ref != null) {
                return String.valueOf(ref);
            }
        }
        return null;
    }

    /** "60 s to 7 days", "0 to 300 s" and the like, in seconds. */
    private static long[] range(String text) {
        String unit = "(s|seconds|minutes?|hours?|days?)?";
        Matcher m = Pattern.compile("\\b(\\d[\\d,]*) ?" + unit + " to (\\d[\\d,]*) ?" + unit + "\\b").matcher(text);
        if (!m.find()) {
            return null;
        }
        String lowUnit = m.group(2) == null ? m.group(4) : m.group(2);
        return new long[] {seconds(m.group(1), lowUnit), seconds(m.group(3), m.group(4))};
    }

    private static long seconds(String amount, String unit) {
        long n = Long.parseLong(amount.replace(",", ""));
        return switch (unit == null ? "" : unit) {
            case "", "s", "seconds" -> n;
            case "minute", "minutes" -> n * 60;
            case "hour", "hours" -> n * 3600;
            case "day", "days" -> n * 24 * 3600;
            default -> throw new AssertionError("unit " + unit);
        };
    }

    private static Long firstNumber(String text) {
        Matcher m = Pattern.compile("`(-?\\d+)`").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    private static Long number(Object value) {
        return value == null ? null : Long.parseLong(String.valueOf(value));
    }

    /** ErrorCodes.java: code -> the status its javadoc starts with ("400: ..."). */
    private static Map<Long, Integer> projectCodes() {
        String source = ProjectFiles.read(ProjectFiles.root().resolve("functions/src/main/java/wxlogin/common/ErrorCodes.java"));
        Map<Long, Integer> codes = new TreeMap<>();
        Matcher m = Pattern.compile("/\\*\\*\\s*(\\d{3}):[^/]*\\*/\\s*public static final long [A-Z_]+ = ([\\d_]+);").matcher(source);
        while (m.find()) {
            codes.put(Long.parseLong(m.group(2).replace("_", "")), Integer.parseInt(m.group(1)));
        }
        assertThat(source.split("public static final long", -1)).as("every code has a status in its javadoc")
                .hasSize(codes.size() + 1);
        return codes;
    }

    /** The errCode column of every status table in the API section: code -> the statuses of its rows. */
    private static Map<Long, Set<Integer>> documentedCodes(java.util.function.LongPredicate which) {
        Map<Long, Set<Integer>> documented = new TreeMap<>();
        Matcher row = Pattern.compile("^\\| (\\d{3}) \\| ([^|]+) \\|", Pattern.MULTILINE).matcher(API_SECTION);
        while (row.find()) {
            Matcher number = Pattern.compile("(?<![\\w`])(-?\\d{1,8})(?![\\w])").matcher(row.group(2));
            while (number.find()) {
                long c = Long.parseLong(number.group(1));
                if (which.test(c)) {
                    documented.computeIfAbsent(c, k -> new LinkedHashSet<>()).add(Integer.parseInt(row.group(1)));
                }
            }
        }
        return documented;
    }

    /** A README route such as {@code POST /functions/{name}} covers {@code POST /functions/myCloudFunction}. */
    private static boolean matches(String documented, String routeKey) {
        String regex = Pattern.quote(documented).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
        return routeKey.matches(regex);
    }

    /** From a heading line to the next heading of the same or a higher level. */
    private static String section(String text, String heading) {
        int start = text.indexOf("\n" + heading);
        assertThat(start).as("README has " + heading).isNotNegative();
        int level = heading.indexOf(' ');
        Matcher next = Pattern.compile("^#{1," + level + "} ", Pattern.MULTILINE).matcher(text);
        int end = next.find(start + heading.length() + 1) ? next.start() : text.length();
        return text.substring(start, end);
    }

    private static List<Path> functionsSources() {
        try (Stream<Path> files = Files.walk(ProjectFiles.root().resolve("functions/src/main/java"))) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
