package wxlogin.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import wxlogin.common.ApiException;
import wxlogin.common.Json;

/** Builds HTTP API (payload 2.0) answers: JSON, never cached, errors in the contract's shape. */
public final class HttpResponses {

    private HttpResponses() {
    }

    public static APIGatewayV2HTTPResponse json(int status, Map<String, ?> body) {
        return json(status, body, null);
    }

    public static APIGatewayV2HTTPResponse json(int status, Map<String, ?> body, Integer retryAfterSeconds) {
        return jsonText(status, body == null ? null : Json.write(body), retryAfterSeconds);
    }

    /** An answer whose JSON text the caller wrote. */
    public static APIGatewayV2HTTPResponse jsonText(int status, String json, Integer retryAfterSeconds) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        // Answers carry tokens: no cache may keep them.
        headers.put("Cache-Control", "no-store");
        if (retryAfterSeconds != null) {
            headers.put("Retry-After", Integer.toString(retryAfterSeconds));
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(headers)
                .withBody(json)
                .withIsBase64Encoded(false)
                .build();
    }

    public static APIGatewayV2HTTPResponse noContent() {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(204)
                .withHeaders(Map.of("Cache-Control", "no-store"))
                .withIsBase64Encoded(false)
                .build();
    }

    /** The contract's error body {@code {"errCode", "errMsg"}}. */
    public static APIGatewayV2HTTPResponse error(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errCode", e.errCode());
        body.put("errMsg", e.clientMessage());
        return json(e.status(), body, e.retryAfterSeconds());
    }
}
