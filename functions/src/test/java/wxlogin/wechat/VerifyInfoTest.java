package wxlogin.wechat;

// Unit: how code2verifyinfo answers are reduced to an identity (every login type, lenient parsing).

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.common.Json;

class VerifyInfoTest {

    private static VerifyInfo parse(String json) {
        return VerifyInfo.from(Json.objectOrNull(json), "wxconfigured");
    }

    @Test
    void weixinAppTakesOpenidAndUnionidFromOpenappInfo() {
        VerifyInfo info = parse("{\"errcode\":0,\"login_info\":{\"type\":\"weixinApp\",\"login_time\":1732443200,\"appid\":\"wxmulti\"},"
                + "\"user_info\":{\"user_id\":\"u1\",\"miniprogram_info\":{\"openid\":\"o-mini\",\"unionid\":\"un\"},"
                + "\"openapp_info\":{\"appid\":\"wxopen\",\"openid\":\"o-app\",\"unionid\":\"un\",\"nickname\":\"n\"}}}");
        // miniprogram_info has no appid here: it cannot be keyed, so it is not among the linked openids.
        assertThat(info).isEqualTo(new VerifyInfo("weixinApp", "u1", "wxmulti", "o-app", "un",
                List.of(new VerifyInfo.AppOpenid("wxopen", "o-app"))));
    }

    @Test
    void weixinMiniProgramTakesItsOwnBlock() {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"weixinMiniProgram\"},\"user_info\":{\"user_id\":\"u2\","
                + "\"openapp_info\":{\"openid\":\"o-app\"},\"miniprogram_info\":{\"openid\":\"o-mini\",\"unionid\":\"un2\"}}}");
        assertThat(info).isEqualTo(new VerifyInfo("weixinMiniProgram", "u2", "wxconfigured", "o-mini", "un2", List.of()));
    }

    @ParameterizedTest
    @CsvSource({"phoneSms", "phoneOneClick", "apple"})
    void loginTypesWithoutAnOpenidBlockHaveNone(String type) {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"" + type + "\",\"login_time\":1},\"user_info\":{\"user_id\":\"u3\","
                + "\"phone_info\":{\"phone\":\"137\"},\"apple_info\":{\"bundleid\":\"b\",\"apple_user_id\":\"a\"}}}");
        assertThat(info.loginType()).isEqualTo(type);
        assertThat(info.openid()).isNull();
        assertThat(info.unionid()).isNull();
    }

    @Test
    void aPhoneLoginOfABoundUserFallsBackToTheFirstOpenidBlock() {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"phoneSms\"},\"user_info\":{\"user_id\":\"u4\","
                + "\"miniprogram_info\":{\"openid\":\"o-mini\"},\"openapp_info\":{\"openid\":\"o-app\"},"
                + "\"huawei_info\":{\"unionid\":\"un-from-elsewhere\"}}}");
        assertThat(info.openid()).isEqualTo("o-app");
        // unionid falls back to any block that has one.
        assertThat(info.unionid()).isEqualTo("un-from-elsewhere");
    }

    @Test
    void everyBlocksAppidAndOpenidIsExposedForTheDirectory() {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"weixinApp\"},\"user_info\":{\"user_id\":\"u7\","
                + "\"openapp_info\":{\"appid\":\"wxopen\",\"openid\":\"o-app\"},"
                + "\"miniprogram_info\":{\"appid\":\"wxmini\",\"openid\":\"o-mini\",\"unionid\":\"\"},"
                + "\"phone_info\":{\"phone\":\"137\"},\"future_info\":{\"appid\":\"wxfuture\",\"openid\":\"o-future\"}}}");
        assertThat(info.openids()).containsExactly(new VerifyInfo.AppOpenid("wxopen", "o-app"),
                new VerifyInfo.AppOpenid("wxmini", "o-mini"), new VerifyInfo.AppOpenid("wxfuture", "o-future"));
        assertThat(info.openid()).isEqualTo("o-app");
        assertThat(info.unionid()).isNull();
    }

    @Test
    void emptyUnionidCountsAsAbsent() {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"weixinApp\"},\"user_info\":{\"user_id\":\"u5\","
                + "\"openapp_info\":{\"openid\":\"o\",\"unionid\":\"\"}}}");
        assertThat(info.unionid()).isNull();
    }

    @Test
    void toleratesStringLoginTimeUnknownFieldsAndBlocks() {
        VerifyInfo info = parse("{\"errcode\":0,\"extra\":[1,2],\"login_info\":{\"type\":\"weixinApp\",\"login_time\":\"1732443200\","
                + "\"new\":{}},\"user_info\":{\"user_id\":\"u6\",\"future_info\":{\"x\":1},\"openapp_info\":{\"openid\":\"o6\","
                + "\"session_key\":\"never-kept\"}}}");
        assertThat(info).isEqualTo(new VerifyInfo("weixinApp", "u6", "wxconfigured", "o6", null, List.of()));
        assertThat(info.toString()).doesNotContain("never-kept");
    }

    @Test
    void anUnknownLoginTypeStillYieldsAnIdentity() {
        VerifyInfo info = parse("{\"login_info\":{\"type\":\"harmonyOS\"},\"user_info\":{\"user_id\":\"u7\",\"huawei_info\":{\"openid\":\"h\"}}}");
        assertThat(info.loginType()).isEqualTo("harmonyOS");
        assertThat(info.openid()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}",
            "{\"login_info\":{\"type\":\"weixinApp\"}}",
            "{\"login_info\":{\"type\":\"\"},\"user_info\":{\"user_id\":\"u\"}}",
            "{\"login_info\":{\"type\":\"weixinApp\"},\"user_info\":{\"user_id\":7}}",
            "{\"login_info\":\"weixinApp\",\"user_info\":{\"user_id\":\"u\"}}",
            "{\"login_info\":{\"type\":\"weixinApp\"},\"user_info\":[]}"})
    void answersWithoutTypeOrUserIdAreRejected(String json) {
        assertThat(parse(json)).isNull();
    }
}
