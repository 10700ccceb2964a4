// Level: component test — WeChatSandbox's donut/unregisteruser over real HTTP: token checks, single removal, new user_id after.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxUnregisterTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";

    private final AdjustableClock clock = new AdjustableClock(Instant.parse("2026-11-24T12:00:00Z"));
    private WeChatSandbox sandbox;
    private SandboxHttp http;

    @BeforeEach
    void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET).clock(clock).start();
        http = new SandboxHttp(sandbox, APPID, SECRET);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void aRegisteredUserIsRemovedOnceAndComesBackWithANewUserId() {
        String userId = http.exchange(sandbox.issueCode("weixinApp", "alice")).at("/user_info/user_id").asText();
        assertThat(userId).isEqualTo("sbx-weixinApp-alice");

        assertThat(unregister(http.stableToken(), "{\"user_id\":\"" + userId + "\"}").get("errcode").asInt()).isZero();
        assertThat(sandbox.unregisteredUserIds()).containsExactly(userId);
        // Already gone: 10001038, which the backend treats as done.
        assertThat(unregister(http.stableToken(), "{\"user_id\":\"" + userId + "\"}").get("errcode").asInt())
                .isEqualTo(10001038);

        String next = http.exchange(sandbox.issueCode("weixinApp", "alice")).at("/user_info/user_id").asText();
        assertThat(next).isEqualTo("sbx-weixinApp-alice-2");
        // Other people keep theirs.
        assertThat(http.exchange(sandbox.issueCode("weixinApp", "a-l_ice")).at("/user_info/user_id").asText())
                .isEqualTo("sbx-weixinApp-a-l_ice");
    }

    @Test
    void neverSeenUserIdsAreUnknown() {
        assertThat(unregister(http.stableToken(), "{\"user_id\":\"sbx-weixinApp-nobody\"}").get("errcode").asInt())
                .isEqualTo(10001038);
    }

    @Test
    void theAccessTokenAndTheBodyAreChecked() {
        String userId = http.exchange(sandbox.issueCode("weixinApp", "bob")).at("/user_info/user_id").asText();
        String body = "{\"user_id\":\"" + userId + "\"}";
        assertThat(SandboxHttp.json(http.post(WeChatSandbox.UNREGISTER_USER_PATH, body)).get("errcode").asInt())
                .isEqualTo(41001);
        assertThat(unregister("not-a-token", body).get("errcode").asInt()).isEqualTo(40001);
        String token = http.stableToken();
        sandbox.expireAccessTokens();
        assertThat(unregister(token, body).get("errcode").asInt()).isEqualTo(42001);
        assertThat(unregister(http.stableToken(), "{\"userid\":1}").get("errcode").asInt()).isEqualTo(47001);
        assertThat(SandboxHttp.json(http.get(WeChatSandbox.UNREGISTER_USER_PATH + "?access_token=" + http.stableToken()))
                .get("errcode").asInt()).isEqualTo(43002);
        assertThat(sandbox.unregisteredUserIds()).isEmpty();
        assertThat(unregister(http.stableToken(), body).get("errcode").asInt()).isZero();
    }

    private JsonNode unregister(String accessToken, String body) {
        return SandboxHttp.json(http.post(WeChatSandbox.UNREGISTER_USER_PATH + "?access_token=" + accessToken, body));
    }
}
