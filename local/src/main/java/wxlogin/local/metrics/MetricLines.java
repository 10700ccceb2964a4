package wxlogin.local.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The local run's stdout, where the functions write their metric records (CloudWatch's embedded
 * metric format, one JSON line each) among their log lines: with {@code --metrics} each record
 * becomes one readable line ({@code metric Login=1 Function=login Outcome=ok LoginType=app errCode=0}:
 * the values, the dimensions, then the properties), otherwise records are left out. Every other
 * line passes unchanged.
 */
public final class MetricLines extends OutputStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Lambda's environment adds to every record: not worth a local reader's attention. */
    private static final Set<String> QUIET = Set.of("_aws", "requestId", "executionEnvironment", "functionVersion",
            "logStreamId", "traceId");

    private final OutputStream out;
    private final boolean show;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    /** @param show true: each record as a readable line; false: records left out */
    public MetricLines(OutputStream out, boolean show) {
        this.out = out;
        this.show = show;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            flushLine();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    private void flushLine() throws IOException {
        byte[] bytes = line.toByteArray();
        line.reset();
        JsonNode record = bytes.length > 8 && bytes[0] == '{' ? record(bytes) : null;
        if (record == null) {
            out.write(bytes);
        } else if (show) {
            out.write((readable(record) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
    }

    private static JsonNode record(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            return node != null && node.isObject() && node.path("_aws").isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code metric <name>=<value>... <dimension>=<value>... <property>=<value>...}. */
    public static String readable(JsonNode record) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> dimensions = new LinkedHashSet<>();
        for (JsonNode directive : record.path("_aws").path("CloudWatchMetrics")) {
            directive.path("Metrics").forEach(metric -> metrics.add(metric.path("Name").asText()));
            directive.path("Dimensions").forEach(set -> set.forEach(name -> dimensions.add(name.asText())));
        }
        List<String> parts = new ArrayList<>();
        parts.add("metric");
        metrics.forEach(name -> parts.add(name + "=" + number(record.get(name))));
        dimensions.forEach(name -> parts.add(name + "=" + record.path(name).asText()));
        record.fieldNames().forEachRemaining(name -> {
            if (!QUIET.contains(name) && !metrics.contains(name) && !dimensions.contains(name)) {
                parts.add(name + "=" + text(record.get(name)));
            }
        });
        return String.join(" ", parts);
    }

    /** 1.0 as 1, 37.5 as 37.5, an array of values as 1,2. */
    private static String number(JsonNode value) {
        if (value == null) {
            return "?";
        }
        if (value.isArray()) {
            List<String> values = new ArrayList<>();
            value.forEach(v -> values.add(number(v)));
            return String.join(",", values);
        }
        double d = value.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String text(JsonNode value) {
        String text = value.isValueNode() ? value.asText() : value.toString();
        return text.contains(" ") ? "\"" + text + "\"" : text;
    }
}
