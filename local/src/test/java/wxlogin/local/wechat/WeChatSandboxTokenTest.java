// Level: component test — WeChatSandbox's token endpoints over real HTTP on 127.0.0.1, clock injected.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxTokenTest {

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
    void stableTokenIsTheSameWhileValidAndNewAfterExpiry() {
        JsonNode first = http.stableTokenAnswer(false);
        assertThat(first.get("expires_in").asLong()).isEqualTo(7200);

        clock.advance(Duration.ofSeconds(1000));
        JsonNode second = http.stableTokenAnswer(false);
        assertThat(second.get("access_token").asText()).isEqualTo(first.get("access_token").asText());
        assertThat(second.get("expires_in").asLong()).isEqualTo(6200);

        clock.advance(Duration.ofSeconds(6200));
        JsonNode third = http.stableTokenAnswer(false);
        assertThat(third.get("access_token").asText()).isNotEqualTo(first.get("access_token").asText());
        assertThat(third.get("expires_in").asLong()).isEqualTo(7200);
        assertThat(sandbox.calls(WeChatSandbox.STABLE_TOKEN_PATH)).isEqualTo(3);
    }

    @Test
    void expiredTokenIsRejectedWith42001() {
        String token = http.stableToken();
        clock.advance(Duration.ofSeconds(7200));
        JsonNode answer = http.code2VerifyInfo(http.code2VerifyInfoParams(token, "weixinApp.n1"));
        assertThat(answer.get("errcode").asInt()).isEqualTo(42001);
        assertThat(answer.get("errmsg").asText()).startsWith("access_token expired rid: ");
    }

    @Test
    void forceRefreshMintsANewTokenAndTheOldOneLastsFiveMinutes() {
        String old = http.stableToken();
        String fresh = http.stableTokenAnswer(true).get("access_token").asText();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(http.stableToken()).isEqualTo(fresh);

        clock.advance(Duration.ofSeconds(299));
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(old, "weixinApp.a")).get("errcode").asInt()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(old, "weixinApp.b")).get("errcode").asInt()).isEqualTo(42001);
    }

    @Test
    void wrongCredentialsGrantTypeAndMethodAreRejected() {
        assertThat(errcode(http.post(WeChatSandbox.STABLE_TOKEN_PATH,
                "{\"grant_type\":\"client_credential\",\"appid\":\"wxother\",\"secret\":\"" + SECRET + "\"}")))
                .isEqualTo(40013);
        HttpResponse<String> badSecret = http.post(WeChatSandbox.STABLE_TOKEN_PATH,
                "{\"grant_type\":\"client_credential\",\"appid\":\"" + APPID + "\",\"secret\":\"nope\"}");
        assertThat(badSecret.statusCode()).isEqualTo(200);
        assertThat(SandboxHttp.json(badSecret).get("errmsg").asText()).startsWith("invalid appsecret rid: ");
        assertThat(errcode(badSecret)).isEqualTo(40125);
        assertThat(errcode(http.post(WeChatSandbox.STABLE_TOKEN_PATH,
                "{\"grant_type\":\"authorization_code\",\"appid\":\"" + APPID + "\",\"secret\":\"" + SECRET + "\"}")))
                .isEqualTo(40002);
        HttpResponse<String> get = http.get(WeChatSandbox.STABLE_TOKEN_PATH);
        assertThat(errcode(get)).isEqualTo(43002);
        assertThat(SandboxHttp.json(get).get("errmsg").asText()).startsWith("require POST method rid: ");
        assertThat(errcode(http.post(WeChatSandbox.STABLE_TOKEN_PATH, "not json"))).isEqualTo(47001);
    }

    @Test
    void legacyTokenEndpointMintsEveryCallAndIsCounted() {
        String query = "?grant_type=client_credential&appid=" + APPID + "&secret=" + SECRET;
        String first = SandboxHttp.json(http.get(WeChatSandbox.LEGACY_TOKEN_PATH + query)).get("access_token").asText();
        String second = SandboxHttp.json(http.get(WeChatSandbox.LEGACY_TOKEN_PATH + query)).get("access_token").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(sandbox.calls(WeChatSandbox.LEGACY_TOKEN_PATH)).isEqualTo(2);

        // The replaced token works for 5 more minutes only.
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(first, "weixinApp.c")).get("errcode").asInt()).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(first, "weixinApp.d")).get("errcode").asInt()).isEqualTo(42001);
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(second, "weixinApp.e")).get("errcode").asInt()).isZero();
    }

    @Test
    void expireAndInvalidateAffectExistingTokensAndStableTokenMintsAgain() {
        String token = http.stableToken();
        sandbox.expireAccessTokens();
        assertThat(http.code2VerifyInfo(http.code2VerifyInfoParams(token, "weixinApp.f")).get("errcode").asInt()).isEqualTo(42001);
        String second = http.stableToken();
        assertThat(second).isNotEqualTo(token);

        sandbox.invalidateAccessTokens();
        JsonNode invalid = http.code2VerifyInfo(http.code2VerifyInfoParams(second, "weixinApp.g"));
        assertThat(invalid.get("errcode").asInt()).isEqualTo(40001);
        assertThat(invalid.get("errmsg").asText())
                .startsWith("invalid credential, access_token is invalid or not latest rid: ");
        assertThat(http.stableToken()).isNotEqualTo(second);
    }

    @Test
    void rotationKeepsOldTokensValidAndRejectsTheOldSecret() {
        String token = http.stableToken();
        sandbox.setCredentials(APPID, "rotated-secret");

        // The token minted with the old secret still works, but only with the new appsecret.
        JsonNode withOldSecret = http.code2VerifyInfo(http.code2VerifyInfoParams(token, "weixinApp.h"));
        assertThat(withOldSecret.get("errcode").asInt()).isEqualTo(10001003);
        SandboxHttp rotated = new SandboxHttp(sandbox, APPID, "rotated-secret");
        assertThat(rotated.code2VerifyInfo(rotated.code2VerifyInfoParams(token, "weixinApp.h")).get("errcode").asInt()).isZero();
        assertThat(errcode(http.post(WeChatSandbox.STABLE_TOKEN_PATH,
                "{\"grant_type\":\"client_credential\",\"appid\":\"" + APPID + "\",\"secret\":\"" + SECRET + "\"}")))
                .isEqualTo(40125);
        assertThat(rotated.stableToken()).isEqualTo(token);
    }

    private static int errcode(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return SandboxHttp.json(response).get("errcode").asInt();
    }
}
