package wxlogin.session.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.time.Clock;
import java.util.Map;
import wxlogin.aws.AwsClients;
import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Metrics;
import wxlogin.common.SnapStartHook;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Invocation;
import wxlogin.common.Log;
import wxlogin.http.HttpApiFunction;
import wxlogin.http.HttpResponses;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.session.RefreshRequest;
import wxlogin.session.RefreshSessions;
import wxlogin.session.SessionBody;
import wxlogin.session.SessionRenewal;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKeys;

/**
 * {@code POST /session/refresh} and {@code POST /logout} (SessionFunction), told apart by the route
 * key. Parses, delegates to {@link SessionRenewal}, maps.
 */
public final class SessionHandler implements HttpApiFunction {

    /** The function's name in logs and metrics (refresh and logout). */
    static final String FUNCTION = "session";

    static {
        Invocation.startedAs(FUNCTION);
    }

    static final String REFRESH_ROUTE = "POST /session/refresh";
    static final String LOGOUT_ROUTE = "POST /logout";

    private final SessionRenewal renewal;
    private final Clock clock;
    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;

    /** Used by Lambda. */
    public SessionHandler() {
        this(System.getenv());
    }

    /** Used by the local API and tests: the same wiring with a given environment. */
    public SessionHandler(Map<String, String> environment) {
        this(wireOrNull(new Env(environment)), Clock.systemUTC());
    }

    /** @param renewal null when the environment is unusable: every request then gets a 500 */
    public SessionHandler(SessionRenewal renewal, Clock clock) {
        this.renewal = renewal;
        this.clock = clock;
        // Priming: a refresh and a logout against a loopback endpoint by a handler of its own, see SessionPriming.
        this.snapStartHook = SnapStartHook.register(SessionPriming::run, () -> {
            AwsClients.forgetCredentials();
            if (renewal != null) {
                renewal.refreshAfterRestore();
            }
        });
    }

    /** The SnapStart hooks, for tests. */
    SnapStartHook snapStartHook() {
        return snapStartHook;
    }

    private static SessionRenewal wireOrNull(Env env) {
        try {
            return wire(env, SecretsManagerSource.fromEnvironment(env), RefreshSessions.fromEnvironment(env, Clock.systemUTC()),
                    Clock.systemUTC());
        } catch (ConfigurationException e) {
            Log.error("session.misconfigured", "cause", e.getMessage());
            return null;
        }
    }

    /** Builds the renewal from the environment (contract: Environment variables) and a session store. */
    public static SessionRenewal wire(Env env, SecretSource secrets, RefreshSessions refreshSessions, Clock clock) {
        CachedSecret<SigningKeys> keys = CachedSecret.of(secrets, env.required("SESSION_KEYS_SECRET_ID"),
                SigningKeys::parse, clock);
        return new SessionRenewal(keys, SessionTokens.fromEnvironment(env, clock), refreshSessions);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (Invocation.Scope invocation = Invocation.begin(FUNCTION, context.getAwsRequestId())) {
            return answer(event, context);
        }
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event, Context context) {
        String route = route(event);
        try {
            if (renewal == null) {
                throw new ApiException(500, ErrorCodes.MISCONFIGURED, RefreshSessions.MISCONFIGURED_MESSAGE,
                        "see the session.misconfigured log line at start-up");
            }
            if (!REFRESH_ROUTE.equals(route) && !LOGOUT_ROUTE.equals(route)) {
                throw new ApiException(500, ErrorCodes.MISCONFIGURED, RefreshSessions.MISCONFIGURED_MESSAGE,
                        "SessionFunction is wired to a route it does not serve: " + route);
            }
            RefreshRequest request = RefreshRequest.parse(event.getBody(), event.getIsBase64Encoded());
            Deadline deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), clock);
            if (LOGOUT_ROUTE.equals(route)) {
                renewal.logout(request.refreshToken(), request.everywhere(), deadline);
                return HttpResponses.noContent();
            }
            SessionRenewal.Renewed renewed = renewal.refresh(request.refreshToken(), deadline);
            SessionTokens.Minted access = renewed.access();
            return HttpResponses.json(200, new SessionBody(access.token(), "Bearer", renewal.accessTokenLifetimeSeconds(),
                    access.claims().userId(), access.claims().openid(), access.claims().unionid(),
                    access.claims().loginType(), renewed.refresh().token(), renewed.refresh().expiresIn()).toJson());
        } catch (ApiException e) {
            Log.warn("session.rejected", "route", route, "status", e.status(), "errCode", e.errCode(),
                    "cause", e.getMessage());
            if (REFRESH_ROUTE.equals(route)) {
                Metrics.refresh(e.status() >= 500 || e.status() == 429
                        ? Metrics.RefreshOutcome.UNAVAILABLE : Metrics.RefreshOutcome.REJECTED);
            }
            return HttpResponses.error(e);
        } catch (RuntimeException e) {
            // Only the type: an unexpected message could carry anything.
            Log.error("session.internal_error", "route", route, "type", e.getClass().getName());
            if (REFRESH_ROUTE.equals(route)) {
                Metrics.refresh(Metrics.RefreshOutcome.UNAVAILABLE);
            }
            return HttpResponses.error(new ApiException(500, ErrorCodes.INTERNAL,
                    "The session service failed unexpectedly. Please try again later.", "internal"));
        }
    }

    /** The route key API Gateway matched, or method and path when the event has none. */
    static String route(APIGatewayV2HTTPEvent event) {
        return HttpApiFunction.routeKey(event);
    }
}
