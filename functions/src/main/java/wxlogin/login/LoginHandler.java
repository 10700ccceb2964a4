package wxlogin.login;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
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
import wxlogin.session.RefreshSessions;
import wxlogin.session.SessionBody;
import wxlogin.session.SessionIdentity;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKeys;
import wxlogin.users.UserDirectory;
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatException;
import wxlogin.wechat.WeChatCredentials;

/** {@code POST /login}: code in, session out (CodeExchangeFunction). Parses, delegates, maps. */
public final class LoginHandler implements HttpApiFunction {

    /** The function's name in logs and metrics. */
    static final String FUNCTION = "login";

    static {
        Invocation.startedAs(FUNCTION);
    }

    private final CodeExchange exchange;
    /** Issues refresh tokens (lasting sessions); null without SESSIONS_TABLE. */
    private final RefreshSessions refreshSessions;
    /** Why the function cannot work (bad env); every request then gets a 500 and a log line. */
    private final String misconfiguration;
    private final Clock clock;
    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;

    /** Used by Lambda. */
    public LoginHandler() {
        this(System.getenv());
    }

    /** Used by the local API and tests: the same wiring with a given environment. */
    public LoginHandler(Map<String, String> environment) {
        this(new Env(environment));
    }

    private LoginHandler(Env env) {
        // One credentials chain for both SDK clients: one fetch from the container endpoint per cold start.
        this(env, AwsClients.lambdaCredentials());
    }

    private LoginHandler(Env env, AwsCredentialsProvider credentials) {
        this(wireOrNull(env, credentials), refreshSessionsOrNull(env, credentials), Clock.systemUTC());
    }

    public LoginHandler(CodeExchange exchange, Clock clock) {
        this(exchange, null, clock);
    }

    /** @param refreshSessions null: no refresh tokens (no SESSIONS_TABLE) */
    public LoginHandler(CodeExchange exchange, RefreshSessions refreshSessions, Clock clock) {
        this.exchange = exchange;
        this.refreshSessions = refreshSessions;
        this.misconfiguration = exchange == null ? "see the login.misconfigured log line at start-up" : null;
        this.clock = clock;
        // Priming: a login against a loopback endpoint by a handler of its own, see LoginPriming.
        this.snapStartHook = SnapStartHook.register(LoginPriming::run, () -> {
            AwsClients.forgetCredentials();
            if (exchange != null) {
                exchange.refreshAfterRestore();
            }
            if (refreshSessions != null) {
                refreshSessions.refreshAfterRestore();
            }
        });
    }

    /** The SnapStart hooks, for tests. */
    SnapStartHook snapStartHook() {
        return snapStartHook;
    }

    private static CodeExchange wireOrNull(Env env, AwsCredentialsProvider credentials) {
        try {
            UserDirectory directory = UserDirectory.fromEnvironment(env, credentials, Clock.systemUTC());
            if (directory == null && env.optional("MINIPROGRAM_SECRET_ID", null) != null) {
                Log.error("login.misconfigured", "cause", "MINIPROGRAM_SECRET_ID is set but USERS_TABLE is not: "
                        + "mini-program codes are refused (a mini-program login needs the user directory)");
            }
            return wire(env, SecretsManagerSource.fromEnvironment(env, credentials), directory, Clock.systemUTC());
        } catch (ConfigurationException e) {
            Log.error("login.misconfigured", "cause", e.getMessage());
            return null;
        }
    }

    /**
     * Lasting sessions, or null without SESSIONS_TABLE (then no DynamoDB client is built). A bad
     * setting is logged and leaves logins working without refresh tokens, as a DynamoDB outage does.
     */
    private static RefreshSessions refreshSessionsOrNull(Env env, AwsCredentialsProvider credentials) {
        try {
            return RefreshSessions.forLoginOrNull(env, Clock.systemUTC(), credentials);
        } catch (ConfigurationException e) {
            Log.error("login.lasting_sessions_misconfigured", "cause", e.getMessage());
            return null;
        }
    }

    /** Builds the exchange from the environment without a user directory (sub = WeChat's user_id). */
    public static CodeExchange wire(Env env, SecretSource secrets, Clock clock) {
        return wire(env, secrets, null, clock);
    }

    /**
     * Builds the exchange from the environment (contract: Environment variables).
     *
     * @param directory the user directory of USERS_TABLE, or null (then mini-program codes are refused)
     */
    public static CodeExchange wire(Env env, SecretSource secrets, UserDirectory directory, Clock clock) {
        CachedSecret<WeChatCredentials> app = CachedSecret.of(secrets, env.required("WECHAT_APP_SECRET_ID"),
                WeChatCredentials::parse, clock);
        CachedSecret<SigningKeys> keys = CachedSecret.of(secrets, env.required("SESSION_KEYS_SECRET_ID"),
                SigningKeys::parse, clock);
        WeChatClient wechat = new WeChatClient(env.optional("WECHAT_API_BASE_URL", "https://api.weixin.qq.com"));
        String miniProgramSecretId = env.optional("MINIPROGRAM_SECRET_ID", null);
        CachedSecret<WeChatCredentials> miniProgram = miniProgramSecretId == null ? null
                : CachedSecret.of(secrets, miniProgramSecretId, WeChatCredentials::parse, clock);
        return new CodeExchange(app, keys, new StableAccessToken(wechat, clock), wechat,
                SessionTokens.fromEnvironment(env, clock), miniProgram, directory);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (Invocation.Scope invocation = Invocation.begin(FUNCTION, context.getAwsRequestId())) {
            return answer(event, context);
        }
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event, Context context) {
        String loginType = null;
        try {
            if (exchange == null) {
                throw new ApiException(500, ErrorCodes.MISCONFIGURED, LoginErrors.MISCONFIGURED_MESSAGE, misconfiguration);
            }
            LoginRequest request = LoginRequest.parse(event.getBody(), event.getIsBase64Encoded());
            loginType = request.codeType() == LoginRequest.CodeType.MINI_PROGRAM ? "miniProgram" : "app";
            Deadline deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), clock);
            CodeExchange.Result result = exchange.exchange(request.code(),
                    request.codeType() == LoginRequest.CodeType.MINI_PROGRAM, deadline);
            SessionTokens.Minted minted = result.token();
            // The code is spent: a store failure costs the refresh token (logged), never the login.
            RefreshSessions.Issued refresh = refreshSessions == null ? null
                    : refreshSessions.startOrNull(SessionIdentity.of(minted.claims()), deadline);
            APIGatewayV2HTTPResponse ok = HttpResponses.json(200, new SessionBody(minted.token(), "Bearer",
                    exchange.tokenLifetimeSeconds(), minted.claims().userId(), minted.claims().openid(),
                    minted.claims().unionid(), minted.claims().loginType(), refresh == null ? null : refresh.token(),
                    refresh == null ? null : refresh.expiresIn()).toJson());
            Metrics.login(200, loginType, 0, null);
            return ok;
        } catch (ApiException e) {
            Log.warn("login.rejected", "status", e.status(), "errCode", e.errCode(), "cause", e.getMessage());
            Metrics.login(e.status(), loginType, e.errCode(), e.getCause() instanceof WeChatException wechat
                    && wechat.kind() == WeChatException.Kind.ERRCODE ? wechat.errcode() : null);
            return HttpResponses.error(e);
        } catch (RuntimeException e) {
            // Only the type: an unexpected message could carry anything.
            Log.error("login.internal_error", "type", e.getClass().getName());
            Metrics.login(500, loginType, ErrorCodes.INTERNAL, null);
            return HttpResponses.error(new ApiException(500, ErrorCodes.INTERNAL,
                    "The login failed unexpectedly. Please try again later.", "internal"));
        }
    }
}
