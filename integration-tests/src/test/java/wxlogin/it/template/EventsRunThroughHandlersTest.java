// Level: integration, in-process (local WeChat sandbox and Secrets Manager stand-in; no AWS, no Docker) - each events/*.json through the handler template.yaml names, with env.json's variables.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import wxlogin.local.api.LocalContext;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * What {@code sam local invoke -e events/X.json --env-vars events/env.json} would do, minus the
 * container: the local stand-ins play WeChat (at the address env.json gives, here in-process) and
 * Secrets Manager (holding the {@code wxlogin/local/*} secrets env.json names).
 */
class EventsRunThroughHandlersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CREDENTIAL_PROPERTIES = {"aws.accessKeyId", "aws.secretAccessKey"};

    private static Template template;
    private static JsonNode envJson;
    private static SecretsManagerEndpoint secrets;
    private static WeChatSandbox wechat;
    private static DynamoDbLocal dynamo;
    private static final Map<String, String> savedProperties = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        template = Template.load();
        envJson = JSON.readTree(ProjectFiles.event("env.json").toFile());
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        wechat = DevelopmentSecrets.sandboxFor();
        // The table env.json names, with the template's key schema, in DynamoDB Local.
        dynamo = DynamoDbLocal.shared();
        for (String function : List.of("CodeExchangeFunction", "SessionFunction")) {
            dynamo.createTable(envJson.path(function).path("SESSIONS_TABLE").asText(), template.properties("SessionsTable"));
        }
        // The SDK signs its requests; the stand-in accepts any credentials.
        for (String property : CREDENTIAL_PROPERTIES) {
            savedProperties.put(property, System.getProperty(property));
            System.setProperty(property, "local");
        }
    }

    @AfterAll
    static void stop() {
        savedProperties.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
        if (wechat != null) {
            wechat.close();
        }
        if (secrets != null) {
            secrets.close();
        }
    }

    @Test
    void loginJsonLogsInAndItsTokenPassesTheGate() throws Exception {
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", httpEvent("login.json"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("tokenType").asText()).isEqualTo("Bearer");
        assertThat(body.path("expiresIn").asLong()).isEqualTo(7200);
        assertThat(body.path("loginType").asText()).isEqualTo("weixinApp");
        assertThat(body.path("userId").asText()).isNotBlank();
        assertThat(body.path("openid").asText()).isNotBlank();

        String token = body.path("token").asText();
        JwtClaims claims = EventsTest.verifiedClaims(token);
        assertThat(claims.getSubject()).isEqualTo(body.path("userId").asText());
        assertThat(claims.getStringClaimValue("appid")).isEqualTo(DevelopmentSecrets.APPID);

        APIGatewayV2CustomAuthorizerEvent gateEvent = EventsTest.authorizerEvent("call-gate-allow.json");
        Map<String, String> headers = new LinkedHashMap<>(gateEvent.getHeaders());
        headers.put("authorization", "Bearer " + token);
        gateEvent.setHeaders(headers);
        gateEvent.setIdentitySource(List.of("Bearer " + token, gateEvent.getRouteKey()));
        SimpleIAMPolicyResponse decision = invoke("CallGateFunction", gateEvent);
        assertThat(decision.getIsAuthorized()).isTrue();
        assertThat(decision.getContext()).containsEntry("userId", body.path("userId").asText())
                .containsEntry("loginType", "weixinApp");
    }

    @Test
    void loginBadRequestJsonIsA400() throws Exception {
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", httpEvent("login-bad-request.json"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("errCode").isNumber()).isTrue();
        assertThat(body.path("errCode").asLong()).isNotZero();
        assertThat(body.path("errMsg").asText()).isNotBlank();
    }

    @Test
    void callGateAllowJsonIsAuthorizedWithTheContextMyCloudFunctionJsonCarries() throws Exception {
        SimpleIAMPolicyResponse decision = invoke("CallGateFunction", EventsTest.authorizerEvent("call-gate-allow.json"));
        assertThat(decision.getIsAuthorized()).isTrue();
        Map<String, Object> expected = httpEvent("my-cloud-function.json").getRequestContext().getAuthorizer().getLambda();
        assertThat(decision.getContext()).isEqualTo(expected);
    }

    @Test
    void callGateDenyJsonIsNotAuthorized() throws Exception {
        SimpleIAMPolicyResponse decision = invoke("CallGateFunction", EventsTest.authorizerEvent("call-gate-deny.json"));
        assertThat(decision.getIsAuthorized()).isFalse();
        assertThat(decision.getContext() == null || decision.getContext().isEmpty()).isTrue();
    }

    @Test
    void myCloudFunctionJsonAnswersWithTheGatesIdentityNotTheBodys() throws Exception {
        APIGatewayV2HTTPEvent event = httpEvent("my-cloud-function.json");
        LocalContext context = context("MyCloudFunction");
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function = handler("MyCloudFunction");
        APIGatewayV2HTTPResponse response = function.handleRequest(event, context);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("errMsg").asText()).isEqualTo("cloud.callFunction:ok");
        assertThat(body.path("requestID").asText()).isEqualTo(context.getAwsRequestId());
        Map<String, Object> identity = event.getRequestContext().getAuthorizer().getLambda();
        JsonNode result = body.path("result");
        assertThat(result.path("openid").asText()).isEqualTo(identity.get("openid"));
        assertThat(result.path("appid").asText()).isEqualTo(identity.get("appid"));
        assertThat(result.path("unionid").asText()).isEqualTo(identity.get("unionid"));
        assertThat(result.path("event").path("hello").asText()).isEqualTo("world");
    }

    @Test
    void sessionRefreshJsonIsA401ForItsUnknownTokenAndWithALoginsTokenAnswersANewPair() throws Exception {
        APIGatewayV2HTTPResponse unknown = invoke("SessionFunction", httpEvent("session-refresh.json"));
        assertThat(unknown.getStatusCode()).as(unknown.getBody()).isEqualTo(401);
        assertThat(JSON.readTree(unknown.getBody()).path("errCode").asLong()).isEqualTo(900_401L);

        String refreshToken = freshLogin().path("refreshToken").asText();
        APIGatewayV2HTTPResponse response = invoke("SessionFunction", withRefreshToken("session-refresh.json", refreshToken));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("refreshToken").asText()).isNotBlank().isNotEqualTo(refreshToken);
        assertThat(body.path("refreshExpiresIn").asLong()).isEqualTo(2592000);
        JwtClaims claims = EventsTest.verifiedClaims(body.path("token").asText());
        assertThat(claims.getSubject()).isEqualTo(body.path("userId").asText());
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("weixinApp");
    }

    @Test
    void logoutJsonIs204AndALoggedOutTokenNoLongerRefreshes() throws Exception {
        APIGatewayV2HTTPResponse unknown = invoke("SessionFunction", httpEvent("logout.json"));
        // Like RFC 7009: a token that is unknown leaves nothing to revoke, which is not an error.
        assertThat(unknown.getStatusCode()).as(unknown.getBody()).isEqualTo(204);

        String refreshToken = freshLogin().path("refreshToken").asText();
        APIGatewayV2HTTPResponse logout = invoke("SessionFunction", withRefreshToken("logout.json", refreshToken));
        assertThat(logout.getStatusCode()).isEqualTo(204);
        APIGatewayV2HTTPResponse refresh = invoke("SessionFunction", withRefreshToken("session-refresh.json", refreshToken));
        assertThat(refresh.getStatusCode()).as(refresh.getBody()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ helpers

    /** login.json with a fresh sandbox code (each code works once). */
    private static JsonNode freshLogin() throws Exception {
        APIGatewayV2HTTPEvent event = httpEvent("login.json");
        event.setBody("{\"code\":\"" + wechat.issueCode("weixinApp") + "\"}");
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("refreshToken").asText()).as("login with SESSIONS_TABLE returns a refresh token").hasSize(43);
        return body;
    }

    private static APIGatewayV2HTTPEvent withRefreshToken(String eventFile, String refreshToken) {
        APIGatewayV2HTTPEvent event = httpEvent(eventFile);
        event.setBody("{\"refreshToken\":\"" + refreshToken + "\"}");
        return event;
    }

    private static APIGatewayV2HTTPEvent httpEvent(String name) {
        return EventLoader.loadApiGatewayHttpEvent(ProjectFiles.event(name).toString());
    }

    /** env.json's variables for the function, with the in-process stand-ins' addresses. */
    private static Map<String, String> environment(String functionId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", secrets.region());
        envJson.path(functionId).properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        // env.json names the sandbox as a container sees it (host.docker.internal:8081).
        if (env.containsKey("WECHAT_API_BASE_URL")) {
            env.put("WECHAT_API_BASE_URL", wechat.baseUrl());
        }
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        return env;
    }

    /** The class the template's Handler names, built with the environment when it accepts one. */
    @SuppressWarnings("unchecked")
    private static <I, O> RequestHandler<I, O> handler(String functionId) throws Exception {
        String handler = String.valueOf(template.functionProperties(functionId).get("Handler"));
        Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
        try {
            return (RequestHandler<I, O>) type.getConstructor(Map.class).newInstance(environment(functionId));
        } catch (NoSuchMethodException e) {
            assertThat(envJson.path(functionId).isMissingNode() || envJson.path(functionId).isEmpty())
                    .as(functionId + " takes no environment").isTrue();
            return (RequestHandler<I, O>) type.getConstructor().newInstance();
        }
    }

    private static LocalContext context(String functionId) {
        Map<String, Object> p = template.functionProperties(functionId);
        return new LocalContext(functionId, (Integer) p.get("MemorySize"), (Integer) p.get("Timeout"));
    }

    private static <I, O> O invoke(String functionId, I event) throws Exception {
        RequestHandler<I, O> handler = handler(functionId);
        return handler.handleRequest(event, context(functionId));
    }
}
