// Level: integration, in-process (local WeChat sandbox and Secrets Manager stand-in; no AWS, no Docker) - each events/*.json through the handler template.yaml names, with env.json's variables.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import wxlogin.local.api.LocalContext;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
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
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * What {@code sam local invoke -e events/X.json --env-vars events/env.json} would do, minus the
 * container: the event file's JSON goes to the stream entry Lambda calls, the answer comes back as
 * JSON; the local stand-ins play WeChat (at the address env.json gives, here in-process) and
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
    private static EventBridgeEndpoint events;
    private static final Map<String, String> savedProperties = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        template = Template.load();
        envJson = JSON.readTree(ProjectFiles.event("env.json").toFile());
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        wechat = DevelopmentSecrets.sandboxFor();
        events = EventBridgeEndpoint.start();
        // The table env.json names, with the template's key schema, in DynamoDB Local.
        dynamo = DynamoDbLocal.shared();
        for (String function : List.of("CodeExchangeFunction", "SessionFunction")) {
            dynamo.createTable(envJson.path(function).path("SESSIONS_TABLE").asText(), template.properties("SessionsTable"));
        }
        dynamo.createTable(envJson.path("CodeExchangeFunction").path("USERS_TABLE").asText(),
                template.properties("UsersTable"));
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
        if (events != null) {
            events.close();
        }
        if (secrets != null) {
            secrets.close();
        }
    }

    @Test
    void loginJsonLogsInAndItsTokenPassesTheGate() throws Exception {
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", event("login.json"));
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

        ObjectNode gateEvent = event("call-gate-allow.json");
        ((ObjectNode) gateEvent.path("headers")).put("authorization", "Bearer " + token);
        gateEvent.putArray("identitySource").add("Bearer " + token).add(gateEvent.path("routeKey").asText())
                .add(gateEvent.path("rawPath").asText());
        SimpleIAMPolicyResponse decision = authorize(gateEvent);
        assertThat(decision.getIsAuthorized()).isTrue();
        assertThat(decision.getContext()).containsEntry("userId", body.path("userId").asText())
                .containsEntry("loginType", "weixinApp");
    }

    @Test
    void loginMiniProgramJsonLogsInThroughJscode2sessionAsTheSamePersonAsTheAppBuild() throws Exception {
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", event("login-miniprogram.json"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("loginType").asText()).isEqualTo("miniProgram");
        assertThat(body.path("openid").asText()).isNotBlank();
        assertThat(body.path("unionid").asText()).isNotBlank();
        assertThat(body.toString()).doesNotContain("session_key").doesNotContain("sessionKey");
        JwtClaims claims = EventsTest.verifiedClaims(body.path("token").asText());
        assertThat(claims.getSubject()).isEqualTo(body.path("userId").asText());
        assertThat(claims.getStringClaimValue("appid")).isEqualTo(DevelopmentSecrets.MINIPROGRAM_APPID);
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("miniProgram");

        // The same sandbox person (scenario bound, user "default") through the app build: one user.
        ObjectNode app = event("login.json");
        app.put("body", "{\"code\":\"" + wechat.issueCode("bound") + "\"}");
        APIGatewayV2HTTPResponse appLogin = invoke("CodeExchangeFunction", app);
        assertThat(appLogin.getStatusCode()).as(appLogin.getBody()).isEqualTo(200);
        assertThat(JSON.readTree(appLogin.getBody()).path("userId").asText()).isEqualTo(body.path("userId").asText());
    }

    @Test
    void loginBadRequestJsonIsA400() throws Exception {
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", event("login-bad-request.json"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("errCode").isNumber()).isTrue();
        assertThat(body.path("errCode").asLong()).isNotZero();
        assertThat(body.path("errMsg").asText()).isNotBlank();
    }

    @Test
    void callGateAllowJsonIsAuthorizedWithTheContextMyCloudFunctionJsonCarries() throws Exception {
        SimpleIAMPolicyResponse decision = authorize(event("call-gate-allow.json"));
        assertThat(decision.getIsAuthorized()).isTrue();
        Map<?, ?> expected = JSON.convertValue(event("my-cloud-function.json").path("requestContext").path("authorizer")
                .path("lambda"), Map.class);
        assertThat(decision.getContext()).isNotEmpty().isEqualTo(expected);
    }

    @Test
    void callGateDenyJsonIsNotAuthorized() throws Exception {
        SimpleIAMPolicyResponse decision = authorize(event("call-gate-deny.json"));
        assertThat(decision.getIsAuthorized()).isFalse();
        assertThat(decision.getContext() == null || decision.getContext().isEmpty()).isTrue();
    }

    @Test
    void myCloudFunctionJsonAnswersWithTheGatesIdentityNotTheBodys() throws Exception {
        ObjectNode event = event("my-cloud-function.json");
        LocalContext context = context("MyCloudFunction");
        APIGatewayV2HTTPResponse response = JSON.convertValue(run("MyCloudFunction", event, context),
                APIGatewayV2HTTPResponse.class);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("errMsg").asText()).isEqualTo("cloud.callFunction:ok");
        assertThat(body.path("requestID").asText()).isEqualTo(context.getAwsRequestId());
        JsonNode identity = event.path("requestContext").path("authorizer").path("lambda");
        JsonNode result = body.path("result");
        assertThat(result.path("openid").asText()).isNotBlank().isEqualTo(identity.path("openid").asText());
        assertThat(result.path("appid").asText()).isNotBlank().isEqualTo(identity.path("appid").asText());
        assertThat(result.path("unionid").asText()).isNotBlank().isEqualTo(identity.path("unionid").asText());
        assertThat(result.path("event").path("hello").asText()).isEqualTo("world");
    }

    @Test
    void sessionRefreshJsonIsA401ForItsUnknownTokenAndWithALoginsTokenAnswersANewPair() throws Exception {
        APIGatewayV2HTTPResponse unknown = invoke("SessionFunction", event("session-refresh.json"));
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
        APIGatewayV2HTTPResponse unknown = invoke("SessionFunction", event("logout.json"));
        // Like RFC 7009: a token that is unknown leaves nothing to revoke, which is not an error.
        assertThat(unknown.getStatusCode()).as(unknown.getBody()).isEqualTo(204);

        String refreshToken = freshLogin().path("refreshToken").asText();
        APIGatewayV2HTTPResponse logout = invoke("SessionFunction", withRefreshToken("logout.json", refreshToken));
        assertThat(logout.getStatusCode()).isEqualTo(204);
        APIGatewayV2HTTPResponse refresh = invoke("SessionFunction", withRefreshToken("session-refresh.json", refreshToken));
        assertThat(refresh.getStatusCode()).as(refresh.getBody()).isEqualTo(401);
    }

    @Test
    void logoutEverywhereJsonIsA401ForItsUnknownTokenAndWithALoginsTokenSignsOutEveryDevice() throws Exception {
        APIGatewayV2HTTPResponse unknown = invoke("SessionFunction", event("logout-everywhere.json"));
        // Unlike a plain logout: an unknown token cannot say whose sessions to end.
        assertThat(unknown.getStatusCode()).as(unknown.getBody()).isEqualTo(401);

        JsonNode phone = freshLogin();
        JsonNode tablet = freshLogin();
        assertThat(tablet.path("userId").asText()).isEqualTo(phone.path("userId").asText());
        ObjectNode everywhere = event("logout-everywhere.json");
        everywhere.put("body", "{\"refreshToken\":\"" + phone.path("refreshToken").asText() + "\",\"everywhere\":true}");
        assertThat(invoke("SessionFunction", everywhere).getStatusCode()).isEqualTo(204);
        for (JsonNode device : List.of(phone, tablet)) {
            APIGatewayV2HTTPResponse refresh = invoke("SessionFunction",
                    withRefreshToken("session-refresh.json", device.path("refreshToken").asText()));
            assertThat(refresh.getStatusCode()).as(refresh.getBody()).isEqualTo(401);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** login.json with a fresh sandbox code (each code works once). */
    private static JsonNode freshLogin() throws Exception {
        ObjectNode event = event("login.json");
        event.put("body", "{\"code\":\"" + wechat.issueCode("weixinApp") + "\"}");
        APIGatewayV2HTTPResponse response = invoke("CodeExchangeFunction", event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("refreshToken").asText()).as("login with SESSIONS_TABLE returns a refresh token").hasSize(43);
        return body;
    }

    private static ObjectNode withRefreshToken(String eventFile, String refreshToken) throws Exception {
        ObjectNode event = event(eventFile);
        event.put("body", "{\"refreshToken\":\"" + refreshToken + "\"}");
        return event;
    }

    /** An events/ file as JSON, to send as it is or with a field changed. */
    private static ObjectNode event(String name) throws Exception {
        return (ObjectNode) JSON.readTree(Files.readAllBytes(ProjectFiles.event(name)));
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
        env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", events.endpoint().toString());
        return env;
    }

    /** The class the template's Handler names, built with the environment when it accepts one. */
    @Test
    void theWeChatApiSampleEventGivesThePhoneNumberOfItsCode() throws Exception {
        ObjectNode event = event("get-phone-number.json");
        APIGatewayV2HTTPResponse response = invoke("GetPhoneNumberFunction", event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        assertThat(JSON.readTree(response.getBody()).at("/result/phoneNumber").asText())
                .isEqualTo(WeChatSandbox.phoneNumberOf("demo"));
        // The event's code is spent: sam local invoke with it again gets WeChat's 40029.
        APIGatewayV2HTTPResponse again = invoke("GetPhoneNumberFunction", event("get-phone-number.json"));
        assertThat(JSON.readTree(again.getBody()).get("errCode").asLong()).isEqualTo(40029);
    }

    @Test
    void accountDeleteJsonAsksForARecentLoginAndWithAFreshLoginsTokenDeletesTheAccount() throws Exception {
        // The event's token is the local key's but carries no auth_time: "log in again, then delete".
        APIGatewayV2HTTPResponse old = invoke("AccountFunction", event("account-delete.json"));
        assertThat(old.getStatusCode()).as(old.getBody()).isEqualTo(401);
        assertThat(JSON.readTree(old.getBody()).get("errCode").asLong()).isEqualTo(900410);

        ObjectNode login = event("login.json");
        login.put("body", "{\"code\":\"" + wechat.issueCode("weixinApp", "deleteme") + "\"}");
        JsonNode session = JSON.readTree(invoke("CodeExchangeFunction", login).getBody());
        ObjectNode delete = event("account-delete.json");
        ((ObjectNode) delete.path("headers")).put("authorization", "Bearer " + session.path("token").asText());
        ((ObjectNode) delete.at("/requestContext/authorizer/lambda")).put("userId", session.path("userId").asText());
        APIGatewayV2HTTPResponse deleted = invoke("AccountFunction", delete);
        assertThat(deleted.getStatusCode()).as(deleted.getBody()).isEqualTo(204);
        assertThat(events.events()).anySatisfy(e -> assertThat(e.detail().path("userId").asText())
                .isEqualTo(session.path("userId").asText()));
    }

    private static RequestStreamHandler handler(String functionId) throws Exception {
        String handler = String.valueOf(template.functionProperties(functionId).get("Handler"));
        Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
        try {
            return (RequestStreamHandler) type.getConstructor(Map.class).newInstance(environment(functionId));
        } catch (NoSuchMethodException e) {
            assertThat(envJson.path(functionId).isMissingNode() || envJson.path(functionId).isEmpty())
                    .as(functionId + " takes no environment").isTrue();
            return (RequestStreamHandler) type.getConstructor().newInstance();
        }
    }

    private static LocalContext context(String functionId) {
        Map<String, Object> p = template.functionProperties(functionId);
        return new LocalContext(functionId, (Integer) p.get("MemorySize"), (Integer) p.get("Timeout"));
    }

    /** Like Lambda: the event's bytes to the stream entry, the answer's bytes back, read as JSON. */
    private static JsonNode run(String functionId, JsonNode event, LocalContext context) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler(functionId).handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, context);
        return JSON.readTree(out.toByteArray());
    }

    /** An HTTP API function's answer, as API Gateway reads it (statusCode, headers, body, isBase64Encoded). */
    private static APIGatewayV2HTTPResponse invoke(String functionId, JsonNode event) throws Exception {
        return JSON.convertValue(run(functionId, event, context(functionId)), APIGatewayV2HTTPResponse.class);
    }

    /** The gate's simple answer ({@code isAuthorized}, {@code context}). */
    private static SimpleIAMPolicyResponse authorize(JsonNode event) throws Exception {
        JsonNode answer = run("CallGateFunction", event, context("CallGateFunction"));
        assertThat(answer.path("isAuthorized").isBoolean()).as(answer.toString()).isTrue();
        return JSON.convertValue(answer, SimpleIAMPolicyResponse.class);
    }
}
