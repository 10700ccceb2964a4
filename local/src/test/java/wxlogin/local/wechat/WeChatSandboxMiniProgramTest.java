// Level: component test — WeChatSandbox's sns/jscode2session over real HTTP: checks, code life, errcodes, identities.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxMiniProgramTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";
    private static final String MP_APPID = "wxtestminiprogram";
    private static final String MP_SECRET = "test-miniprogram-secret";
    private static final String RID = " rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$";

    private final AdjustableClock clock = new AdjustableClock(Instant.parse("2026-11-24T12:00:00Z"));
    private WeChatSandbox sandbox;
    private SandboxHttp http;

    @BeforeEach
    void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET).miniProgramCredentials(MP_APPID, MP_SECRET)
                .clock(clock).start();
        http = new SandboxHttp(sandbox, APPID, SECRET);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void aMiniProgramCodeGivesOpenidSessionKeyAndUnionidWithoutErrcode() {
        String code = sandbox.issueMiniProgramCode("weixinApp", "alice");
        assertThat(code).matches("mp\\.weixinApp\\.alice\\.[A-Za-z0-9]{22}");
        JsonNode answer = jsCode2Session(code);
        assertThat(answer.has("errcode")).isFalse();
        assertThat(answer.get("openid").asText()).isEqualTo("o_mp_weixinApp_alice");
        assertThat(answer.get("unionid").asText()).isEqualTo("u_weixinApp_alice");
        assertThat(answer.get("session_key").asText()).matches("[A-Za-z0-9+/]{22}==");
    }

    @Test
    void aCodeIsSingleUseAndASecondUseIs40163() {
        String code = sandbox.issueMiniProgramCode("weixinMiniProgram", "bob");
        assertThat(jsCode2Session(code).has("openid")).isTrue();
        JsonNode again = jsCode2Session(code);
        assertThat(again.get("errcode").asInt()).isEqualTo(40163);
        assertThat(again.get("errmsg").asText()).matches("code been used" + RID);
    }

    @Test
    void anIssuedCodeExpiresAs40029() {
        String code = sandbox.issueMiniProgramCode("weixinApp", null);
        clock.advance(Duration.ofSeconds(300));
        assertThat(jsCode2Session(code).get("errcode").asInt()).isEqualTo(40029);
    }

    @Test
    void eachApiRefusesTheOthersCodes() {
        String identityCode = sandbox.issueCode("weixinApp", "carol");
        assertThat(jsCode2Session(identityCode).get("errcode").asInt()).isEqualTo(40029);
        String miniProgramCode = sandbox.issueMiniProgramCode("weixinApp", "carol");
        assertThat(http.exchange(miniProgramCode).get("errcode").asInt()).isEqualTo(10001001);
        // Neither refusal consumed anything: each code still works where it belongs.
        assertThat(http.exchange(identityCode).get("errcode").asInt()).isZero();
        assertThat(jsCode2Session(miniProgramCode).has("openid")).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "appid,     , 41002",
            "secret,    , 41004",
            "js_code,   , 41008",
            "appid,      wxsomeoneelse, 40013",
            "secret,     wrong, 40125",
            "grant_type, client_credential, 40002",
    })
    void theParametersAreCheckedBeforeTheCode(String name, String value, int errcode) {
        String code = sandbox.issueMiniProgramCode("weixinApp", "dave");
        Map<String, String> params = params(code);
        params.put(name, value);
        assertThat(SandboxHttp.json(http.get(WeChatSandbox.JSCODE2SESSION_PATH + "?" + SandboxHttp.query(params)))
                .get("errcode").asInt()).isEqualTo(errcode);
        assertThat(jsCode2Session(code).has("openid")).as("a refused request leaves the code").isTrue();
    }

    @Test
    void postIsRefused() {
        String query = SandboxHttp.query(params(sandbox.issueMiniProgramCode("weixinApp", null)));
        assertThat(SandboxHttp.json(http.post(WeChatSandbox.JSCODE2SESSION_PATH + "?" + query, ""))
                .get("errcode").asInt()).isEqualTo(43001);
    }

    @ParameterizedTest
    @CsvSource({
            "invalid, 40029", "expired, 40029", "used, 40163", "highRisk, 40226", "minuteLimit, 45011",
            "systemError, -1", "badAppid, 40013", "unknownErr, 99999",
    })
    void errorScenariosAnswerTheirJsCode2SessionErrcodeEveryTime(String scenario, int errcode) {
        String code = sandbox.issueMiniProgramCode(scenario, null);
        assertThat(jsCode2Session(code).get("errcode").asInt()).isEqualTo(errcode);
        assertThat(jsCode2Session(code).get("errcode").asInt()).isEqualTo(errcode);
    }

    @Test
    void busyOnceAnswersMinusOneOnceWithoutConsumingTheCode() {
        String code = sandbox.issueMiniProgramCode("busyOnce", "erin");
        assertThat(jsCode2Session(code).get("errcode").asInt()).isEqualTo(-1);
        assertThat(jsCode2Session(code).get("openid").asText()).isEqualTo("o_mp_busyOnce_erin");
    }

    @Test
    void theSamePersonInBothBuildsSharesTheUnionidOrTheBoundMiniProgramOpenid() {
        // bound: unionid in every block, the same as jscode2session's.
        JsonNode identity = http.exchange(sandbox.issueCode("bound", "frank"));
        JsonNode mini = jsCode2Session(sandbox.issueMiniProgramCode("bound", "frank"));
        assertThat(mini.get("unionid").asText()).isEqualTo(identity.at("/user_info/openapp_info/unionid").asText());
        assertThat(mini.get("openid").asText()).isEqualTo(identity.at("/user_info/miniprogram_info/openid").asText());

        // boundNoUnionid: no unionid anywhere; only code2verifyinfo's miniprogram_info ties the two.
        JsonNode identity2 = http.exchange(sandbox.issueCode("boundNoUnionid", "frank"));
        JsonNode mini2 = jsCode2Session(sandbox.issueMiniProgramCode("boundNoUnionid", "frank"));
        assertThat(mini2.has("unionid")).isFalse();
        assertThat(identity2.at("/user_info/openapp_info").has("unionid")).isFalse();
        assertThat(identity2.at("/user_info/miniprogram_info").has("unionid")).isFalse();
        assertThat(mini2.get("openid").asText()).isEqualTo(identity2.at("/user_info/miniprogram_info/openid").asText());

        // noUnionid: an app user with nothing that ties a mini-program login to them.
        JsonNode identity3 = http.exchange(sandbox.issueCode("noUnionid", "frank"));
        JsonNode mini3 = jsCode2Session(sandbox.issueMiniProgramCode("noUnionid", "frank"));
        assertThat(mini3.has("unionid")).isFalse();
        assertThat(identity3.at("/user_info").has("miniprogram_info")).isFalse();
    }

    @Test
    void theHelperEndpointIssuesMiniProgramCodes() {
        JsonNode issued = SandboxHttp.json(http.post(WeChatSandbox.SANDBOX_CODES_PATH,
                "{\"scenario\":\"weixinApp\",\"user\":\"gina\",\"kind\":\"miniProgram\"}"));
        assertThat(issued.get("code").asText()).startsWith("mp.weixinApp.gina.");
        assertThat(jsCode2Session(issued.get("code").asText()).get("openid").asText()).isEqualTo("o_mp_weixinApp_gina");
        JsonNode refused = SandboxHttp.json(http.post(WeChatSandbox.SANDBOX_CODES_PATH,
                "{\"scenario\":\"weixinApp\",\"kind\":\"other\"}"));
        assertThat(refused.get("error").asText()).contains("miniProgram");
    }

    @Test
    void rotatedMiniProgramCredentialsAreTheOnlyOnesAccepted() {
        String code = sandbox.issueMiniProgramCode("weixinApp", null);
        sandbox.setMiniProgramCredentials(MP_APPID, "rotated");
        assertThat(jsCode2Session(code).get("errcode").asInt()).isEqualTo(40125);
        Map<String, String> params = params(code);
        params.put("secret", "rotated");
        assertThat(SandboxHttp.json(http.get(WeChatSandbox.JSCODE2SESSION_PATH + "?" + SandboxHttp.query(params)))
                .has("openid")).isTrue();
    }

    private Map<String, String> params(String code) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("appid", MP_APPID);
        params.put("secret", MP_SECRET);
        params.put("js_code", code);
        params.put("grant_type", "authorization_code");
        return params;
    }

    private JsonNode jsCode2Session(String code) {
        return SandboxHttp.json(http.get(WeChatSandbox.JSCODE2SESSION_PATH + "?" + SandboxHttp.query(params(code))));
    }
}
