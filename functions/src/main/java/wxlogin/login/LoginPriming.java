package wxlogin.login;

import java.time.Clock;
import wxlogin.common.ApiException;
import wxlogin.common.Json;
import wxlogin.http.ApiGatewayJson;
import wxlogin.http.HttpResponses;
import wxlogin.session.SessionBody;
import wxlogin.token.SigningKeys;
import wxlogin.token.ThrowawayToken;
import wxlogin.wechat.VerifyInfo;
import wxlogin.wechat.WeChatCredentials;

/**
 * SnapStart priming of the login path, without network and without randomness: reads a sample
 * request, secret values and a WeChat answer, signs and verifies a throwaway token, writes a
 * sample answer and a sample error, reads and writes sample API Gateway JSON. The snapshot then holds those classes loaded and their code compiled.
 */
final class LoginPriming {

    static final String SAMPLE_ANSWER = "{\"errcode\":0,\"errmsg\":\"ok\",\"login_info\":{\"type\":\"weixinApp\","
            + "\"login_time\":1795528800,\"appid\":\"wxpriming\"},\"user_info\":{\"user_id\":\"priming\","
            + "\"openapp_info\":{\"appid\":\"wxpriming\",\"openid\":\"priming\",\"unionid\":\"priming\"}}}";

    private LoginPriming() {
    }

    static void run(Clock clock) {
        LoginRequest.code("{\"code\":\"priming-code\"}", false);
        WeChatCredentials.parse("{\"appid\":\"wxpriming\",\"appsecret\":\"priming\"}");
        SigningKeys.parse("{\"keys\":[{\"kid\":\"priming\",\"secret\":\"throwaway-priming-key-of-at-least-32-bytes\"}]}");
        VerifyInfo info = VerifyInfo.from(Json.objectOrNull(SAMPLE_ANSWER), "wxpriming");
        ThrowawayToken.signAndVerify(clock);
        HttpResponses.json(200, new SessionBody("priming", "Bearer", 60, info.userId(), info.openid(), info.unionid(),
                info.loginType(), null, null).toJson());
        HttpResponses.error(new ApiException(401, 10001000L, "priming", "priming"));
        ApiGatewayJson.prime();
    }
}
