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
 * The drill's table. A later function (account deletion, another openapi cloud function) adds a
 * {@link Function} with its dependencies, its answers in {@link #expected} and the rows worth
 * running in {@link #selected}; a later dependency (EventBridge) adds a {@link Dependency} with its faults.
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
        /** Every DynamoDB operation on SessionsTable (GetItem, TransactWriteItems, UpdateItem) fails. */
        DYNAMODB("DynamoDB SessionsTable", null),
        // ---- issue 19 leftovers: the mini-program login, the user directory, the openapi client ----
        WECHAT_JSCODE2SESSION("WeChat jscode2session", WeChatSandbox.JSCODE2SESSION_PATH),
        WECHAT_PHONE_NUMBER("WeChat getuserphonenumber", WeChatSandbox.PHONE_NUMBER_PATH),
        /** The user directory (UsersTable): every operation fails, the read of a returning person first. */
        USERS_TABLE("DynamoDB UsersTable (user directory)", null),
        /** The user directory's write: a new person's first login, whose read works and whose TransactWriteItems fails. */
        USERS_TABLE_WRITE("DynamoDB UsersTable, a new person's write", "TransactWriteItems");

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
                case WECHAT_JSCODE2SESSION, WECHAT_PHONE_NUMBER -> stand.wechatProxy;
                case USERS_TABLE, USERS_TABLE_WRITE -> stand.usersProxy;
            };
        }

        boolean isWeChat() {
            return this == WECHAT_STABLE_TOKEN || this == WECHAT_CODE2VERIFYINFO || this == WECHAT_JSCODE2SESSION
                    || this == WECHAT_PHONE_NUMBER;
        }

        /** The fault as this dependency's wire carries it. */
        FaultProxy.Fault fault(FaultKind kind) {
            return switch (kind) {
                case REFUSED -> FaultProxy.refuse();
                case RESET_MID_POOL -> FaultProxy.reset();
                case HANG -> FaultProxy.hang();
                case ANSWER_LOST -> FaultProxy.loseAnswer();
                case HTTP_5XX_JSON -> isWeChat()
                        ? FaultProxy.answer(500, "application/json", "{\"errcode\":-1,\"errmsg\":\"system error\"}")
                        : this == SECRETS_MANAGER ? FaultProxy.jsonServerError(500, "1.1", "InternalServiceError")
                        : FaultProxy.jsonServerError(500, "1.0", "com.amazonaws.dynamodb.v20120810#InternalServerError");
                case HTTP_5XX_TEXT -> isWeChat() ? FaultProxy.answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>")
                        : FaultProxy.plainServerError(this == SECRETS_MANAGER ? 500 : 503);
                // WeChat's quota answer: HTTP 200 with errcode 45009 (daily quota used up); jscode2session's
                // own limit is 45011 (100 a minute per user).
                case THROTTLED -> this == WECHAT_JSCODE2SESSION ? FaultProxy.answer(200, "application/json",
                        "{\"errcode\":45011,\"errmsg\":\"api minute-quota reach limit\"}")
                        : isWeChat() ? FaultProxy.answer(200, "application/json",
                        "{\"errcode\":45009,\"errmsg\":\"reach max api daily quota limit\"}")
                        : this == SECRETS_MANAGER ? FaultProxy.secretsManagerThrottling()
                        : FaultProxy.dynamoDbThrottling();
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
        THROTTLED("throttling"),
        /** The request reaches the service and takes effect; its answer is replaced by a 500 (run only where {@link #selected} says). */
        ANSWER_LOST("answer lost (it took effect)");

        final String label;

        FaultKind(String label) {
            this.label = label;
        }
    }

    enum Instance { WARM, COLD }

    /** The functions that exist today, with the template resource whose Timeout is their deadline. */
    enum Function {
        LOGIN("POST /login", "CodeExchangeFunction", EnumSet.of(Dependency.WECHAT_STABLE_TOKEN,
                Dependency.WECHAT_CODE2VERIFYINFO, Dependency.SECRETS_MANAGER, Dependency.DYNAMODB,
                Dependency.USERS_TABLE)),
        /**
         * {@code POST /functions/myCloudFunction} as API Gateway chains it: the gate (CallGateHandler)
         * decides, then MyCloudFunction runs. The function reads nothing itself: the chain's only
         * dependency is the gate's, Secrets Manager. The deadline is the gate's Timeout.
         */
        GATE_AND_MY_CLOUD_FUNCTION("gate + POST /functions/myCloudFunction", "CallGateFunction",
                EnumSet.of(Dependency.SECRETS_MANAGER)),
        REFRESH("POST /session/refresh", "SessionFunction", EnumSet.of(Dependency.SECRETS_MANAGER, Dependency.DYNAMODB)),
        LOGOUT("POST /logout", "SessionFunction", EnumSet.of(Dependency.DYNAMODB)),
        // ---- issue 19 leftovers (rows chosen in selected()) ----
        /** The mini-program build's login: a wx.login code, codeType miniProgram, jscode2session, MINIPROGRAM_SECRET_ID. */
        LOGIN_MINI_PROGRAM("POST /login (codeType miniProgram)", "CodeExchangeFunction",
                EnumSet.of(Dependency.WECHAT_JSCODE2SESSION, Dependency.SECRETS_MANAGER, Dependency.USERS_TABLE_WRITE,
                        Dependency.DYNAMODB)),
        /** The openapi sample, called as API Gateway calls it after the gate allowed (the gate has rows of its own). */
        GET_PHONE_NUMBER("POST /functions/getPhoneNumber", "GetPhoneNumberFunction",
                EnumSet.of(Dependency.WECHAT_STABLE_TOKEN, Dependency.WECHAT_PHONE_NUMBER, Dependency.SECRETS_MANAGER));

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
        GATE_FAILS_API_GATEWAY_500("invocation fails: API Gateway 500"),
        /**
         * The user directory failed after WeChat spent the code: 503 900506 and, by the contract, no
         * Retry-After (a retry with this code can only fail); the errMsg asks for a new code.
         */
        DIRECTORY_UNAVAILABLE_503("503 900506, no Retry-After: log in again with a new code");

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

    /**
     * Every row: each function x each of its dependencies x each fault x warm/cold where
     * {@link #selected} keeps it, plus one hang per function at its template Timeout.
     */
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Function function : Function.values()) {
            for (Dependency dependency : function.dependencies) {
                for (FaultKind fault : FaultKind.values()) {
                    for (Instance instance : Instance.values()) {
                        if (!selected(function, dependency, fault, instance)) {
                            continue;
                        }
                        int deadline = fault == FaultKind.HANG ? SHORT_DEADLINE_MILLIS : function.templateTimeoutMillis();
                        cases.add(new Case(function, dependency, fault, instance, deadline,
                                expected(function, dependency, fault, instance)));
                    }
                }
            }
        }
        // The bound at the real deadline.
        cases.add(atTemplateTimeout(Function.LOGIN, Dependency.WECHAT_CODE2VERIFYINFO, Instance.COLD));
        cases.add(atTemplateTimeout(Function.GATE_AND_MY_CLOUD_FUNCTION, Dependency.SECRETS_MANAGER, Instance.COLD));
        cases.add(atTemplateTimeout(Function.REFRESH, Dependency.DYNAMODB, Instance.WARM));
        cases.add(atTemplateTimeout(Function.LOGOUT, Dependency.DYNAMODB, Instance.COLD));
        cases.add(atTemplateTimeout(Function.LOGIN, Dependency.USERS_TABLE, Instance.COLD));
        cases.add(atTemplateTimeout(Function.GET_PHONE_NUMBER, Dependency.WECHAT_PHONE_NUMBER, Instance.WARM));
        return cases;
    }

    /**
     * The rows the drill runs: the combinations that reach code of their own, not the whole cross
     * product (RELIABILITY.md lists what is left out and why). Warm and cold both run where the
     * instance caches something of that dependency (secrets, the access token); elsewhere they meet
     * the same code, and the warm instance, whose pooled connections a reset breaks, runs alone.
     * Every fault of Secrets Manager is sorted by one source ({@code SecretsManagerSource}, the
     * login's rows run all six); the other functions' secrets run the two that found bugs (a hang,
     * a 5xx without a JSON body), warm and cold.
     * <ul>
     * <li>login: every WeChat and Secrets Manager row; SessionsTable and the user directory warm
     * (nothing of them is cached), the directory once more cold at the full Timeout;</li>
     * <li>refresh: every SessionsTable row (it found the UncheckedIOException); logout warm;</li>
     * <li>mini-program login: jscode2session warm (no access token, nothing cached); the directory's
     * write of a new person, cold, also with its answer lost after it took effect; SessionsTable
     * hanging once (the same refresh-token start as the app build);</li>
     * <li>getPhoneNumber: stable_token cold (warm serves the cached token, as the login's warm rows
     * show); getuserphonenumber warm (cold adds only a stable_token fetch that works).</li>
     * </ul>
     */
    static boolean selected(Function function, Dependency dependency, FaultKind fault, Instance instance) {
        boolean warm = instance == Instance.WARM;
        boolean secretsPair = fault == FaultKind.HANG || fault == FaultKind.HTTP_5XX_TEXT;
        boolean secrets = dependency == Dependency.SECRETS_MANAGER;
        if (fault == FaultKind.ANSWER_LOST) {
            // A write that took effect though the function never heard so: the directory must not make a second user.
            return function == Function.LOGIN_MINI_PROGRAM && dependency == Dependency.USERS_TABLE_WRITE && !warm;
        }
        return switch (function) {
            case LOGIN -> secrets || dependency.isWeChat() || warm;
            case GATE_AND_MY_CLOUD_FUNCTION -> secretsPair;
            case REFRESH -> !secrets || secretsPair;
            case LOGOUT -> warm;
            case LOGIN_MINI_PROGRAM -> switch (dependency) {
                case SECRETS_MANAGER -> secretsPair;
                case USERS_TABLE_WRITE -> !warm;
                case DYNAMODB -> fault == FaultKind.HANG && warm;
                default -> warm;
            };
            case GET_PHONE_NUMBER -> secrets ? secretsPair : dependency == Dependency.WECHAT_STABLE_TOKEN ? !warm : warm;
            // A function not listed here runs the whole cross product until its rows are chosen.
            default -> true;
        };
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
                case USERS_TABLE -> Outcome.DIRECTORY_UNAVAILABLE_503;
                default -> throw new IllegalArgumentException(dependency.name());
            };
            case GATE_AND_MY_CLOUD_FUNCTION -> instance == Instance.WARM ? Outcome.OK : Outcome.GATE_FAILS_API_GATEWAY_500;
            case REFRESH -> dependency == Dependency.SECRETS_MANAGER && instance == Instance.WARM ? Outcome.OK
                    : Outcome.UNAVAILABLE_503;
            case LOGOUT -> Outcome.UNAVAILABLE_503;
            case LOGIN_MINI_PROGRAM -> switch (dependency) {
                case WECHAT_JSCODE2SESSION -> weChat(fault);
                case SECRETS_MANAGER -> instance == Instance.WARM ? Outcome.OK : Outcome.UNAVAILABLE_503;
                case USERS_TABLE_WRITE -> Outcome.DIRECTORY_UNAVAILABLE_503;
                case DYNAMODB -> Outcome.OK_WITHOUT_REFRESH_TOKEN;
                default -> throw new IllegalArgumentException(dependency.name());
            };
            // WeChatApi: an answer it cannot use is an outage too (503 900502), the quota a 429.
            case GET_PHONE_NUMBER -> switch (dependency) {
                case WECHAT_STABLE_TOKEN -> instance == Instance.WARM && fault != FaultKind.REFUSED ? Outcome.OK
                        : weChatApi(fault);
                case WECHAT_PHONE_NUMBER -> weChatApi(fault);
                case SECRETS_MANAGER -> instance == Instance.WARM ? Outcome.OK : Outcome.UNAVAILABLE_503;
                default -> throw new IllegalArgumentException(dependency.name());
            };
        };
    }

    private static Outcome weChatApi(FaultKind fault) {
        return fault == FaultKind.THROTTLED ? Outcome.TOO_MANY_REQUESTS_429 : Outcome.UNAVAILABLE_503;
    }

    private static Outcome weChat(FaultKind fault) {
        return switch (fault) {
            case REFUSED, RESET_MID_POOL, HANG -> Outcome.UNAVAILABLE_503;
            case HTTP_5XX_JSON, HTTP_5XX_TEXT, ANSWER_LOST -> Outcome.BAD_GATEWAY_502;
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

    static APIGatewayV2HTTPEvent miniProgramLoginEvent(String code) {
        return post("POST /login", "/login", "{\"code\":\"" + code + "\",\"codeType\":\"miniProgram\"}");
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
        return functionEvent("POST /functions/myCloudFunction", "{\"data\":{\"drill\":true}}", gateContext);
    }

    private static APIGatewayV2HTTPEvent functionEvent(String routeKey, String body, Map<String, String> gateContext) {
        APIGatewayV2HTTPEvent event = post(routeKey, routeKey.substring("POST ".length()), body);
        APIGatewayV2HTTPEvent.RequestContext requestContext = new APIGatewayV2HTTPEvent.RequestContext();
        requestContext.setRequestId("drill-" + System.nanoTime());
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setLambda(new HashMap<>(gateContext));
        requestContext.setAuthorizer(authorizer);
        event.setRequestContext(requestContext);
        return event;
    }

    /** The call API Gateway makes to getPhoneNumber after the gate allowed a mini-program session. */
    static APIGatewayV2HTTPEvent phoneNumberEvent(String phoneCode) {
        return functionEvent("POST /functions/getPhoneNumber", "{\"data\":{\"code\":\"" + phoneCode + "\"}}",
                Map.of("userId", "drill-user", "appid", WeChatSandbox.MINIPROGRAM_APPID, "loginType", "miniProgram",
                        "openid", "o-drill"));
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
