package wxlogin.cloudfunction;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Json;
import wxlogin.common.Log;
import wxlogin.http.HttpApiFunction;
import wxlogin.http.HttpResponses;

/**
 * The base of a gated cloud function, the AWS counterpart of {@code wx.cloud.callFunction}: it
 * reads {@code {"data": ...}}, builds the caller's {@link WxContext} from the authorizer's context
 * only, sets {@code data.userInfo} to the verified {@code {appId, openId}} when data is an object
 * (as WeChat Cloud does, whatever the client sent there), runs {@link #call} and wraps the outcome
 * in the {@code callFunction} envelope. A new cloud function is one subclass plus a few lines of
 * template.yaml; {@link TypedCloudFunction} binds {@code data} to a class of its own.
 */
public abstract class CloudFunction implements HttpApiFunction {

    // Lambda runs one invocation at a time per instance; the local API's pool gives each instance one request.
    private volatile Deadline deadline;

    /**
     * The function's own code.
     *
     * @param data    what the caller passed as {@code data} (a JSON null when absent)
     * @param context the verified caller
     * @return any value Jackson can write: the {@code result}
     */
    protected abstract Object call(JsonNode data, WxContext context) throws Exception;

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context lambda) {
        String requestId = lambda.getAwsRequestId();
        deadline = Deadline.fromRemaining(lambda.getRemainingTimeInMillis(), Clock.systemUTC());
        String name = getClass().getSimpleName();
        WxContext caller = caller(event);
        if (caller == null) {
            // No authorizer context means the route is not gated: refuse rather than run anonymously.
            Log.error("cloudfunction.no_identity", "function", name, "requestId", requestId);
            return fail(500, ErrorCodes.MISCONFIGURED, "the call carries no verified identity", requestId);
        }
        JsonNode data = data(event);
        if (data == null) {
            return fail(400, ErrorCodes.BAD_REQUEST_BODY, "the request body must be a JSON object like {\"data\": ...}",
                    requestId);
        }
        if (data instanceof ObjectNode object) {
            object.set("userInfo", userInfo(caller));
        }
        try {
            // The result is whatever the function returns (JsonNode, records, POJOs), written on its own so
            // the mapper's depth bound applies to it alone: data as deep as a body can carry can be returned.
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.putRawValue("result", new RawValue(Json.write(call(data, caller))));
            body.put("requestID", requestId);
            body.put("errMsg", "cloud.callFunction:ok");
            return HttpResponses.jsonText(200, Json.write(body), null);
        } catch (BadDataException e) {
            Log.warn("cloudfunction.bad_data", "function", name, "field", e.field(), "requestId", requestId);
            return fail(400, ErrorCodes.BAD_DATA, e.getMessage(), requestId);
        } catch (CloudFunctionException e) {
            Log.warn("cloudfunction.failed", "function", name, "status", e.status(), "errCode", e.errCode(),
                    "requestId", requestId);
            return fail(e.status(), e.errCode(), e.getMessage(), requestId, e.retryAfterSeconds());
        } catch (Exception e) {
            Log.error("cloudfunction.error", "function", name, "type", e.getClass().getName(), "requestId", requestId);
            return fail(500, ErrorCodes.INTERNAL, "internal error", requestId);
        }
    }

    /** What the current invocation may still spend on outbound calls (for {@link WeChatApi} and the like). */
    protected final Deadline deadline() {
        Deadline current = deadline;
        return current != null ? current : Deadline.in(0, Clock.systemUTC());
    }

    /** What WeChat Cloud puts in {@code event.userInfo}: the verified app and openid (left out when there is none). */
    private static ObjectNode userInfo(WxContext caller) {
        ObjectNode userInfo = Json.MAPPER.createObjectNode();
        userInfo.put("appId", caller.appid());
        if (caller.openid() != null) {
            userInfo.put("openId", caller.openid());
        }
        return userInfo;
    }

    /** The {@code data} member; a JSON null when the body or the member is absent; null when the body is bad. */
    private static JsonNode data(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null || body.isBlank()) {
            return Json.MAPPER.nullNode();
        }
        if (event.getIsBase64Encoded()) {
            try {
                body = new String(Base64.getDecoder().decode(body.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        JsonNode json = Json.objectOrNull(body);
        if (json == null) {
            return null;
        }
        JsonNode data = json.get("data");
        return data == null ? Json.MAPPER.nullNode() : data;
    }

    private static WxContext caller(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext request = event.getRequestContext();
        if (request == null || request.getAuthorizer() == null || request.getAuthorizer().getLambda() == null) {
            return null;
        }
        Map<String, Object> lambda = request.getAuthorizer().getLambda();
        String userId = string(lambda.get("userId"));
        if (userId == null) {
            return null;
        }
        String sourceIp = request.getHttp() == null ? null : request.getHttp().getSourceIp();
        return new WxContext(userId, string(lambda.get("appid")), string(lambda.get("loginType")),
                string(lambda.get("openid")), string(lambda.get("unionid")), WxContext.SOURCE, sourceIp);
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static APIGatewayV2HTTPResponse fail(int status, long errCode, String reason, String requestId) {
        return fail(status, errCode, reason, requestId, null);
    }

    private static APIGatewayV2HTTPResponse fail(int status, long errCode, String reason, String requestId,
                                                 Integer retryAfterSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errCode", errCode);
        body.put("errMsg", "cloud.callFunction:fail " + reason);
        body.put("requestID", requestId);
        return HttpResponses.json(status, body, retryAfterSeconds);
    }
}
