package wxlogin.gate;

import java.time.Clock;
import wxlogin.priming.Priming;
import wxlogin.token.ThrowawayToken;

/**
 * SnapStart priming of the gate: one allowed and one denied call through a {@link CallGateHandler}
 * wired from an environment as Lambda wires it (the SDK's Secrets Manager client, Nimbus), Secrets
 * Manager a loopback endpoint serving a throwaway signing key, the token signed with it
 * ({@link ThrowawayToken}), the SDK call signed with throwaway credentials.
 */
final class GatePriming {

    private GatePriming() {
    }

    static void run() {
        Priming.run((path, target, body) -> "secretsmanager.GetSecretValue".equals(target)
                ? Priming.secretValue("priming-keys", ThrowawayToken.KEYS_SECRET) : null, loopback -> {
            CallGateHandler handler = new CallGateHandler(Priming.environment(loopback,
                    "SESSION_KEYS_SECRET_ID", "priming-keys", "SESSION_ISSUER", ThrowawayToken.ISSUER));
            Priming.expect(Priming.invoke(handler, event("Bearer " + ThrowawayToken.sign(Clock.systemUTC())))
                    .contains("\"isAuthorized\":true"), "the gate refused the priming token");
            Priming.expect(Priming.invoke(handler, event("Bearer not-a-token")).contains("\"isAuthorized\":false"),
                    "the gate let a bad token through");
        });
    }

    private static String event(String authorization) {
        return Priming.authorizerEvent("POST /functions/myCloudFunction", authorization);
    }
}
