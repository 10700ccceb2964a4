// Integration: the GetPhoneNumber sample and its WeChatApi client through the real handler, against the WeChat sandbox and the local Secrets Manager endpoint.
package wxlogin.it.cloudfunction;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.cloudfunction.GetPhoneNumber;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.Fault;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class GetPhoneNumberTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MP_APPID = "wxsandboxminiprog1";
    static final String MP_SECRET = "phone-test-miniprogram-secret";
    static final String SECRET_ID = "wxlogin/test/mini-program";
    static final String TOKEN_PATH = WeChatSandbox.STABLE_TOKEN_PATH;
    static final String PHONE_PATH = WeChatSandbox.PHONE_NUMBER_PATH;

    private WeChatSandbox wechat;
    private SecretsManagerEndpoint secrets;
    private GetPhoneNumber function;

    @BeforeEach
    void start() {
        wechat = WeChatSandbox.builder().credentials("wxphonetest000001", "unused")
                .miniProgramCredentials(MP_APPID, MP_SECRET).start();
        secrets = SecretsManagerEndpoint.start();
        secrets.put(SECRET_ID, "{\"appid\":\"" + MP_APPID + "\",\"appsecret\":\"" + MP_SECRET + "\"}");
        function = new GetPhoneNumber(environment());
    }

    @AfterEach
    void stop() {
        wechat.close();
        secrets.close();
    }

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("WECHAT_API_SECRET_ID", SECRET_ID);
        env.put("WECHAT_API_BASE_URL", wechat.baseUrl());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        env.put("AWS_REGION", secrets.region());
        return env;
    }

    private APIGatewayV2HTTPResponse call(String body, int remainingMillis) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setBody(body);
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setLambda(Map.of("userId", "user-phone", "appid", MP_APPID, "loginType", "miniProgram",
                "openid", "o-phone"));
        context.setAuthorizer(authorizer);
        event.setRequestContext(context);
        return function.handleRequest(event, new FakeContext(remainingMillis));
    }

    private APIGatewayV2HTTPResponse callWithCode(String code) {
        return call("{\"data\":{\"code\":\"" + code + "\"}}", 10_000);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return JSON.readTree(response.getBody());
    }

    @Test
    void thePhoneNumberReachesTheCallerAndNoLog() throws Exception {
        String expected = WeChatSandbox.phoneNumberOf("alice");
        APIGatewayV2HTTPResponse response;
        String logged;
        try (LogCapture logs = new LogCapture()) {
            response = callWithCode(wechat.issuePhoneCode("alice"));
            callWithCode(wechat.issuePhoneCode("alice"));
            logged = logs.text();
        }
        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode result = body(response).get("result");
        assertThat(result.get("phoneNumber").asText()).isEqualTo(expected);
        assertThat(result.get("purePhoneNumber").asText()).isEqualTo(expected);
        assertThat(result.get("countryCode").asText()).isEqualTo("86");
        assertThat(logged).doesNotContain(expected).doesNotContain(MP_SECRET);
        // One stable_token for both calls: the token is cached per instance.
        assertThat(wechat.calls(TOKEN_PATH)).isEqualTo(1);
        assertThat(wechat.calls(PHONE_PATH)).isEqualTo(2);
    }

    @Test
    void anInvalidatedAccessTokenIsFetchedAgainOnceAndTheCallSucceeds() throws Exception {
        assertThat(callWithCode(wechat.issuePhoneCode("bob")).getStatusCode()).isEqualTo(200);
        wechat.invalidateAccessTokens();
        APIGatewayV2HTTPResponse response = callWithCode(wechat.issuePhoneCode("bob"));
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(wechat.calls(TOKEN_PATH)).isEqualTo(2);
        assertThat(wechat.calls(PHONE_PATH)).isEqualTo(3);
    }

    @Test
    void aUsedCodeIsWeChatsOwnErrcode() throws Exception {
        String code = wechat.issuePhoneCode("carol");
        assertThat(callWithCode(code).getStatusCode()).isEqualTo(200);
        APIGatewayV2HTTPResponse again = callWithCode(code);
        assertThat(again.getStatusCode()).isEqualTo(500);
        assertThat(body(again).get("errCode").asLong()).isEqualTo(40029);
        assertThat(body(again).get("errMsg").asText()).startsWith("cloud.callFunction:fail ").contains("40029");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"data\":{}}", "{\"data\":{\"code\":\"\"}}", "{\"data\":{\"code\":7}}", "{}"})
    void noUsableCodeIs400WithoutACallToWeChat(String body) throws Exception {
        APIGatewayV2HTTPResponse response = call(body, 10_000);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).get("errCode").asLong()).isEqualTo(900004);
        assertThat(wechat.calls(PHONE_PATH)).isZero();
    }

    @Test
    void weChatFailuresAreClearAndInsideTheInvocationsTime() throws Exception {
        // An outage is never a 500: 503 (or 429 for WeChat's quota) with Retry-After, which clients retry.
        assertOutage(Fault.HTTP_500, 503, 900502);
        assertOutage(Fault.ERRCODE(-1), 503, 900503);
        assertOutage(Fault.DROP, 503, 900503);
        assertOutage(Fault.ERRCODE(45011), 429, 45011);

        wechat.failNext(PHONE_PATH, 1, Fault.SLOW(20_000));
        long started = System.nanoTime();
        APIGatewayV2HTTPResponse slow = call("{\"data\":{\"code\":\"" + wechat.issuePhoneCode("dave") + "\"}}", 2_000);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(slow.getStatusCode()).isEqualTo(503);
        assertThat(body(slow).get("errCode").asLong()).isEqualTo(900503);
        assertThat(millis).as("answered within the invocation's 2 s").isLessThan(2_000);
    }

    private void assertOutage(Fault fault, int status, long errCode) throws Exception {
        wechat.failNext(PHONE_PATH, 1, fault);
        APIGatewayV2HTTPResponse response = callWithCode(wechat.issuePhoneCode("dave"));
        assertThat(response.getStatusCode()).as(fault.toString()).isEqualTo(status);
        assertThat(body(response).get("errCode").asLong()).as(fault.toString()).isEqualTo(errCode);
        assertThat(response.getHeaders()).as(fault.toString()).containsKey("Retry-After");
        assertThat(callWithCode(wechat.issuePhoneCode("dave")).getStatusCode()).as("after " + fault).isEqualTo(200);
    }

    @Test
    void credentialsThatCannotBeReadOrThatWeChatRefusesAreNotTheCallersFault() throws Exception {
        secrets.setDown(true);
        APIGatewayV2HTTPResponse down = callWithCode(wechat.issuePhoneCode("erin"));
        assertThat(down.getStatusCode()).isEqualTo(503);
        assertThat(body(down).get("errCode").asLong()).isEqualTo(900504);
        secrets.setDown(false);
        function = new GetPhoneNumber(environment()); // a new instance: the failed read's back-off is per instance
        wechat.setMiniProgramCredentials(MP_APPID, "rotated-elsewhere");
        APIGatewayV2HTTPResponse refused = callWithCode(wechat.issuePhoneCode("erin"));
        assertThat(refused.getStatusCode()).as("misconfiguration").isEqualTo(500);
        assertThat(body(refused).get("errCode").asLong()).isEqualTo(900500);
        assertThat(refused.getBody()).doesNotContain("rotated-elsewhere").doesNotContain(MP_SECRET);
    }
}
