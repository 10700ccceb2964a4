// Level: component test — WeChatSandbox's code2verifyinfo checks and code lifecycle over real HTTP, clock injected.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeChatSandboxCodeTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";
    private static final String RID = " rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$";

    private final AdjustableClock clock = new AdjustableClock(Instant.parse("2026-11-24T12:00:00Z"));
    private WeChatSandbox sandbox;
    private SandboxHttp http;
    private String token;

    @BeforeEach
    void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET).clock(clock).start();
        http = new SandboxHttp(sandbox, APPID, SECRET);
        token = http.stableToken();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void aCodeIsSingleUse() {
        String code = sandbox.issueCode("weixinApp", "alice");
        assertThat(code).matches("weixinApp\\.alice\\.[A-Za-z0-9]{22}");
        assertThat(exchange(code).get("errcode").asInt()).isZero();

        JsonNode again = exchange(code);
        assertThat(again.get("errcode").asInt()).isEqualTo(10001001);
        assertThat(again.get("errmsg").asText()).matches("code错误" + RID);
    }

    @Test
    void anIssuedCodeExpiresAfterItsLifetime() {
        String code = sandbox.issueCode("weixinApp");
        assertThat(code).matches("weixinApp\\.[A-Za-z0-9]{22}");
        clock.advance(Duration.ofSeconds(300));
        JsonNode answer = exchange(code);
        assertThat(answer.get("errcode").asInt()).isEqualTo(10001000);
        assertThat(answer.get("errmsg").asText()).matches("code过期" + RID);
    }

    @Test
    void aTypedCodeCountsAsIssuedAtFirstUse() {
        clock.advance(Duration.ofDays(3));
        token = http.stableToken();
        // busyOnce: the first presentation (-1) starts the code's life without consuming it.
        assertThat(exchange("busyOnce.bob.typed1").get("errcode").asInt()).isEqualTo(-1);
        clock.advance(Duration.ofSeconds(301));
        assertThat(exchange("busyOnce.bob.typed1").get("errcode").asInt()).isEqualTo(10001000);
        assertThat(exchange("weixinApp.typed2").get("errcode").asInt()).isZero();
    }

    @Test
    void postIsRejectedWith43001() {
        HttpResponse<String> answer = http.post(WeChatSandbox.CODE2VERIFYINFO_PATH + "?"
                + SandboxHttp.query(http.code2VerifyInfoParams(token, "weixinApp.p1")), "{}");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = SandboxHttp.json(answer);
        assertThat(body.get("errcode").asInt()).isEqualTo(43001);
        assertThat(body.get("errmsg").asText()).matches("require GET method" + RID);
        // The code was not consumed.
        assertThat(exchange("weixinApp.p1").get("errcode").asInt()).isZero();
    }

    @Test
    void secretInsteadOfAppsecretIsRejectedWith10001003() {
        Map<String, String> params = http.code2VerifyInfoParams(token, "weixinApp.s1");
        params.put("secret", params.remove("appsecret"));
        JsonNode answer = http.code2VerifyInfo(params);
        assertThat(answer.get("errcode").asInt()).isEqualTo(10001003);
        assertThat(answer.get("errmsg").asText()).matches("appsecret错误" + RID);
        // WeChat rejected the credentials, not the code: the same code still works.
        assertThat(exchange("weixinApp.s1").get("errcode").asInt()).isZero();
    }

    @Test
    void checksComeInWeChatsOrder() {
        Map<String, String> params = http.code2VerifyInfoParams(null, "weixinApp.o1");
        params.put("appid", "wrong");
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(41001);
        params.put("access_token", "not-a-token");
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(40001);
        params.put("access_token", token);
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(10001002);
        params.put("appid", APPID);
        params.put("appsecret", "wrong");
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(10001003);
        params.put("appsecret", SECRET);
        params.put("grant_type", "client_credential");
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(10001004);
        params.put("grant_type", "authorization_code");
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "weixinApp", "weixinApp.", "nosuchScenario.n1", "weixinApp.a.b.c", "weixinApp.bad*chars",
            "wx.login.code", "071abcDEF"})
    void unparseableCodesAndUnknownScenariosAreInvalid(String code) {
        assertThat(exchange(code).get("errcode").asInt()).isEqualTo(10001001);
    }

    @Test
    void aMissingCodeIsInvalid() {
        Map<String, String> params = http.code2VerifyInfoParams(token, null);
        assertThat(http.code2VerifyInfo(params).get("errcode").asInt()).isEqualTo(10001001);
    }

    @Test
    void issueCodeRejectsUnknownScenariosAndBadUsers() {
        assertThatThrownBy(() -> sandbox.issueCode("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weixinApp");
        assertThatThrownBy(() -> sandbox.issueCode("weixinApp", "a.b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scriptsCanIssueCodesOverHttp() {
        JsonNode issued = SandboxHttp.json(http.post(WeChatSandbox.SANDBOX_CODES_PATH,
                "{\"scenario\":\"weixinMiniProgram\",\"user\":\"carol\"}"));
        String code = issued.get("code").asText();
        assertThat(code).startsWith("weixinMiniProgram.carol.");
        JsonNode answer = exchange(code);
        assertThat(answer.at("/user_info/user_id").asText()).isEqualTo("sbx-weixinMiniProgram-carol");
        clock.advance(Duration.ofSeconds(300));
        String late = SandboxHttp.json(http.post(WeChatSandbox.SANDBOX_CODES_PATH, "{\"scenario\":\"apple\"}")).get("code").asText();
        assertThat(late).matches("apple\\.[A-Za-z0-9]{22}");

        HttpResponse<String> unknown = http.post(WeChatSandbox.SANDBOX_CODES_PATH, "{\"scenario\":\"nope\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(SandboxHttp.json(unknown).get("scenarios").toString()).contains("weixinApp", "busyOnce");
        assertThat(SandboxHttp.json(http.get(WeChatSandbox.SANDBOX_CODES_PATH)).get("scenarios")).hasSize(Scenario.values().length);
    }

    @Test
    void everyCallIsCountedPerPath() {
        exchange("weixinApp.count1");
        exchange("weixinApp.count1");
        assertThat(sandbox.calls(WeChatSandbox.CODE2VERIFYINFO_PATH)).isEqualTo(2);
        assertThat(sandbox.calls(WeChatSandbox.STABLE_TOKEN_PATH)).isEqualTo(1);
        assertThat(sandbox.calls(WeChatSandbox.LEGACY_TOKEN_PATH)).isZero();
        sandbox.resetCounters();
        assertThat(sandbox.calls(WeChatSandbox.CODE2VERIFYINFO_PATH)).isZero();
    }

    @Test
    void unknownPathsAnswerInvalidUrl() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/sns/oauth2/access_token")).build());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(SandboxHttp.json(answer).get("errcode").asInt()).isEqualTo(40066);
    }

    private JsonNode exchange(String code) {
        return http.code2VerifyInfo(http.code2VerifyInfoParams(token, code));
    }
}
