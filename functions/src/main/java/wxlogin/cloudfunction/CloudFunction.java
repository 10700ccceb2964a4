package wxlogin.cloudfunction;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Invocation;
import wxlogin.common.Json;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.common.SnapStartHook;
import wxlogin.http.ApiGatewayJson;
import wxlogin.http.HttpApiFunction;
import wxlogin.http.HttpResponses;
import wxlogin.priming.Priming;

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

    /** What a cloud function runs for one call: {@link #call}, or priming's stand-in for it. */
    private interface Call {
        Object call(JsonNode data, WxContext context) throws Exception;
    }

    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;
    /** The function's name, as its route names it: the class's simple name, first letter lower case. */
    private final String name;
    /** {@link #call} as a {@link Call}, made once (not on the first request after a restore). */
    private final Call own = this::call;

    protected CloudFunction() {
        this.name = nameOf(getClass());
        Invocation.startedAs(name);
        // Priming: the base's part of a call (see prime); nothing to refresh after a restore.
        this.snapStartHook = SnapStartHook.register(this::prime, () -> { });
    }

    /** {@code MyCloudFunction} -> {@code myCloudFunction}: the name in its route and in logs and metrics. */
    static String nameOf(Class<?> function) {
        String simple = function.getSimpleName();
        return simple.isEmpty() ? simple : Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
    }

    /** The SnapStart hooks, for tests. */
    final SnapStartHook snapStartHook() {
        return snapStartHook;
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context lambda) {
        return answer(event, lambda, own);
    }

    /**
     * SnapStart priming of what every cloud function runs: a call through Lambda's stream entry
     * (reading the event and {@code {data}}, building the context, writing the envelope), with a
     * stand-in for the function's own code, which may have effects priming must not cause; and a
     * bad body's answer. Constants only.
     */
    private void prime() {
        String caller = "{\"userId\":\"priming\",\"appid\":\"wxpriming\",\"loginType\":\"weixinApp\",\"openid\":\"priming\"}";
        String route = "POST /functions/" + getClass().getSimpleName();
        Call sample = (data, context) -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("event", data);
            result.put("openid", context.openid());
            result.put("unionid", context.unionid());
            result.put("wxContext", context.asWxContext());
            return result;
        };
        String ok = primingCall(Priming.httpEvent(route, "{\"data\":{\"text\":\"priming\",\"n\":1,\"list\":[true,null,1.5]}}", caller), sample);
        String bad = primingCall(Priming.httpEvent(route, "[]", caller), sample);
        Priming.expect(ok.contains("cloud.callFunction:ok") && bad.contains("\"statusCode\":400"),
                "the sample call was not answered as a call is");
    }

    private String primingCall(String event, Call sample) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ApiGatewayJson.writeHttpResponse(answer(ApiGatewayJson.readHttpEvent(
                    new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8))), Priming.context(), sample), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event, Context lambda, Call call) {
        try (Invocation.Scope invocation = Invocation.begin(name, lambda.getAwsRequestId())) {
            APIGatewayV2HTTPResponse response = respond(event, lambda, call);
            Metrics.cloudFunctionCall(response.getStatusCode());
            return response;
        }
    }

    private APIGatewayV2HTTPResponse respond(APIGatewayV2HTTPEvent event, Context lambda, Call call) {
        String requestId = lambda.getAwsRequestId();
        deadline = Deadline.fromRemaining(lambda.getRemainingTimeInMillis(), Clock.systemUTC());
        WxContext caller = caller(event);
        if (caller == null) {
            // No authorizer context means the route is not gated: refuse rather than run anonymously.
            Log.error("cloudfunction.no_identity");
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
            body.putRawValue("result", new RawValue(Json.write(call.call(data, caller))));
            body.put("requestID", requestId);
            body.put("errMsg", "cloud.callFunction:ok");
            return HttpResponses.jsonText(200, Json.write(body), null);
        } catch (BadDataException e) {
            Log.warn("cloudfunction.bad_data", "field", e.field());
            return fail(400, ErrorCodes.BAD_DATA, e.getMessage(), requestId);
        } catch (CloudFunctionException e) {
            Log.warn("cloudfunction.failed", "status", e.status(), "errCode", e.errCode());
            return fail(e.status(), e.errCode(), e.getMessage(), requestId, e.retryAfterSeconds());
        } catch (Exception e) {
            Log.error("cloudfunction.error", "type", e.getClass().getName());
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
