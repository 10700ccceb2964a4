package wxlogin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of CloudWatch's embedded metric format specification, as a checker independent of
 * the library that writes the records: {@link #violations} lists what a record breaks (empty: it
 * is a valid EMF record). {@link #CATALOGUE} is README's metric catalogue: each metric's unit and
 * dimension sets, which the template's alarms and dashboard rely on.
 */
public final class EmfSpec {

    /** The units the specification allows. */
    static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");

    /** A metric of the catalogue: its unit and its dimension sets (each led by Function). */
    public record Entry(String unit, Set<List<String>> dimensionSets) {
    }

    public static final Map<String, Entry> CATALOGUE = Map.ofEntries(
            Map.entry("Login", new Entry("Count", Set.of(List.of("Function"), List.of("Function", "Outcome"),
                    List.of("Function", "LoginType")))),
            Map.entry("WeChatCall", new Entry("Count", Set.of(List.of("Function", "Api"), List.of("Function", "Outcome")))),
            Map.entry("WeChatLatency", new Entry("Milliseconds", Set.of(List.of("Function", "Api")))),
            Map.entry("StableTokenFetch", new Entry("Count", Set.of(List.of("Function")))),
            Map.entry("GateDecision", new Entry("Count", Set.of(List.of("Function"), List.of("Function", "Outcome")))),
            Map.entry("GateDenied", new Entry("Count", Set.of(List.of("Function", "Reason")))),
            Map.entry("Refresh", new Entry("Count", Set.of(List.of("Function", "Outcome")))),
            Map.entry("ReuseDetected", new Entry("Count", Set.of(List.of("Function")))),
            Map.entry("Revocation", new Entry("Count", Set.of(List.of("Function", "Reason")))),
            Map.entry("DirectoryLinkCreated", new Entry("Count", Set.of(List.of("Function")))),
            Map.entry("AccountDeletion", new Entry("Count", Set.of(List.of("Function", "Outcome")))),
            Map.entry("DependencyFailure", new Entry("Count", Set.of(List.of("Function", "Dependency")))),
            Map.entry("Restore", new Entry("Count", Set.of(List.of("Function")))),
            Map.entry("CloudFunctionCall", new Entry("Count", Set.of(List.of("Function", "Outcome")))));

    private EmfSpec() {
    }

    /** What {@code record} breaks of the specification; empty when it is a valid EMF record. */
    public static List<String> violations(JsonNode record) {
        List<String> problems = new ArrayList<>();
        if (record == null || !record.isObject()) {
            problems.add("not a JSON object");
            return problems;
        }
        JsonNode aws = record.get("_aws");
        if (aws == null || !aws.isObject()) {
            problems.add("_aws is not an object");
            return problems;
        }
        JsonNode timestamp = aws.get("Timestamp");
        if (timestamp == null || !timestamp.isIntegralNumber() || timestamp.asLong() < 0) {
            problems.add("_aws.Timestamp is not a non-negative integer (milliseconds since the epoch)");
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray()) {
            problems.add("_aws.CloudWatchMetrics is not an array");
            return problems;
        }
        for (JsonNode directive : directives) {
            directive(record, directive, problems);
        }
        return problems;
    }

    private static void directive(JsonNode record, JsonNode directive, List<String> problems) {
        JsonNode namespace = directive.get("Namespace");
        if (namespace == null || !namespace.isTextual() || namespace.asText().isEmpty() || namespace.asText().length() > 255) {
            problems.add("Namespace is not a string of 1 to 255 characters");
        }
        JsonNode dimensions = directive.get("Dimensions");
        if (dimensions == null || !dimensions.isArray()) {
            problems.add("Dimensions is not an array");
        } else {
            for (JsonNode set : dimensions) {
                if (!set.isArray() || set.size() > 30) {
                    problems.add("a dimension set is not an array of at most 30 names: " + set);
                    continue;
                }
                for (JsonNode name : set) {
                    JsonNode value = name.isTextual() ? record.get(name.asText()) : null;
                    if (value == null || !value.isTextual()) {
                        problems.add("dimension " + name + " is not a top-level string member");
                    }
                }
            }
        }
        JsonNode metrics = directive.get("Metrics");
        if (metrics == null || !metrics.isArray() || metrics.size() > 100) {
            problems.add("Metrics is not an array of at most 100 definitions");
            return;
        }
        Set<String> names = new HashSet<>();
        for (JsonNode metric : metrics) {
            JsonNode name = metric.get("Name");
            if (name == null || !name.isTextual() || name.asText().isEmpty() || name.asText().length() > 255) {
                problems.add("a metric's Name is not a string of 1 to 255 characters");
                continue;
            }
            if (!names.add(name.asText())) {
                problems.add("metric " + name + " is defined twice");
            }
            JsonNode unit = metric.get("Unit");
            if (unit != null && (!unit.isTextual() || !UNITS.contains(unit.asText()))) {
                problems.add("metric " + name + " has a unit the specification does not list: " + unit);
            }
            JsonNode resolution = metric.get("StorageResolution");
            if (resolution != null && !(resolution.isIntegralNumber() && (resolution.asInt() == 1 || resolution.asInt() == 60))) {
                problems.add("metric " + name + " has a StorageResolution other than 1 or 60");
            }
            JsonNode value = record.get(name.asText());
            if (value == null || !(value.isNumber() || value.isArray() && value.size() <= 100
                    && java.util.stream.StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isNumber))) {
                problems.add("metric " + name + " is not a top-level number or array of at most 100 numbers");
            }
        }
    }

    /** What {@code record} breaks of the catalogue (name, unit, dimension sets); empty when it matches. */
    public static List<String> catalogueViolations(JsonNode record) {
        List<String> problems = new ArrayList<>();
        for (JsonNode directive : record.path("_aws").path("CloudWatchMetrics")) {
            Set<List<String>> sets = new HashSet<>();
            directive.path("Dimensions").forEach(set -> {
                List<String> names = new ArrayList<>();
                set.forEach(name -> names.add(name.asText()));
                sets.add(names);
            });
            for (JsonNode metric : directive.path("Metrics")) {
                Entry entry = CATALOGUE.get(metric.path("Name").asText());
                if (entry == null) {
                    problems.add("metric " + metric.path("Name") + " is not in the catalogue");
                } else if (!entry.unit().equals(metric.path("Unit").asText())) {
                    problems.add("metric " + metric.path("Name") + " has unit " + metric.path("Unit") + ", not " + entry.unit());
                } else if (!entry.dimensionSets().containsAll(sets)) {
                    problems.add("metric " + metric.path("Name") + " has dimension sets " + sets + ", the catalogue "
                            + entry.dimensionSets());
                }
            }
        }
        return problems;
    }
}
