// Level: component test — WeChatSandbox's getuserphonenumber over real HTTP, with the mini program's stable_token.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxPhoneTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";
    private static final String MP_APPID = "wxtestminiprogram";
    private static final String MP_SECRET = "test-miniprogram-secret";

    private final AdjustableClock clock = new AdjustableClock(Instant.parse("2026-11-24T12:00:00Z"));
    private WeChatSandbox sandbox;
    private SandboxHttp app;
    private SandboxHttp miniProgram;

    @BeforeEach
    void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET).miniProgramCredentials(MP_APPID, MP_SECRET)
                .clock(clock).start();
        app = new SandboxHttp(sandbox, APPID, SECRET);
        miniProgram = new SandboxHttp(sandbox, MP_APPID, MP_SECRET);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private JsonNode phone(String accessToken, String code) {
        return SandboxHttp.json(app.post(WeChatSandbox.PHONE_NUMBER_PATH + "?access_token=" + accessToken,
                "{\"code\":\"" + code + "\"}"));
    }

    @Test
    void eachAccountGetsItsOwnStableTokenAndOnlyTheMiniProgramsReadsPhoneNumbers() {
        String mpToken = miniProgram.stableToken();
        String appToken = app.stableToken();
        assertThat(mpToken).isNotEqualTo(appToken);
        assertThat(miniProgram.stableToken()).as("the same while valid").isEqualTo(mpToken);

        String code = sandbox.issuePhoneCode("alice");
        assertThat(phone(appToken, code).get("errcode").asInt()).isEqualTo(40001);
        JsonNode answer = phone(mpToken, code);
        assertThat(answer.get("errcode").asInt()).isZero();
        assertThat(answer.at("/phone_info/purePhoneNumber").asText()).isEqualTo(WeChatSandbox.phoneNumberOf("alice"))
                .matches("137[0-9]{8}");
        assertThat(answer.at("/phone_info/countryCode").asText()).isEqualTo("86");
        assertThat(answer.at("/phone_info/watermark/appid").asText()).isEqualTo(MP_APPID);
    }

    @Test
    void aPhoneCodeWorksOnceAndExpires() {
        String token = miniProgram.stableToken();
        String code = sandbox.issuePhoneCode("bob");
        assertThat(phone(token, code).get("errcode").asInt()).isZero();
        assertThat(phone(token, code).get("errcode").asInt()).isEqualTo(40029);
        String late = sandbox.issuePhoneCode("bob");
        clock.advance(Duration.ofSeconds(300));
        assertThat(phone(miniProgram.stableToken(), late).get("errcode").asInt()).isEqualTo(40029);
        assertThat(phone(miniProgram.stableToken(), "weixinApp.x").get("errcode").asInt()).isEqualTo(40029);
    }

    @Test
    void theMiniProgramsSecretIsChecked() {
        SandboxHttp wrong = new SandboxHttp(sandbox, MP_APPID, "wrong");
        assertThat(wrong.stableTokenAnswer(false).get("errcode").asInt()).isEqualTo(40125);
    }
}
