package wxlogin.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wxlogin.common.JsonObjects;

/**
 * API Gateway's payload 2.0 events and answers as JSON, at the Lambda boundary of the stream
 * handlers. The runtime client would map them by reflection with its own copy of Jackson, which
 * is most of a typed Java handler's cold start (BENCHMARKS.md); here they are read with the JSON
 * reader the JWT library already loads, into the same aws-lambda-java-events classes, so the
 * handlers' logic and its tests keep one vocabulary.
 */
public final class ApiGatewayJson {

    /** API Gateway's payload limit is 10 MB; an event larger than that is not from API Gateway. */
    static final int MAX_EVENT_BYTES = 12 * 1024 * 1024;

    private ApiGatewayJson() {
    }

    /** Thrown when the runtime hands over something that is not an API Gateway event. */
    public static final class NotAnEventException extends IllegalArgumentException {
        NotAnEventException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------ HTTP API (payload 2.0)

    public static APIGatewayV2HTTPEvent readHttpEvent(InputStream in) throws IOException {
        return httpEvent(readObject(in));
    }

    static APIGatewayV2HTTPEvent httpEvent(Map<String, Object> json) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion(string(json, "version"));
        event.setRouteKey(string(json, "routeKey"));
        event.setRawPath(string(json, "rawPath"));
        event.setRawQueryString(string(json, "rawQueryString"));
        event.setCookies(strings(json, "cookies"));
        event.setHeaders(stringMap(json, "headers"));
        event.setQueryStringParameters(stringMap(json, "queryStringParameters"));
        event.setPathParameters(stringMap(json, "pathParameters"));
        event.setStageVariables(stringMap(json, "stageVariables"));
        event.setBody(string(json, "body"));
        event.setIsBase64Encoded(Boolean.TRUE.equals(json.get("isBase64Encoded")));
        Map<String, Object> context = object(json, "requestContext");
        if (context != null) {
            APIGatewayV2HTTPEvent.RequestContext request = new APIGatewayV2HTTPEvent.RequestContext();
            request.setRouteKey(string(context, "routeKey"));
            request.setAccountId(string(context, "accountId"));
            request.setStage(string(context, "stage"));
            request.setApiId(string(context, "apiId"));
            request.setDomainName(string(context, "domainName"));
            request.setDomainPrefix(string(context, "domainPrefix"));
            request.setTime(string(context, "time"));
            request.setTimeEpoch(number(context, "timeEpoch"));
            request.setRequestId(string(context, "requestId"));
            Map<String, Object> http = object(context, "http");
            if (http != null) {
                APIGatewayV2HTTPEvent.RequestContext.Http h = new APIGatewayV2HTTPEvent.RequestContext.Http();
                h.setMethod(string(http, "method"));
                h.setPath(string(http, "path"));
                h.setProtocol(string(http, "protocol"));
                h.setSourceIp(string(http, "sourceIp"));
                h.setUserAgent(string(http, "userAgent"));
                request.setHttp(h);
            }
            Map<String, Object> authorizer = object(context, "authorizer");
            if (authorizer != null) {
                APIGatewayV2HTTPEvent.RequestContext.Authorizer a = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
                // The Lambda authorizer's context (the gate's verified identity); other authorizer kinds are not used here.
                a.setLambda(object(authorizer, "lambda"));
                request.setAuthorizer(a);
            }
            event.setRequestContext(request);
        }
        return event;
    }

    /** The answer as API Gateway reads it: statusCode, headers, cookies, body, isBase64Encoded. */
    public static void writeHttpResponse(APIGatewayV2HTTPResponse response, OutputStream out) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("statusCode", response.getStatusCode());
        putIfPresent(json, "headers", response.getHeaders());
        putIfPresent(json, "multiValueHeaders", response.getMultiValueHeaders());
        putIfPresent(json, "cookies", response.getCookies());
        putIfPresent(json, "body", response.getBody());
        json.put("isBase64Encoded", response.getIsBase64Encoded());
        write(json, out);
    }

    // ------------------------------------------------------------------ Lambda authorizer (payload 2.0, simple answers)

    public static APIGatewayV2CustomAuthorizerEvent readAuthorizerEvent(InputStream in) throws IOException {
        return authorizerEvent(readObject(in));
    }

    static APIGatewayV2CustomAuthorizerEvent authorizerEvent(Map<String, Object> json) {
        APIGatewayV2CustomAuthorizerEvent event = new APIGatewayV2CustomAuthorizerEvent();
        event.setVersion(string(json, "version"));
        event.setType(string(json, "type"));
        event.setRouteArn(string(json, "routeArn"));
        event.setIdentitySource(strings(json, "identitySource"));
        event.setRouteKey(string(json, "routeKey"));
        event.setRawPath(string(json, "rawPath"));
        event.setRawQueryString(string(json, "rawQueryString"));
        event.setCookies(strings(json, "cookies"));
        event.setHeaders(stringMap(json, "headers"));
        event.setQueryStringParameters(stringMap(json, "queryStringParameters"));
        event.setPathParameters(stringMap(json, "pathParameters"));
        event.setStageVariables(stringMap(json, "stageVariables"));
        Map<String, Object> context = object(json, "requestContext");
        if (context != null) {
            APIGatewayV2CustomAuthorizerEvent.RequestContext request = new APIGatewayV2CustomAuthorizerEvent.RequestContext();
            request.setAccountId(string(context, "accountId"));
            request.setApiId(string(context, "apiId"));
            request.setDomainName(string(context, "domainName"));
            request.setDomainPrefix(string(context, "domainPrefix"));
            request.setRequestId(string(context, "requestId"));
            request.setRouteKey(string(context, "routeKey"));
            request.setStage(string(context, "stage"));
            request.setTime(string(context, "time"));
            request.setTimeEpoch(number(context, "timeEpoch"));
            Map<String, Object> http = object(context, "http");
            if (http != null) {
                APIGatewayV2CustomAuthorizerEvent.Http h = new APIGatewayV2CustomAuthorizerEvent.Http();
                h.setMethod(string(http, "method"));
                h.setPath(string(http, "path"));
                h.setProtocol(string(http, "protocol"));
                h.setSourceIp(string(http, "sourceIp"));
                h.setUserAgent(string(http, "userAgent"));
                request.setHttp(h);
            }
            event.setRequestContext(request);
        }
        return event;
    }

    /** {@code {"isAuthorized": ..., "context": {...}}}: the simple answer of a payload 2.0 authorizer. */
    public static void writeSimpleResponse(SimpleIAMPolicyResponse response, OutputStream out) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("isAuthorized", response.getIsAuthorized());
        putIfPresent(json, "context", response.getContext());
        write(json, out);
    }

    /**
     * SnapStart priming: reads a sample of each event and writes a sample of each answer, so the
     * snapshot holds this path loaded. Constants only.
     */
    public static void prime() {
        try {
            APIGatewayV2HTTPEvent http = readHttpEvent(new ByteArrayInputStream(("{\"version\":\"2.0\","
                    + "\"routeKey\":\"POST /login\",\"rawPath\":\"/login\",\"headers\":{\"content-type\":\"application/json\"},"
                    + "\"requestContext\":{\"requestId\":\"priming\",\"timeEpoch\":0,\"http\":{\"method\":\"POST\"},"
                    + "\"authorizer\":{\"lambda\":{\"userId\":\"priming\"}}},\"body\":\"{}\",\"isBase64Encoded\":false}")
                    .getBytes(StandardCharsets.UTF_8)));
            APIGatewayV2CustomAuthorizerEvent authorizer = readAuthorizerEvent(new ByteArrayInputStream(
                    "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"headers\":{\"authorization\":\"priming\"},\"requestContext\":{}}"
                            .getBytes(StandardCharsets.UTF_8)));
            if (http.getRequestContext() == null || authorizer.getHeaders() == null) {
                throw new IllegalStateException("priming: sample events not read");
            }
            OutputStream discard = OutputStream.nullOutputStream();
            writeHttpResponse(APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "application/json")).withBody("{}").build(), discard);
            writeSimpleResponse(SimpleIAMPolicyResponse.builder().withIsAuthorized(false).build(), discard);
        } catch (IOException e) {
            throw new IllegalStateException("priming: in-memory streams cannot fail", e);
        }
    }

    // ------------------------------------------------------------------ JSON

    private static Map<String, Object> readObject(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_EVENT_BYTES + 1);
        if (bytes.length > MAX_EVENT_BYTES) {
            throw new NotAnEventException("event larger than " + MAX_EVENT_BYTES + " bytes");
        }
        Map<String, Object> json = JsonObjects.parseOrNull(new String(bytes, StandardCharsets.UTF_8));
        if (json == null) {
            // Never the event itself in the message: it carries tokens and codes.
            throw new NotAnEventException("event is not a JSON object");
        }
        return json;
    }

    private static void write(Map<String, Object> json, OutputStream out) throws IOException {
        out.write(JsonObjects.write(json).getBytes(StandardCharsets.UTF_8));
    }

    private static void putIfPresent(Map<String, Object> json, String name, Object value) {
        if (value != null) {
            json.put(name, value);
        }
    }

    /** A string member; numbers and booleans as their text (API Gateway sends strings; be lenient). */
    private static String string(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (value instanceof String s) {
            return s;
        }
        return value instanceof Number || value instanceof Boolean ? String.valueOf(value) : null;
    }

    private static long number(Map<String, Object> json, String name) {
        return json.get(name) instanceof Number n ? n.longValue() : 0L;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> json, String name) {
        return json.get(name) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    private static Map<String, String> stringMap(Map<String, Object> json, String name) {
        Map<String, Object> map = object(json, name);
        if (map == null) {
            return null;
        }
        Map<String, String> strings = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            String s = string(map, k);
            if (s != null) {
                strings.put(k, s);
            }
        });
        return strings;
    }

    private static List<String> strings(Map<String, Object> json, String name) {
        if (!(json.get(name) instanceof List<?> list)) {
            return null;
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object item : list) {
            if (item instanceof String s) {
                strings.add(s);
            }
        }
        return strings;
    }
}
