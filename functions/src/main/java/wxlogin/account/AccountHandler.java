package wxlogin.account;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import wxlogin.aws.AwsClients;
import wxlogin.cloudfunction.WeChatApi;
import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Invocation;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.common.SnapStartHook;
import wxlogin.http.HttpApiFunction;
import wxlogin.http.HttpResponses;
import wxlogin.http.RequestBodies;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.session.RefreshSessions;
import wxlogin.token.SessionClaims;
import wxlogin.token.SigningKeys;
import wxlogin.token.TokenVerifier;
import wxlogin.users.UserDirectory;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;

/**
 * {@code POST /account/delete} (AccountFunction), behind the gate. It verifies the bearer token
 * itself, because it needs the token's {@code auth_time} (the gate's context has none), applies the
 * recent-login rule and hands the token's user to {@link AccountDeletion}.
 */
public final class AccountHandler implements HttpApiFunction {

    /** The function's name in logs and metrics. */
    static final String FUNCTION = "account";

    static {
        Invocation.startedAs(FUNCTION);
    }

    static final String ROUTE = "POST /account/delete";
    static final String REJECTED_MESSAGE = "The session token is not valid: refresh the session, then try again.";

    private final AccountDeletion deletion;
    private final CachedSecret<SigningKeys> signingKeys;
    private final TokenVerifier verifier;
    private final Clock clock;
    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;

    /** Used by Lambda. */
    public AccountHandler() {
        this(System.getenv());
    }

    /** Used by the local API and tests: the same wiring with a given environment. */
    public AccountHandler(Map<String, String> environment) {
        this(new Env(environment), Clock.systemUTC());
    }

    /** The wiring of {@code environment} with a given clock (tests of the recent-login rule). */
    public AccountHandler(Env env, Clock clock) {
        this(wireOrNull(env, clock), clock);
    }

    private AccountHandler(Wiring wiring, Clock clock) {
        this(wiring == null ? null : wiring.deletion, wiring == null ? null : wiring.signingKeys,
                wiring == null ? null : wiring.verifier, clock);
    }

    /** @param deletion null when the environment is unusable: every request then gets a 500 */
    AccountHandler(AccountDeletion deletion, CachedSecret<SigningKeys> signingKeys, TokenVerifier verifier, Clock clock) {
        this.deletion = deletion;
        this.signingKeys = signingKeys;
        this.verifier = verifier;
        this.clock = clock;
        // Priming: a deletion against a loopback endpoint by a handler of its own, see AccountPriming.
        this.snapStartHook = SnapStartHook.register(AccountPriming::run, () -> {
            AwsClients.forgetCredentials();
            if (deletion != null) {
                deletion.refreshAfterRestore();
                signingKeys.expire();
            }
        });
    }

    /** The deletion (null when misconfigured), for tests. */
    AccountDeletion deletion() {
        return deletion;
    }

    /** The SnapStart hooks, for tests. */
    SnapStartHook snapStartHook() {
        return snapStartHook;
    }

    private record Wiring(AccountDeletion deletion, CachedSecret<SigningKeys> signingKeys, TokenVerifier verifier) {
    }

    /** Builds everything from the environment (contract: Environment variables); null when it is unusable. */
    private static Wiring wireOrNull(Env env, Clock clock) {
        try {
            SecretSource secrets = SecretsManagerSource.fromEnvironment(env);
            CachedSecret<WeChatCredentials> app = CachedSecret.of(secrets, env.required("WECHAT_APP_SECRET_ID"),
                    WeChatCredentials::parse, clock);
            WeChatApi wechat = new WeChatApi(app,
                    new WeChatClient(env.optional("WECHAT_API_BASE_URL", "https://api.weixin.qq.com")), clock);
            UserDirectory directory = UserDirectory.fromEnvironment(env, AwsClients.lambdaCredentials(), clock);
            if (directory == null) {
                throw new ConfigurationException("USERS_TABLE is not set");
            }
            AccountDeletion deletion = new AccountDeletion(directory, RefreshSessions.fromEnvironment(env, clock), wechat,
                    UserDeletedEvents.fromEnvironment(env, AwsClients.lambdaCredentials()));
            CachedSecret<SigningKeys> keys = CachedSecret.of(secrets, env.required("SESSION_KEYS_SECRET_ID"),
                    SigningKeys::parse, clock);
            return new Wiring(deletion, keys, new TokenVerifier(env.optional("SESSION_ISSUER", "weixin-app-login"), clock));
        } catch (ConfigurationException e) {
            Log.error("account.misconfigured", "cause", e.getMessage());
            return null;
        }
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (Invocation.Scope invocation = Invocation.begin(FUNCTION, context.getAwsRequestId())) {
            return answer(event, context);
        }
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event, Context context) {
        String route = HttpApiFunction.routeKey(event);
        try {
            if (deletion == null) {
                throw new ApiException(500, ErrorCodes.MISCONFIGURED, AccountDeletion.MISCONFIGURED_MESSAGE,
                        "see the account.misconfigured log line at start-up");
            }
            if (!ROUTE.equals(route)) {
                throw new ApiException(500, ErrorCodes.MISCONFIGURED, AccountDeletion.MISCONFIGURED_MESSAGE,
                        "AccountFunction is wired to a route it does not serve: " + route);
            }
            Deadline deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), clock);
            SessionClaims claims = verify(header(event, "authorization"), gateUserId(event), deadline);
            AccountDeletion.requireRecentLogin(claims, clock);
            if (event.getBody() != null && !event.getBody().isBlank()) {
                RequestBodies.jsonObject(event.getBody(), event.getIsBase64Encoded(), "{}");
            }
            AccountDeletion.Outcome outcome = deletion.delete(claims.userId(), deadline);
            Log.info("account.delete_answered", "userId", claims.userId(), "outcome", outcome);
            Metrics.accountDeletion(outcome == AccountDeletion.Outcome.DELETED
                    ? Metrics.AccountDeletionOutcome.COMPLETED : Metrics.AccountDeletionOutcome.REPEAT);
            return HttpResponses.noContent();
        } catch (ApiException e) {
            Log.warn("account.rejected", "status", e.status(), "errCode", e.errCode(), "cause", e.getMessage());
            if (e.status() == 503) {
                // A failure part-way: a repeat finishes the job.
                Metrics.accountDeletion(Metrics.AccountDeletionOutcome.PARTIAL);
            }
            return HttpResponses.error(e);
        } catch (RuntimeException e) {
            // Only the type: an unexpected message could carry anything.
            Log.error("account.internal_error", "type", e.getClass().getName());
            return HttpResponses.error(new ApiException(500, ErrorCodes.INTERNAL,
                    "Account deletion failed unexpectedly. Please try again later.", "internal"));
        }
    }

    /** The token's claims, refused unless it is one of ours and (behind the gate) for the gate's user. */
    private SessionClaims verify(String authorization, String gateUserId, Deadline deadline) {
        String token = bearer(authorization);
        if (token == null) {
            throw new ApiException(403, ErrorCodes.ACCESS_TOKEN_REJECTED, REJECTED_MESSAGE, "no bearer token");
        }
        TokenVerifier.Result result = verifier.verify(token, keys(false, deadline));
        if (result.denial() == TokenVerifier.Denial.UNKNOWN_KID) {
            // A key added since we read the secret: re-read (rate-limited) and try once more, as the gate does.
            result = verifier.verify(token, keys(true, deadline));
        }
        if (!result.valid()) {
            throw new ApiException(403, ErrorCodes.ACCESS_TOKEN_REJECTED, REJECTED_MESSAGE, "token " + result.denial());
        }
        if (gateUserId != null && !gateUserId.equals(result.claims().userId())) {
            throw new ApiException(403, ErrorCodes.ACCESS_TOKEN_REJECTED, REJECTED_MESSAGE,
                    "the token's sub is not the gate's userId");
        }
        return result.claims();
    }

    private SigningKeys keys(boolean forceRefresh, Deadline deadline) {
        try {
            return forceRefresh ? signingKeys.refreshNow(deadline) : signingKeys.get(deadline);
        } catch (SecretUnavailableException e) {
            throw new ApiException(503, ErrorCodes.SECRETS_UNAVAILABLE,
                    "The service cannot verify sessions right now. Please try again in a moment.",
                    AccountDeletion.RETRY_AFTER_SECONDS, "signing keys unavailable: " + e.getMessage(), null);
        } catch (ConfigurationException e) {
            throw new ApiException(500, ErrorCodes.MISCONFIGURED, AccountDeletion.MISCONFIGURED_MESSAGE,
                    "signing keys: " + e.getMessage());
        }
    }

    private static String bearer(String header) {
        if (header == null || header.length() > TokenVerifier.MAX_TOKEN_LENGTH + 16) {
            return null;
        }
        String trimmed = header.trim();
        if (trimmed.length() < 8 || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return trimmed.substring(7).trim();
    }

    private static String header(APIGatewayV2HTTPEvent event, String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (name.equalsIgnoreCase(header.getKey())) {
                return header.getValue();
            }
        }
        return null;
    }

    /** The user the gate let through (event.requestContext.authorizer.lambda.userId), or null outside the gate. */
    private static String gateUserId(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context == null || context.getAuthorizer() == null || context.getAuthorizer().getLambda() == null) {
            return null;
        }
        Object userId = context.getAuthorizer().getLambda().get("userId");
        return userId instanceof String s ? s : null;
    }
}
