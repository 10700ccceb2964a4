package wxlogin.account;

import java.time.Clock;
import java.util.Map;
import wxlogin.priming.Priming;
import wxlogin.priming.TlsPriming;
import wxlogin.token.ThrowawayToken;

/**
 * SnapStart priming of AccountFunction: one whole {@code POST /account/delete} through an
 * {@link AccountHandler} wired from an environment as Lambda wires it (Secrets Manager, DynamoDB
 * and EventBridge SDK clients, Nimbus verifying the token, the WeChat client), every endpoint a
 * loopback one answering a throwaway key, a directory user with a multi-terminal link and one
 * session, the SDK calls signed with throwaway credentials; then the WeChat client's HTTPS path.
 */
final class AccountPriming {

    private static final String APP_SECRET = "{\"appid\":\"wxpriming\",\"appsecret\":\"priming-throwaway\"}";

    private AccountPriming() {
    }

    static void run() {
        Priming.run(AccountPriming::answer, loopback -> {
            Map<String, String> env = Priming.environment(loopback, "WECHAT_APP_SECRET_ID", "priming-app",
                    "SESSION_KEYS_SECRET_ID", "priming-keys", "SESSION_ISSUER", ThrowawayToken.ISSUER,
                    "SESSIONS_TABLE", "priming-sessions", "USERS_TABLE", "priming-users",
                    "AWS_ENDPOINT_URL_EVENTBRIDGE", loopback.url());
            AccountHandler handler = new AccountHandler(env);
            try {
                String event = Priming.httpEvent(AccountHandler.ROUTE, "{}", "{\"userId\":\"priming\"}")
                        .replace("\"accept\":", "\"authorization\":\"Bearer " + ThrowawayToken.sign(Clock.systemUTC())
                                + "\",\"accept\":");
                Priming.expect(Priming.invoke(handler, event).contains("\"statusCode\":204"),
                        "the deletion did not answer 204");
            } finally {
                // Its access token, secrets and WeChat client (connections, selector thread) go.
                handler.snapStartHook().afterRestore(null);
            }
        }, TlsPriming::weChatClient);
    }


    private static String answer(String path, String target, String body) {
        if (target == null) {
            return switch (path) {
                case "/cgi-bin/stable_token" -> "{\"access_token\":\"priming-access-token\",\"expires_in\":7200}";
                case "/donut/unregisteruser" -> "{\"errcode\":0,\"errmsg\":\"ok\"}";
                default -> null;
            };
        }
        return switch (target) {
            case "secretsmanager.GetSecretValue" -> body.contains("priming-app")
                    ? Priming.secretValue("priming-app", APP_SECRET)
                    : Priming.secretValue("priming-keys", ThrowawayToken.KEYS_SECRET);
            // No deletion record yet; the user with a multi-terminal link and an openid link.
            case "DynamoDB_20120810.GetItem" -> body.contains("deletion#") ? "{}"
                    : "{\"Item\":{\"pk\":{\"S\":\"user#priming\"},\"userId\":{\"S\":\"priming\"},\"createdAt\":{\"N\":\"1\"},"
                            + "\"links\":{\"SS\":[\"link#user#priming\",\"link#openid#wxpriming#priming\"]}}}";
            case "DynamoDB_20120810.Query" -> "{\"Count\":1,\"ScannedCount\":1,\"Items\":[{\"pk\":{\"S\":\"family#priming\"},"
                    + "\"familyUser\":{\"S\":\"priming\"}}]}";
            case "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.DeleteItem" -> "{}";
            case "AWSEvents.PutEvents" -> "{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"priming\"}]}";
            default -> null;
        };
    }
}
