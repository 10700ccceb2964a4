package wxlogin.login;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import wxlogin.priming.LoopbackEndpoint;
import wxlogin.priming.Priming;
import wxlogin.priming.TlsPriming;
import wxlogin.token.ThrowawayToken;

/**
 * SnapStart priming of the login: a {@code POST /login} of a returning person from each build
 * (an identity code, then a mini-program code), with lasting sessions and the user directory, through a {@link LoginHandler} wired from an environment exactly as Lambda wires it
 * (the SDK's Secrets Manager and DynamoDB clients, the WeChat client), every endpoint a
 * {@link LoopbackEndpoint} answering canned Secrets Manager, WeChat and DynamoDB JSON, the SDK
 * calls signed with throwaway credentials. The priming handler is then dropped, its WeChat
 * connections shut; the real handler's secrets, access token and connections are untouched (it
 * has none yet). Then the TLS client's first handshake, as far as it runs without a certificate,
 * for the SDK's transport and the WeChat client ({@link wxlogin.priming.TlsPriming}).
 */
final class LoginPriming {

    static final String SAMPLE_ANSWER = "{\"errcode\":0,\"errmsg\":\"ok\",\"login_info\":{\"type\":\"weixinApp\","
            + "\"login_time\":1795528800,\"appid\":\"wxpriming\"},\"user_info\":{\"user_id\":\"priming\","
            + "\"openapp_info\":{\"appid\":\"wxpriming\",\"openid\":\"priming\",\"unionid\":\"priming\"}}}";
    private static final String APP_SECRET = "{\"appid\":\"wxpriming\",\"appsecret\":\"priming-throwaway\"}";
    private static final String MINI_PROGRAM_SECRET = "{\"appid\":\"wxprimingmp\",\"appsecret\":\"priming-throwaway\"}";
    private static final Pattern KEY = Pattern.compile("\"pk\":\\{\"S\":\"([^\"]+)\"\\}");

    private LoginPriming() {
    }

    static void run() {
        Priming.run(LoginPriming::answer, loopback -> {
            Map<String, String> env = Priming.environment(loopback, "WECHAT_APP_SECRET_ID", "priming-app",
                    "SESSION_KEYS_SECRET_ID", "priming-keys", "SESSIONS_TABLE", "priming-sessions",
                    "USERS_TABLE", "priming-users", "MINIPROGRAM_SECRET_ID", "priming-mini-program");
            LoginHandler handler = new LoginHandler(env);
            try {
                for (String body : new String[] {"{\"code\":\"priming-code\"}",
                        "{\"code\":\"priming-code\",\"codeType\":\"miniProgram\"}"}) {
                    String answer = Priming.invoke(handler, Priming.httpEvent("POST /login", body, null));
                    Priming.expect(answer.contains("\"statusCode\":200") && answer.contains("refreshToken"),
                            "the login did not answer 200 with a refresh token");
                }
            } finally {
                // Its access token, secrets and WeChat client (connections, selector thread) go.
                handler.snapStartHook().afterRestore(null);
            }
        }, TlsPriming::weChatClient);
    }


    /** The directory's answer for a returning person: every identity asked about is linked to one user. */
    private static String returningPerson(String body) {
        StringBuilder items = new StringBuilder();
        Matcher key = KEY.matcher(body);
        while (key.find()) {
            items.append(items.isEmpty() ? "" : ",").append("{\"pk\":{\"S\":\"").append(key.group(1))
                    .append("\"},\"userId\":{\"S\":\"priming\"}}");
        }
        return "{\"Responses\":{\"priming-users\":[" + items + "]},\"UnprocessedKeys\":{}}";
    }

    private static String answer(String path, String target, String body) {
        if (target == null) {
            return switch (path) {
                case "/cgi-bin/stable_token" -> "{\"access_token\":\"priming-access-token\",\"expires_in\":7200}";
                case "/donut/code2verifyinfo" -> SAMPLE_ANSWER;
                case "/sns/jscode2session" -> "{\"openid\":\"priming\",\"session_key\":\"cHJpbWluZw==\",\"unionid\":\"priming\"}";
                default -> null;
            };
        }
        return switch (target) {
            case "secretsmanager.GetSecretValue" -> body.contains("priming-app")
                    ? Priming.secretValue("priming-app", APP_SECRET)
                    : body.contains("priming-mini-program")
                    ? Priming.secretValue("priming-mini-program", MINI_PROGRAM_SECRET)
                    : Priming.secretValue("priming-keys", ThrowawayToken.KEYS_SECRET);
            case "DynamoDB_20120810.TransactWriteItems" -> "{}";
            case "DynamoDB_20120810.BatchGetItem" -> returningPerson(body);
            default -> null;
        };
    }
}
