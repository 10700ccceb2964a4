package wxlogin.session.handler;

import java.time.Instant;
import wxlogin.priming.Priming;
import wxlogin.session.RefreshTokens;
import wxlogin.token.ThrowawayToken;

/**
 * SnapStart priming of SessionFunction: one {@code POST /session/refresh} and one
 * {@code POST /logout} through a {@link SessionHandler} wired from an environment as Lambda wires
 * it (the SDK's Secrets Manager and DynamoDB clients, Nimbus minting the access token), every
 * endpoint a loopback one answering a throwaway signing key and canned session items, the SDK
 * calls signed with throwaway credentials.
 */
final class SessionPriming {

    /** A refresh token of the right shape; only the loopback's canned items know it. */
    private static final String TOKEN = "priming".repeat(6) + "p";

    private SessionPriming() {
    }

    static void run() {
        String hash = RefreshTokens.hash(TOKEN);
        long now = Instant.now().getEpochSecond();
        Priming.run((path, target, body) -> answer(target, body, hash, now), loopback -> {
            SessionHandler handler = new SessionHandler(Priming.environment(loopback,
                    "SESSION_KEYS_SECRET_ID", "priming-keys", "SESSIONS_TABLE", "priming-sessions"));
            String body = "{\"refreshToken\":\"" + TOKEN + "\"}";
            Priming.expect(Priming.invoke(handler, Priming.httpEvent(SessionHandler.REFRESH_ROUTE, body, null))
                    .contains("\"statusCode\":200"), "the refresh did not answer 200");
            Priming.expect(Priming.invoke(handler, Priming.httpEvent(SessionHandler.LOGOUT_ROUTE, body, null))
                    .contains("\"statusCode\":204"), "the logout did not answer 204");
        });
    }

    private static String answer(String target, String body, String hash, long now) {
        if (target == null) {
            return null;
        }
        String times = "\"expiresAt\":{\"N\":\"" + (now + 3600) + "\"},\"ttl\":{\"N\":\"" + (now + 3600) + "\"}";
        return switch (target) {
            case "secretsmanager.GetSecretValue" -> Priming.secretValue("priming-keys", ThrowawayToken.KEYS_SECRET);
            case "DynamoDB_20120810.GetItem" -> body.contains("family#")
                    ? "{\"Item\":{\"pk\":{\"S\":\"family#priming\"},\"kind\":{\"S\":\"family\"},\"currentHash\":{\"S\":\""
                            + hash + "\"},\"userId\":{\"S\":\"priming\"},\"createdAt\":{\"N\":\"" + now + "\"}," + times + "}}"
                    : "{\"Item\":{\"pk\":{\"S\":\"token#" + hash + "\"},\"kind\":{\"S\":\"token\"},\"familyId\":{\"S\":\"priming\"},"
                            + "\"userId\":{\"S\":\"priming\"},\"appid\":{\"S\":\"wxpriming\"},\"loginType\":{\"S\":\"weixinApp\"},"
                            + "\"openid\":{\"S\":\"priming\"},\"issuedAt\":{\"N\":\"" + now + "\"}," + times + "}}";
            case "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.UpdateItem" -> "{}";
            default -> null;
        };
    }
}
