// Level: component test — the shape of each sandbox scenario's code2verifyinfo answer, over real HTTP.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxScenarioTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private static WeChatSandbox sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET).clock(new AdjustableClock(NOW)).start();
        http = new SandboxHttp(sandbox, APPID, SECRET);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void weixinApp() {
        JsonNode answer = success("weixinApp", "alice", "weixinApp");
        assertThat(fieldNames(answer.get("user_info"))).containsExactly("user_id", "openapp_info");
        JsonNode block = answer.at("/user_info/openapp_info");
        assertThat(fieldNames(block)).containsExactly("appid", "openid", "unionid", "headimgurl", "nickname");
        assertThat(block.get("appid").asText()).isEqualTo(WeChatSandbox.OPENAPP_APPID);
        assertThat(block.get("openid").asText()).contains("alice");
        assertThat(block.get("unionid").asText()).contains("alice");
    }

    @Test
    void weixinMiniProgram() {
        JsonNode answer = success("weixinMiniProgram", "alice", "weixinMiniProgram");
        assertThat(fieldNames(answer.get("user_info"))).containsExactly("user_id", "miniprogram_info");
        JsonNode block = answer.at("/user_info/miniprogram_info");
        assertThat(fieldNames(block)).containsExactly("appid", "openid", "unionid");
        assertThat(block.get("appid").asText()).isEqualTo(WeChatSandbox.MINIPROGRAM_APPID);
    }

    @Test
    void apple() {
        JsonNode answer = success("apple", "alice", "apple");
        assertThat(fieldNames(answer.get("user_info"))).containsExactly("user_id", "apple_info");
        assertThat(fieldNames(answer.at("/user_info/apple_info"))).containsExactly("bundleid", "apple_user_id", "apple_email");
        assertThat(answer.toString()).doesNotContain("openid", "unionid");
    }

    @ParameterizedTest
    @CsvSource({"phoneSms", "phoneOneClick"})
    void phone(String scenario) {
        JsonNode answer = success(scenario, "alice", scenario);
        assertThat(fieldNames(answer.get("user_info"))).containsExactly("user_id", "phone_info");
        assertThat(answer.at("/user_info/phone_info/phone").asText()).matches("137\\d{8}");
    }

    @Test
    void boundCarriesEveryBlockWithOneUnionid() {
        JsonNode answer = success("bound", "alice", "weixinApp");
        JsonNode userInfo = answer.get("user_info");
        assertThat(fieldNames(userInfo)).containsExactly("user_id", "openapp_info", "miniprogram_info", "phone_info", "apple_info");
        assertThat(userInfo.at("/openapp_info/openid").asText()).isNotEqualTo(userInfo.at("/miniprogram_info/openid").asText());
        assertThat(userInfo.at("/openapp_info/unionid").asText()).isEqualTo(userInfo.at("/miniprogram_info/unionid").asText());
    }

    @Test
    void noUnionid() {
        JsonNode answer = success("noUnionid", "alice", "weixinApp");
        assertThat(answer.at("/user_info/openapp_info").has("openid")).isTrue();
        assertThat(answer.at("/user_info/openapp_info").has("unionid")).isFalse();
    }

    @Test
    void loginTimeStringCarriesUnknownFields() {
        JsonNode answer = http.exchange(sandbox.issueCode("loginTimeString", "alice"));
        assertThat(answer.at("/login_info/login_time").isTextual()).isTrue();
        assertThat(answer.at("/login_info/login_time").asText()).isEqualTo(Long.toString(NOW.getEpochSecond()));
        assertThat(answer.at("/user_info/future_info/x").asInt()).isEqualTo(1);
        assertThat(answer.get("extra").asText()).isEqualTo("y");
        assertThat(answer.at("/user_info/openapp_info/openid").asText()).contains("alice");
    }

    @Test
    void sessionKeyIsInTheBlock() {
        JsonNode answer = success("sessionKey", "alice", "weixinApp");
        assertThat(answer.at("/user_info/openapp_info/session_key").asText()).isNotEmpty();
    }

    @Test
    void busyOnceFailsOnceWithoutConsumingTheCode() {
        String code = sandbox.issueCode("busyOnce", "alice");
        JsonNode first = http.exchange(code);
        assertThat(first.get("errcode").asInt()).isEqualTo(-1);
        assertThat(first.get("errmsg").asText()).matches("system error rid: \\S+");
        JsonNode second = http.exchange(code);
        assertThat(second.get("errcode").asInt()).isZero();
        assertThat(second.at("/login_info/type").asText()).isEqualTo("weixinApp");
        assertThat(http.exchange(code).get("errcode").asInt()).isEqualTo(10001001);
    }

    @ParameterizedTest
    @CsvSource({
            "expired, 10001000, code过期",
            "invalid, 10001001, code错误",
            "badAppid, 10001002, appid错误",
            "notOnIdentityManagement, 10001005, 应用未接入身份管理",
            "systemError, -1, system error",
            "quota, 45009, reach max api daily quota limit",
            "minuteLimit, 45011, api minute-quota reach limit",
            "unknownErr, 99999, unknown error"})
    void errorScenariosAnswerTheirErrcodeEveryTime(String scenario, int errcode, String message) {
        String code = sandbox.issueCode(scenario, "alice");
        for (int attempt = 0; attempt < 2; attempt++) {
            JsonNode answer = http.exchange(code);
            assertThat(fieldNames(answer)).containsExactly("errcode", "errmsg");
            assertThat(answer.get("errcode").asInt()).isEqualTo(errcode);
            assertThat(answer.get("errmsg").asText()).startsWith(message)
                    .matches(".* rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$");
        }
    }

    @Test
    void identitiesAreDeterministicAndDifferPerUserAndScenario() {
        JsonNode alice1 = http.exchange(sandbox.issueCode("bound", "alice")).get("user_info");
        JsonNode alice2 = http.exchange(sandbox.issueCode("bound", "alice")).get("user_info");
        JsonNode bob = http.exchange(sandbox.issueCode("bound", "bob")).get("user_info");
        JsonNode byDefault = http.exchange(sandbox.issueCode("bound")).get("user_info");
        assertThat(alice2).isEqualTo(alice1);
        assertThat(byDefault.get("user_id").asText()).isEqualTo("sbx-bound-default");
        Set<String> ids = new HashSet<>();
        for (JsonNode info : List.of(alice1, bob, byDefault)) {
            assertThat(ids.add(info.get("user_id").asText())).isTrue();
            assertThat(ids.add(info.at("/openapp_info/openid").asText())).isTrue();
            assertThat(ids.add(info.at("/miniprogram_info/openid").asText())).isTrue();
            assertThat(ids.add(info.at("/openapp_info/unionid").asText())).isTrue();
            assertThat(ids.add(info.at("/phone_info/phone").asText())).isTrue();
            assertThat(ids.add(info.at("/apple_info/apple_user_id").asText())).isTrue();
        }
        Set<String> userIds = new HashSet<>();
        for (String scenario : List.of("weixinApp", "weixinMiniProgram", "apple", "phoneSms", "phoneOneClick", "bound",
                "noUnionid", "loginTimeString", "sessionKey")) {
            userIds.add(http.exchange(sandbox.issueCode(scenario, "alice")).at("/user_info/user_id").asText());
        }
        assertThat(userIds).hasSize(9);
    }

    private static JsonNode success(String scenario, String user, String type) {
        JsonNode answer = http.exchange(sandbox.issueCode(scenario, user));
        assertThat(fieldNames(answer)).containsExactly("errcode", "errmsg", "login_info", "user_info");
        assertThat(answer.get("errcode").asInt()).isZero();
        assertThat(answer.get("errmsg").asText()).isEqualTo("ok");
        assertThat(answer.at("/login_info/type").asText()).isEqualTo(type);
        assertThat(answer.at("/login_info/login_time").isIntegralNumber()).isTrue();
        assertThat(answer.at("/login_info/login_time").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(answer.at("/login_info/appid").asText()).isEqualTo(APPID);
        assertThat(answer.at("/user_info/user_id").asText()).isEqualTo("sbx-" + scenario + "-" + user);
        if (!scenario.equals("sessionKey")) assertThat(answer.toString()).doesNotContain("session_key");
        return answer;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
