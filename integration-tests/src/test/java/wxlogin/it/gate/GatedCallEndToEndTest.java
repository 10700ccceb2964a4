package wxlogin.it.gate;

// End to end: a code goes through POST /login, the token through the gate, the call reaches MyCloudFunction — chained the way API Gateway chains them (the local HTTP API reading template.yaml).

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;
import wxlogin.local.wechat.WeChatSandbox;

class GatedCallEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LocalMain.Stack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aLoggedInUserReachesTheFunctionWithTheIdentityWeChatVerified() throws Exception {
        start(Map.of());
        JsonNode session = login("weixinApp", "alice");

        HttpResponse<String> call = post("/functions/myCloudFunction", "{\"data\":{\"hello\":\"world\",\"n\":[1,2]}}",
                Map.of("authorization", "Bearer " + session.get("token").asText()));

        assertThat(call.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(call.body());
        assertThat(body.get("errMsg").asText()).isEqualTo("cloud.callFunction:ok");
        assertThat(body.get("requestID").asText()).isNotBlank();
        // The data sent, with userInfo the verified identity (as WeChat Cloud gives it).
        assertThat(body.at("/result/event")).isEqualTo(JSON.readTree("{\"hello\":\"world\",\"n\":[1,2],"
                + "\"userInfo\":{\"appId\":\"wxlocal0000000001\",\"openId\":\"" + session.get("openid").asText() + "\"}}"));
        assertThat(body.at("/result/openid").asText()).isEqualTo(session.get("openid").asText());
        assertThat(body.at("/result/unionid").asText()).isEqualTo(session.get("unionid").asText());
        assertThat(body.at("/result/appid").asText()).isEqualTo("wxlocal0000000001");
        // The raw HTTP event (which holds the token) never reaches the function's answer.
        assertThat(call.body()).doesNotContain(session.get("token").asText());
    }

    @Test
    void theWeChatApiSampleGivesTheCallerThePhoneNumberOfItsCode() throws Exception {
        start(Map.of());
        JsonNode session = login("weixinMiniProgram", "phoebe");
        String code = stack.wechat().issuePhoneCode("phoebe");

        HttpResponse<String> call = post("/functions/getPhoneNumber", "{\"data\":{\"code\":\"" + code + "\"}}",
                Map.of("authorization", "Bearer " + session.get("token").asText()));

        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        assertThat(JSON.readTree(call.body()).at("/result/phoneNumber").asText())
                .isEqualTo(WeChatSandbox.phoneNumberOf("phoebe"));
        HttpResponse<String> again = post("/functions/getPhoneNumber", "{\"data\":{\"code\":\"" + code + "\"}}",
                Map.of("authorization", "Bearer " + session.get("token").asText()));
        assertThat(JSON.readTree(again.body()).get("errCode").asLong()).as("a code works once").isEqualTo(40029);
    }

    @Test
    void anIdentityTheClientForgesNeverReachesTheFunction() throws Exception {
        start(Map.of());
        JsonNode session = login("weixinApp", "bob");

        HttpResponse<String> call = post("/functions/myCloudFunction",
                "{\"userInfo\":{\"openId\":\"o-forged\",\"appId\":\"wxforged\"},"
                        + "\"data\":{\"openid\":\"o-forged\",\"userInfo\":{\"openId\":\"o-forged\"}}}",
                Map.of("authorization", "Bearer " + session.get("token").asText(),
                        "x-wx-openid", "o-forged", "x-wx-appid", "wxforged"));

        assertThat(call.statusCode()).isEqualTo(200);
        JsonNode result = JSON.readTree(call.body()).get("result");
        assertThat(result.get("openid").asText()).isEqualTo(session.get("openid").asText()).isNotEqualTo("o-forged");
        assertThat(result.get("appid").asText()).isNotEqualTo("wxforged");
        assertThat(result.at("/event/userInfo/openId").asText()).isEqualTo(session.get("openid").asText());
        assertThat(result.at("/event/userInfo/appId").asText()).isEqualTo("wxlocal0000000001");
    }

    @Test
    void aPhoneLoginReachesTheFunctionWithoutAnOpenid() throws Exception {
        start(Map.of());
        JsonNode session = login("phoneSms", "carol");

        HttpResponse<String> call = post("/functions/myCloudFunction", "{\"data\":null}",
                Map.of("authorization", "Bearer " + session.get("token").asText()));

        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(call.body()).at("/result/openid").isNull()).isTrue();
    }

    @Test
    void noTokenIs401WithoutCallingTheGateAndABadTokenIs403() throws Exception {
        start(Map.of());

        HttpResponse<String> anonymous = post("/functions/myCloudFunction", "{\"data\":1}", Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).get("message").asText()).isEqualTo("Unauthorized");
        assertThat(stack.api().invocations("CallGateFunction")).isZero();

        JsonNode session = login("weixinApp", "dave");
        String tampered = session.get("token").asText().replaceFirst("\\.(.)", ".X$1");
        HttpResponse<String> forged = post("/functions/myCloudFunction", "{\"data\":1}",
                Map.of("authorization", "Bearer " + tampered));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(forged.body()).get("message").asText()).isEqualTo("Forbidden");
        assertThat(stack.api().invocations("MyCloudFunction")).isZero();
    }

    @Test
    void thePolicyLimitsAFunctionToTheLoginTypesListed() throws Exception {
        start(Map.of("GATE_POLICY", "{\"myCloudFunction\":[\"weixinMiniProgram\"]}"));

        HttpResponse<String> fromApp = post("/functions/myCloudFunction", "{\"data\":1}",
                Map.of("authorization", "Bearer " + login("weixinApp", "erin").get("token").asText()));
        HttpResponse<String> fromMiniProgram = post("/functions/myCloudFunction", "{\"data\":1}",
                Map.of("authorization", "Bearer " + login("weixinMiniProgram", "erin").get("token").asText()));

        assertThat(fromApp.statusCode()).isEqualTo(403);
        assertThat(fromMiniProgram.statusCode()).isEqualTo(200);
    }

    @Test
    void theGateKeepsDecidingWhenSecretsManagerGoesDownAfterAWarmStart() throws Exception {
        start(Map.of());
        String token = login("weixinApp", "frank").get("token").asText();
        assertThat(post("/functions/myCloudFunction", "{\"data\":1}", Map.of("authorization", "Bearer " + token))
                .statusCode()).isEqualTo(200);
        stack.secrets().setDown(true);

        assertThat(post("/functions/myCloudFunction", "{\"data\":2}", Map.of("authorization", "Bearer " + token))
                .statusCode()).isEqualTo(200);
        assertThat(post("/functions/myCloudFunction", "{\"data\":3}", Map.of("authorization", "Bearer x.y.z"))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void aColdGateWithoutAnySigningKeyFailsSoApiGatewayAnswers500() throws Exception {
        start(Map.of());
        String token = login("weixinApp", "grace").get("token").asText();
        stack.secrets().setDown(true);

        // The gate has not run yet in this stack: it is cold and can load no key.
        HttpResponse<String> call = post("/functions/myCloudFunction", "{\"data\":1}", Map.of("authorization", "Bearer " + token));

        assertThat(call.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(call.body()).get("message").asText()).isEqualTo("Internal Server Error");
    }

    // --- helpers ---

    private void start(Map<String, String> extraEnvironment) throws Exception {
        stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), false), extraEnvironment);
    }

    private JsonNode login(String scenario, String user) throws Exception {
        HttpResponse<String> response = post("/login",
                "{\"code\":\"" + stack.wechat().issueCode(scenario, user) + "\"}", Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.api().url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
