package wxlogin.gate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.token.SessionClaims;
import wxlogin.token.SigningKeys;
import wxlogin.token.TokenVerifier;

/**
 * Decides whether a call may reach a cloud function. Nothing a client sends can make it fail:
 * every bad input is a denial. It fails only when no signing key can be loaded at all.
 */
public final class CallGate {

    /** Longest Authorization header we look at. */
    static final int MAX_HEADER_LENGTH = TokenVerifier.MAX_TOKEN_LENGTH + 16;

    private final CachedSecret<SigningKeys> signingKeys;
    private final TokenVerifier verifier;
    private final GatePolicy policy;

    public CallGate(CachedSecret<SigningKeys> signingKeys, TokenVerifier verifier, GatePolicy policy) {
        this.signingKeys = signingKeys;
        this.verifier = verifier;
        this.policy = policy;
    }

    /**
     * The decision: null to deny, else the context for the function (absent values left out).
     * A read of the signing keys stays within {@code deadline}, the invocation's remaining time.
     *
     * @param functionName the function as routed; null when the path was spelled non-canonically
     */
    public Map<String, String> decide(String authorizationHeader, String functionName, Deadline deadline) {
        if (functionName == null) {
            return denied("NON_CANONICAL_PATH");
        }
        String token = bearerToken(authorizationHeader);
        if (token == null) {
            return denied("NO_BEARER_TOKEN", "target", functionName);
        }
        TokenVerifier.Result result = verifier.verify(token, keys(false, deadline));
        if (result.denial() == TokenVerifier.Denial.UNKNOWN_KID) {
            // A new key may have been added since we read the secret: re-read (rate-limited) and try once more.
            result = verifier.verify(token, keys(true, deadline));
        }
        if (!result.valid()) {
            return denied(result.denial().name(), "kid", safeKid(result.kid()), "target", functionName);
        }
        SessionClaims claims = result.claims();
        if (!policy.allows(functionName, claims.loginType())) {
            return denied("POLICY", "loginType", claims.loginType(), "target", functionName, "userId", claims.userId());
        }
        Map<String, String> context = new LinkedHashMap<>();
        context.put("userId", claims.userId());
        context.put("appid", claims.appid());
        context.put("loginType", claims.loginType());
        if (claims.openid() != null) {
            context.put("openid", claims.openid());
        }
        if (claims.unionid() != null) {
            context.put("unionid", claims.unionid());
        }
        Metrics.gateDecision(null);
        return context;
    }

    /** Logs and counts a deny (reason: a bounded set of names); always null, the deny. */
    private static Map<String, String> denied(String reason, Object... details) {
        Object[] fields = new Object[details.length + 2];
        fields[0] = "reason";
        fields[1] = reason;
        System.arraycopy(details, 0, fields, 2, details.length);
        Log.info("gate.denied", fields);
        Metrics.gateDecision(reason);
        return null;
    }

    /** Marks the cached keys stale (after a SnapStart restore). */
    public void refreshAfterRestore() {
        signingKeys.expire();
    }

    private SigningKeys keys(boolean forceRefresh, Deadline deadline) {
        try {
            return forceRefresh ? signingKeys.refreshNow(deadline) : signingKeys.get(deadline);
        } catch (SecretUnavailableException | ConfigurationException e) {
            // No key at all: fail the invocation so API Gateway answers 500, not a misleading 403.
            Log.error("gate.no_signing_keys", "cause", e.getMessage());
            throw e;
        }
    }

    private static String bearerToken(String header) {
        if (header == null || header.length() > MAX_HEADER_LENGTH) {
            return null;
        }
        String trimmed = header.trim();
        if (trimmed.length() < 8 || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String token = trimmed.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** A kid comes from the client: log it only when it looks like one of ours. */
    private static String safeKid(String kid) {
        return kid != null && kid.matches("[A-Za-z0-9._-]{1,64}") ? kid : (kid == null ? null : "<invalid>");
    }
}
