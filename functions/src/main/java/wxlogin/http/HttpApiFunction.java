package wxlogin.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An HTTP API (payload 2.0) function. Lambda calls the stream overload (the one with the most
 * parameters), which reads the event and writes the answer with {@link ApiGatewayJson}, the
 * project's one strict mapper, rather than the runtime client's own copy of Jackson. Java callers
 * (tests, the local API's typed fixtures) use the typed overload; both run the same logic.
 */
public interface HttpApiFunction extends RequestStreamHandler {

    /** The function's logic for one request. */
    APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context);

    /** The route key API Gateway matched, or method and path when the event has none (a hand-made event). */
    static String routeKey(APIGatewayV2HTTPEvent event) {
        String routeKey = event.getRouteKey();
        if (routeKey != null && routeKey.indexOf(' ') > 0) {
            return routeKey;
        }
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        String method = context != null && context.getHttp() != null ? context.getHttp().getMethod() : null;
        return method + " " + event.getRawPath();
    }

    /** Lambda's entry point: the event's JSON in, the answer's JSON out. */
    @Override
    default void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ApiGatewayJson.writeHttpResponse(handleRequest(ApiGatewayJson.readHttpEvent(input), context), output);
    }
}
