package wxlogin.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small JSON objects as maps: events, request bodies, WeChat answers, secret values and our own
 * answers, read and written with Jackson's streaming core only. Its databind (the ObjectMapper)
 * alone costs about a third of a typed hello world's cold start (BENCHMARKS.md), so the login,
 * session and gate paths never load it. Values read back are String, Long (Double beyond a long's
 * range and for fractions), Boolean, List, Map or null.
 */
public final class JsonObjects {

    // A key given twice at any depth is a classic smuggling trick: readObject rejects it rather than
    // pick one. It sees every object, so Jackson's own detection (a second set of names per object,
    // a tenth of the gate's token check under C1) would only repeat it.
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonObjects() {
    }

    /** The JSON object in {@code text}, or null when it is not exactly one JSON object. */
    public static Map<String, Object> parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, Object> object = readObject(parser);
            // Nothing may follow the object (a second value, or garbage).
            return parser.nextToken() == null ? object : null;
        } catch (IOException | RuntimeException e) {
            // Malformed, too deep, a duplicate key: not one of the objects we accept.
            return null;
        }
    }

    /** Writes a map of strings, numbers, booleans, lists and maps; null members are written as null. */
    public static String write(Map<String, ?> value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeValue(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    /** The member if it is a string, else null (absent, null, or another type). */
    public static String text(Map<String, ?> json, String field) {
        return json != null && json.get(field) instanceof String s ? s : null;
    }

    /** The member if it is an object, else null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, ?> json, String field) {
        return json != null && json.get(field) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    private static Map<String, Object> readObject(JsonParser parser) throws IOException {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int size = object.size();
            object.put(name, readValue(parser, parser.nextToken()));
            if (object.size() == size) {
                throw new JsonParseException(parser, "duplicate key");
            }
        }
        return object;
    }

    private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new JsonParseException(parser, "unexpected end of input");
        }
        return switch (token) {
            case START_OBJECT -> readObject(parser);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    list.add(readValue(parser, next));
                }
                yield list;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonParseException(parser, "unexpected " + token);
        };
    }

    private static void writeValue(JsonGenerator generator, Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            generator.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            generator.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                generator.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof List<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                writeValue(generator, item);
            }
            generator.writeEndArray();
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getSimpleName() + " as JSON");
        }
    }
}
