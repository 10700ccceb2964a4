// Level: test utility (integration suite) - the metric catalogue of ops/metrics.md, parsed.
package wxlogin.it.template;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one source of the metrics' names, dimension sets and values: {@code ops/metrics.md}. The
 * template's alarms and dashboard are held to it here; the code that emits the metrics can be held
 * to the same file.
 */
public final class MetricCatalogue {

    /** Values of a dimension that is an open set the code defines ({@code *} in the file). */
    public static final String ANY = "*";

    /** One row: dimension sets (each a set of names), values per dimension, the Function values. */
    public record Metric(String name, String unit, List<Set<String>> dimensionSets, Map<String, Set<String>> values,
                         Set<String> functions) {

        /** Whether these dimension names are exactly one of the metric's dimension sets. */
        public boolean hasDimensionSet(Set<String> names) {
            return dimensionSets.contains(names);
        }

        /** Whether {@code value} is a value the catalogue allows for dimension {@code name}. */
        public boolean allows(String name, String value) {
            if (name.equals("Function")) {
                return functions.contains(value);
            }
            Set<String> allowed = values.get(name);
            return allowed != null && (allowed.contains(ANY) || allowed.contains(value));
        }
    }

    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern SET = Pattern.compile("`\\[([^\\]`]*)\\]`");

    private final Map<String, Metric> metrics;
    private final Map<String, String> functionResources;

    private MetricCatalogue(Map<String, Metric> metrics, Map<String, String> functionResources) {
        this.metrics = metrics;
        this.functionResources = functionResources;
    }

    public static Path file() {
        return ProjectFiles.root().resolve("ops/metrics.md");
    }

    public static MetricCatalogue load() {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        Map<String, String> functions = new LinkedHashMap<>();
        for (String line : ProjectFiles.read(file()).split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
            if (cells.length == 6) {
                String name = ticked(cells[0]).get(0);
                List<Set<String>> sets = new ArrayList<>();
                Matcher set = SET.matcher(cells[2]);
                while (set.find()) {
                    Set<String> names = new LinkedHashSet<>();
                    for (String n : set.group(1).split(",")) {
                        if (!n.isBlank()) {
                            names.add(n.strip());
                        }
                    }
                    sets.add(names);
                }
                Map<String, Set<String>> values = new LinkedHashMap<>();
                for (String part : cells[3].split(";")) {
                    int colon = part.indexOf(':');
                    if (colon > 0) {
                        values.put(part.substring(0, colon).strip(), new LinkedHashSet<>(ticked(part.substring(colon + 1))));
                    }
                }
                Metric metric = new Metric(name, cells[1].strip(), sets, values, new LinkedHashSet<>(ticked(cells[4])));
                if (metrics.put(name, metric) != null) {
                    throw new AssertionError("ops/metrics.md lists " + name + " twice");
                }
            } else if (cells.length == 2) {
                functions.put(ticked(cells[0]).get(0), ticked(cells[1]).get(0));
            }
        }
        return new MetricCatalogue(metrics, functions);
    }

    public Map<String, Metric> metrics() {
        return metrics;
    }

    public Metric metric(String name) {
        return metrics.get(name);
    }

    /** Function dimension value -> the template's function resource. */
    public Map<String, String> functionResources() {
        return functionResources;
    }

    private static List<String> ticked(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
