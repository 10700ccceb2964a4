// Test helper (no tests): the outage drill's table - function x dependency x fault x warm/cold -> the answer the contract asks for - and the requests, contexts and answers it is made of.
package wxlogin.it.drill;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wxlogin.it.faults.FaultProxy;
import wxlogin.it.template.Template;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.testing.FakeContext;

/**
 * The drill's table. A later function (mini-program login, account deletion, openapi cloud
 * functions) adds a {@link Function} with its dependencies and its answers in {@link #expected};
 * a later dependency (EventBridge, the user directory) adds a {@link Dependency} with its faults.
 */
final class Drill {

    /** Hang cases give the handler this much remaining time, so the drill stays short; one case per function uses the template's Timeout. */
    static final int SHORT_DEADLINE_MILLIS = 2_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Drill() {
    }

    /** What the function talks to, and how each fault looks on that wire. */
    enum Dependency {
        WECHAT_STABLE_TOKEN("WeChat stable_token", WeChatSandbox.STABLE_TOKEN_PATH),
        WECHAT_CODE2VERIFYINFO("WeChat code2verifyinfo", WeChatSandbox.CODE2VERIFYINFO_PATH),
        SECRETS_MANAGER("Secrets Manager", "GetSecretValue"),
        /** Every DynamoDB operation (GetItem, TransactWriteItems, UpdateItem) fails. */
        DYNAMODB("DynamoDB", null);

        final String label;
        /** The proxy's operation (X-Amz-Target suffix, or WeChat's path); null: every request. */
        final String operation;

        Dependency(String label, String operation) {
            this.label = label;
            this.operation = operation;
        }

        FaultProxy proxy(DrillStand stand) {
            return switch (this) {
                case WECHAT_STABLE_TOKEN, WECHAT_CODE2VERIFYINFO -> stand.wechatProxy;
                case SECRETS_MANAGER -> stand.secretsProxy;
                case DYNAMODB -> stand.dynamoProxy;
            };
        }

        boolean isWeChat() {
            return this == WECHAT_STABLE_TOKEN || this == WECHAT_CODE2VERIFYINFO;
        }

        /** The fault as this dependency's wire carries it. */
        FaultProxy.Fault fault(FaultKind kind) {
            return switch (kind) {
                case REFUSED -> FaultProxy.refuse();
                case RESET_MID_POOL -> FaultProxy.reset();
                case HANG -> FaultProxy.hang();
                case HTTP_5XX_JSON -> switch (this) {
                    case WECHAT_STABLE_TOKEN, WECHAT_CODE2VERIFYINFO ->
                            FaultProxy.answer(500, "application/json", "{\"errcode\":-1,\"errmsg\":\"system error\"}");
                    case SECRETS_MANAGER -> FaultProxy.jsonServerError(500, "1.1", "InternalServiceError");
                    case DYNAMODB -> FaultProxy.jsonServerError(500, "1.0", "com.amazonaws.dynamodb.v20120810#InternalServerError");
                };
                case HTTP_5XX_TEXT -> isWeChat() ? FaultProxy.answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>")
                        : FaultProxy.plainServerError(this == SECRETS_MANAGER ? 500 : 503);
                case THROTTLED -> switch (this) {
                    // WeChat's quota answer: HTTP 200 with errcode 45009 (daily quota used up).
                    case WECHAT_STABLE_TOKEN, WECHAT_CODE2VERIFYINFO -> FaultProxy.answer(200, "application/json",
                            "{\"errcode\":45009,\"errmsg\":\"reach max api daily quota limit\"}");
                    case SECRETS_MANAGER -> FaultProxy.secretsManagerThrottling();
                    case DYNAMODB -> FaultProxy.dynamoDbThrottling();
                };
            };
        }
    }

    enum FaultKind {
        /** The port is closed: open connections reset, new ones refused (for WeChat: the whole host). */
        REFUSED("refused"),
        /** Pooled connections reset, and every new request's connection reset before an answer. */
        RESET_MID_POOL("reset mid-pool"),
        /** Requests read, never answered. */
        HANG("hang past the deadline"),
        HTTP_5XX_JSON("5xx, JSON body"),
        HTTP_5XX_TEXT("5xx, not JSON"),
        /** AWS: the service's throttling error; WeChat: errcode 45009 (quota). */
        THROTTLED("throttling");

        final String label;

        FaultKind(String label) {
            this.label = label;
        }
    }

    enum Instance { WARM, COLD }

    /** The functions that exist today, with the template resource whose Timeout is their deadline. */
    enum Function {
        LOGIN("POST /login", "CodeExchangeFunction", EnumSet.of(Dependency.WECHAT_STABLE_TOKEN,
                Dependency.WECHAT_CODE2VERIFYINFO, Dependency.SECRETS_MANAGER, Dependency.DYNAMODB)),
        /**
         * {@code POST /functions/myCloudFunction} as API Gateway chains it: the gate (CallGateHandler)
         * decides, then MyCloudFunction runs. The function reads nothing itself: the chain's only
         * dependency is the gate's, Secrets Manager. The deadline is the gate's Timeout.
         */
        GATE_AND_MY_CLOUD_FUNCTION("gate + POST /functions/myCloudFunction", "CallGateFunction",
                EnumSet.of(Dependency.SECRETS_MANAGER)),
        REFRESH("POST /session/refresh", "SessionFunction", EnumSet.of(Dependency.SECRETS_MANAGER, Dependency.DYNAMODB)),
        LOGOUT("POST /logout", "SessionFunction", EnumSet.of(Dependency.DYNAMODB));

        final String label;
        final String templateId;
        final Set<Dependency> dependencies;

        Function(String label, String templateId, Set<Dependency> dependencies) {
            this.label = label;
            this.templateId = templateId;
            this.dependencies = dependencies;
        }

        /** The function's Timeout in template.yaml, in milliseconds. */
        int templateTimeoutMillis() {
            Object timeout = Template.load().properties(templateId).get("Timeout");
            return Integer.parseInt(String.valueOf(timeout)) * 1_000;
        }

        /** The gate bounds its Secrets Manager read by its own cap, not by the remaining time: it always runs at its Timeout. */
        boolean readsRemainingTime() {
            return this != GATE_AND_MY_CLOUD_FUNCTION;
        }
    }

    /** The answer a client gets. */
    enum Outcome {
        OK("200 (204 for logout)"),
        OK_WITHOUT_REFRESH_TOKEN("200 without refreshToken"),
        TOO_MANY_REQUESTS_429("429 + Retry-After"),
        BAD_GATEWAY_502("502"),
        UNAVAILABLE_503("503 + Retry-After"),
        GATEWAY_TIMEOUT_504("504"),
        /** The contract's one exception: a cold gate with no key fails the invocation, API Gateway answers 500. */
        GATE_FAILS_API_GATEWAY_500("invocation fails: API Gateway 500");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    /** One row. */
    record Case(Function function, Dependency dependency, FaultKind fault, Instance instance, int deadlineMillis,
                Outcome expected) {

        @Override
        public String toString() {
            return function + " " + dependency + " " + fault + " " + instance + " " + deadlineMillis + "ms";
        }
    }

    /** Every row: each function x each of its dependencies x each fault x warm/cold, plus one hang per function at its template Timeout. */
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Function function : Function.values()) {
            for (Dependency dependency : function.dependencies) {
                for (FaultKind fault : FaultKind.values()) {
                    for (Instance instance : Instance.values()) {
                        int deadline = fault == FaultKind.HANG && function.readsRemainingTime()
                                ? SHORT_DEADLINE_MILLIS : function.templateTimeoutMillis();
                        cases.add(new Case(function, dependency, fault, instance, deadline,
                                expected(function, dependency, fault, instance)));
                    }
                }
            }
        }
        // The bound at the real deadline (the gate's rows already run at its Timeout).
        cases.add(atTemplateTimeout(Function.LOGIN, Dependency.WECHAT_CODE2VERIFYINFO, Instance.COLD));
        cases.add(atTemplateTimeout(Function.REFRESH, Dependency.DYNAMODB, Instance.WARM));
        cases.add(atTemplateTimeout(Function.LOGOUT, Dependency.DYNAMODB, Instance.COLD));
        return cases;
    }

    private static Case atTemplateTimeout(Function function, Dependency dependency, Instance instance) {
        return new Case(function, dependency, FaultKind.HANG, instance, function.templateTimeoutMillis(),
                expected(function, dependency, FaultKind.HANG, instance));
    }

    /**
     * The contract's answer. Warm instances have served a request and then had their cached secrets
     * come due (the TTL passed), so a fault meets a re-read with a cached value to fall back on.
     */
    static Outcome expected(Function function, Dependency dependency, FaultKind fault, Instance instance) {
        return switch (function) {
            case LOGIN -> switch (dependency) {
                // Warm: the access token is cached; only a refused host also stops code2verifyinfo.
                case WECHAT_STABLE_TOKEN -> instance == Instance.WARM && fault != FaultKind.REFUSED ? Outcome.OK
                        : weChat(fault);
                case WECHAT_CODE2VERIFYINFO -> weChat(fault);
                case SECRETS_MANAGER -> instance == Instance.WARM ? Outcome.OK : Outcome.UNAVAILABLE_503;
                // The code is spent: the login succeeds, without a lasting session.
                case DYNAMODB -> Outcome.OK_WITHOUT_REFRESH_TOKEN;
            };
            case GATE_AND_MY_CLOUD_FUNCTION -> instance == Instance.WARM ? Outcome.OK : Outcome.GATE_FAILS_API_GATEWAY_500;
            case REFRESH -> dependency == Dependency.SECRETS_MANAGER && instance == Instance.WARM ? Outcome.OK
                    : Outcome.UNAVAILABLE_503;
            case LOGOUT -> Outcome.UNAVAILABLE_503;
        };
    }

    private static Outcome weChat(FaultKind fault) {
        return switch (fault) {
            case REFUSED, RESET_MID_POOL, HANG -> Outcome.UNAVAILABLE_503;
            case HTTP_5XX_JSON, HTTP_5XX_TEXT -> Outcome.BAD_GATEWAY_502;
            case THROTTLED -> Outcome.TOO_MANY_REQUESTS_429;
        };
    }

    // ------------------------------------------------------------------ requests and answers

    static FakeContext context(int remainingMillis) {
        return new FakeContext(remainingMillis);
    }

    static APIGatewayV2HTTPEvent loginEvent(String code) {
        return post("POST /login", "/login", "{\"code\":\"" + code + "\"}");
    }

    static APIGatewayV2HTTPEvent sessionEvent(String path, String refreshToken) {
        return post("POST " + path, path, "{\"refreshToken\":\"" + refreshToken + "\"}");
    }

    private static APIGatewayV2HTTPEvent post(String routeKey, String path, String body) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(routeKey).withRawPath(path)
                .withHeaders(Map.of("content-type", "application/json")).withBody(body).withIsBase64Encoded(false)
                .build();
    }

    static APIGatewayV2CustomAuthorizerEvent gateEvent(String token) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        headers.put("authorization", "Bearer " + token);
        return APIGatewayV2CustomAuthorizerEvent.builder().withVersion("2.0").withType("REQUEST")
                .withRouteArn("arn:aws:execute-api:us-east-1:000000000000:drill/$default/POST/functions/myCloudFunction")
                .withIdentitySource(List.of("Bearer " + token))
                .withRouteKey("POST /functions/myCloudFunction").withRawPath("/functions/myCloudFunction")
                .withRawQueryString("").withHeaders(headers).build();
    }

    /** The call API Gateway makes after the gate allowed, with the gate's context. */
    static APIGatewayV2HTTPEvent functionEvent(Map<String, String> gateContext) {
        APIGatewayV2HTTPEvent event = post("POST /functions/myCloudFunction", "/functions/myCloudFunction",
                "{\"data\":{\"drill\":true}}");
        APIGatewayV2HTTPEvent.RequestContext requestContext = new APIGatewayV2HTTPEvent.RequestContext();
        requestContext.setRequestId("drill-" + System.nanoTime());
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setLambda(new HashMap<>(gateContext));
        requestContext.setAuthorizer(authorizer);
        event.setRequestContext(requestContext);
        return event;
    }

    /**
     * What the client gets. {@code invocationFailure} is set when the handler threw (API Gateway
     * then answers 500 with its own body): the exception, to check that it is the outage and not a bug.
     */
    record Answer(int status, Map<String, String> headers, String body, RuntimeException invocationFailure) {

        static Answer of(APIGatewayV2HTTPResponse response) {
            return new Answer(response.getStatusCode(), response.getHeaders() == null ? Map.of() : response.getHeaders(),
                    response.getBody(), null);
        }

        static Answer apiGateway500(RuntimeException failure) {
            return new Answer(500, Map.of("Content-Type", "application/json"), "{\"message\":\"Internal Server Error\"}",
                    failure);
        }

        String retryAfter() {
            for (Map.Entry<String, String> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase("Retry-After")) {
                    return header.getValue();
                }
            }
            return null;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** For the table: status, errCode, Retry-After. */
        String summary() {
            if (invocationFailure != null) {
                return "invocation fails (" + invocationFailure.getClass().getSimpleName() + "): API Gateway 500";
            }
            StringBuilder text = new StringBuilder().append(status);
            if (status >= 400 && body != null && body.startsWith("{") && json().has("errCode")) {
                text.append(" ").append(json().get("errCode").asLong());
            }
            if (status == 200 && body != null && body.contains("\"token\"") && !body.contains("refreshToken")) {
                text.append(" without refreshToken");
            }
            if (retryAfter() != null) {
                text.append(", Retry-After ").append(retryAfter());
            }
            return text.toString();
        }

        @Override
        public String toString() {
            return summary();
        }
    }
}
