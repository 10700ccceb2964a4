package wxlogin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Json;

/** Reads a small JSON object body from API Gateway, decoding base64 bodies first. */
public final class RequestBodies {

    /** Our requests are a few hundred bytes; a larger body is not one of ours. */
    public static final int MAX_BODY_CHARS = 8 * 1024;

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private RequestBodies() {
    }

    /**
     * @param example what a valid body looks like, for the error message
     * @throws ApiException 400 when the body is missing, too large, not UTF-8 JSON or not an object
     */
    public static Map<String, Object> jsonObject(String body, boolean base64, String example) {
        if (body == null || body.isBlank()) {
            throw badBody("Send a JSON body like " + example + ".", "empty body");
        }
        if (body.length() > (base64 ? MAX_BODY_CHARS * 4 / 3 + 4 : MAX_BODY_CHARS)) {
            throw badBody("The request body is too large; send only " + example + ".", "body too large");
        }
        String text = body;
        if (base64) {
            try {
                text = new String(Base64.getDecoder().decode(body.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw badBody("The request body is not valid base64-encoded JSON; send " + example + ".", "bad base64");
            }
        }
        Map<String, Object> json = objectOrNull(text);
        if (json == null) {
            throw badBody("The request body must be a JSON object like " + example + ".", "not a JSON object");
        }
        return json;
    }

    /** The JSON object in the text as a map (strings, Long, Double, Boolean, List, Map, null), else null. */
    private static Map<String, Object> objectOrNull(String text) {
        try {
            return Json.MAPPER.readValue(text, OBJECT);
        } catch (JsonProcessingException e) {
            // Malformed, too deep, a duplicate key, trailing data, or not an object.
            return null;
        }
    }

    private static ApiException badBody(String message, String cause) {
        return new ApiException(400, ErrorCodes.BAD_REQUEST_BODY, message, cause);
    }
}
