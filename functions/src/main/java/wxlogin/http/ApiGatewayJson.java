package wxlogin.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import wxlogin.common.Json;

/**
 * API Gateway's payload 2.0 events and answers as JSON, at the Lambda boundary of the stream
 * handlers: the aws-lambda-java-events classes read and written with the project's one mapper
 * ({@link Json#MAPPER}: strict about duplicate keys and trailing data), so the handlers' logic
 * and its tests keep one vocabulary.
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

    public static APIGatewayV2HTTPEvent readHttpEvent(InputStream in) throws IOException {
        return read(in, APIGatewayV2HTTPEvent.class);
    }

    /** The answer as API Gateway reads it: statusCode, headers, cookies, body, isBase64Encoded (absent when unset). */
    public static void writeHttpResponse(APIGatewayV2HTTPResponse response, OutputStream out) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(response));
    }

    public static APIGatewayV2CustomAuthorizerEvent readAuthorizerEvent(InputStream in) throws IOException {
        return read(in, APIGatewayV2CustomAuthorizerEvent.class);
    }

    /** {@code {"isAuthorized": ..., "context": {...}}}: the simple answer of a payload 2.0 authorizer. */
    public static void writeSimpleResponse(SimpleIAMPolicyResponse response, OutputStream out) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(response));
    }

    private static <T> T read(InputStream in, Class<T> type) throws IOException {
        byte[] bytes = in.readNBytes(MAX_EVENT_BYTES + 1);
        if (bytes.length > MAX_EVENT_BYTES) {
            throw new NotAnEventException("event larger than " + MAX_EVENT_BYTES + " bytes");
        }
        T event;
        try {
            event = Json.MAPPER.readValue(bytes, type);
        } catch (JacksonException e) {
            // Never the event itself, nor Jackson's message (it quotes the input): it carries tokens and codes.
            throw new NotAnEventException("event is not a JSON object of the expected shape");
        }
        if (event == null) {
            throw new NotAnEventException("event is not a JSON object of the expected shape");
        }
        return event;
    }
}
