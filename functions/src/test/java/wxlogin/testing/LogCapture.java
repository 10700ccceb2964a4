package wxlogin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import wxlogin.common.Json;

/** Captures what the code under test logs (Lambda's logger prints to System.out outside Lambda). */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    }

    public String text() {
        System.out.flush();
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Every application log line captured (a JSON object with an {@code event}), in order. */
    public List<JsonNode> lines() {
        List<JsonNode> lines = new ArrayList<>();
        text().lines().map(Json::objectOrNull).filter(line -> line != null && line.has("event")).forEach(lines::add);
        return lines;
    }

    /** The captured lines of one event. */
    public List<JsonNode> events(String event) {
        return lines().stream().filter(line -> event.equals(line.path("event").asText())).toList();
    }

    /** Every EMF record captured (a JSON object with {@code _aws}), in order. */
    public List<JsonNode> metrics() {
        List<JsonNode> records = new ArrayList<>();
        text().lines().map(Json::objectOrNull).filter(line -> line != null && line.has("_aws")).forEach(records::add);
        return records;
    }

    /**
     * Fails unless some line of {@code event} has each of the given fields: a value given as a
     * {@link Pattern} must match the field's text, any other value must equal it as text
     * ({@code 503} matches the number 503).
     */
    public JsonNode assertLogged(String event, Object... keyValues) {
        List<JsonNode> candidates = events(event);
        for (JsonNode line : candidates) {
            if (hasAll(line, keyValues)) {
                return line;
            }
        }
        throw new AssertionError("no " + event + " line with " + java.util.Arrays.toString(keyValues)
                + "; lines of that event: " + candidates);
    }

    static boolean hasAll(JsonNode line, Object... keyValues) {
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            JsonNode field = line.get(String.valueOf(keyValues[i]));
            Object expected = keyValues[i + 1];
            if (field == null || field.isContainerNode()) {
                return false;
            }
            String actual = field.isNull() ? "null" : field.asText();
            boolean ok = expected instanceof Pattern pattern ? pattern.matcher(actual).matches()
                    : actual.equals(String.valueOf(expected));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        System.setOut(original);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream first;
        private final ByteArrayOutputStream second;

        TeeStream(PrintStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
