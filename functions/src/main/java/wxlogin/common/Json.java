package wxlogin.common;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The project's one JSON layer: requests, secrets, WeChat's answers, API Gateway's events and
 * every answer go through {@link #MAPPER}. Strict where JSON is ambiguous (a key given twice at
 * any depth, anything after the value), lenient on unknown fields. Reading and writing share one
 * nesting bound, so whatever was read can be written back.
 */
public final class Json {

    /** Deepest nesting read or written (Jackson's default for reading). */
    public static final int MAX_DEPTH = 1000;
    /** Longest document read, in characters: above Lambda's 6 MB invocation payload, whatever its escaping. */
    public static final long MAX_DOCUMENT_LENGTH = 12L * 1024 * 1024;

    private static final JsonInclude.Value NON_NULL = JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, null);

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH).maxDocumentLength(MAX_DOCUMENT_LENGTH).build())
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    // A duplicated key is a classic smuggling trick: reject rather than pick one.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Integers as Long, never Integer: one type per JSON kind in maps and trees.
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            // API Gateway reads absent members, not nulls, in the answers of aws-lambda-java-events.
            .withConfigOverride(APIGatewayV2HTTPResponse.class, o -> o.setInclude(NON_NULL))
            .withConfigOverride(SimpleIAMPolicyResponse.class, o -> o.setInclude(NON_NULL))
            .build();

    private Json() {
    }

    /** The JSON value in {@code text}, or null when it is not exactly one JSON value. */
    public static JsonNode parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The JSON object in {@code text}, or null when it is not exactly one JSON object. */
    public static JsonNode objectOrNull(String text) {
        JsonNode node = parseOrNull(text);
        return node != null && node.isObject() ? node : null;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** The text of a string field, or null when absent or not a string. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
