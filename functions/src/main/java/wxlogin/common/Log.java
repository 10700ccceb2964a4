package wxlogin.common;

import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * One log line per event, as one JSON object: {@code level}, {@code event}, {@code function},
 * {@code requestId} (see {@link Invocation}), then each key/value pair of the call as a field of
 * its own (numbers and booleans stay JSON numbers and booleans, anything else is its string).
 * Jackson escapes every control character, so a client's CR/LF cannot split or forge a line.
 * Callers pass only values that are safe to log: never a code, secret, token or session_key (see
 * the log-secrecy tests).
 *
 * <p>The line goes to {@link LambdaRuntime#getLogger()} as bytes: the runtime client formats only
 * String messages, so under {@code LogFormat: JSON} the object is the log event itself (its fields
 * at the top level in Logs Insights, not inside {@code message}), and ApplicationLogLevel still
 * filters it by the level passed along. Outside Lambda the logger writes to stdout.
 */
public final class Log {

    /** The fields every line starts with; a call's pair with one of these names is left out. */
    private static final Set<String> FIXED = Set.of("level", "event", "function", "requestId");

    private Log() {
    }

    public static void info(String event, Object... keyValues) {
        write(LogLevel.INFO, event, keyValues);
    }

    public static void warn(String event, Object... keyValues) {
        write(LogLevel.WARN, event, keyValues);
    }

    public static void error(String event, Object... keyValues) {
        write(LogLevel.ERROR, event, keyValues);
    }

    /** The line for an event, newline-terminated. */
    static byte[] line(LogLevel level, String event, Object... keyValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            json.setCharacterEscapes(LineSafeEscapes.INSTANCE);
            json.writeStartObject();
            json.writeStringField("level", level.name());
            json.writeStringField("event", event);
            String function = Invocation.function();
            if (function != null) {
                json.writeStringField("function", function);
            }
            String requestId = Invocation.requestId();
            if (requestId != null) {
                json.writeStringField("requestId", requestId);
            }
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                String key = String.valueOf(keyValues[i]);
                if (!FIXED.contains(key)) {
                    json.writeFieldName(key);
                    value(json, keyValues[i + 1]);
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void value(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            json.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else {
            json.writeString(String.valueOf(value));
        }
    }

    private static void write(LogLevel level, String event, Object... keyValues) {
        LambdaRuntime.getLogger().log(line(level, event, keyValues), level);
    }

    /** JSON's own escapes, plus U+2028/U+2029, which some readers take for line breaks. */
    private static final class LineSafeEscapes extends CharacterEscapes {
        static final LineSafeEscapes INSTANCE = new LineSafeEscapes();
        private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");
        private final int[] ascii = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == '\u2028' ? LINE_SEPARATOR : ch == '\u2029' ? PARAGRAPH_SEPARATOR : null;
        }
    }
}
