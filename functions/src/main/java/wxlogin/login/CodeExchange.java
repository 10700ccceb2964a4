package wxlogin.login;

import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Log;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKeys;
import wxlogin.users.DirectoryUser;
import wxlogin.users.UserDirectory;
import wxlogin.users.UserDirectoryUnavailableException;
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;
import wxlogin.wechat.WeChatException;

/**
 * Exchanges a login code for a session: a multi-terminal identity code with code2verifyinfo, or a
 * mini-program code with jscode2session; then the user directory (when configured) says whose
 * login it is. A code is spent once WeChat has seen it, so a retry happens only where the request
 * surely did not reach WeChat, after WeChat said -1 (busy), after an access-token error (the code
 * was not looked at), or after WeChat rejected a rotated secret — each at most once and only while
 * the deadline allows.
 */
public final class CodeExchange {

    static final long BUSY_BACKOFF_MILLIS = 300;
    /** Time a retried call needs at least to be worth starting. */
    static final long MIN_RETRY_MILLIS = 1_000;

    private final CachedSecret<WeChatCredentials> appCredentials;
    private final CachedSecret<SigningKeys> signingKeys;
    private final StableAccessToken accessTokens;
    private final WeChatClient wechat;
    private final SessionTokens sessionTokens;
    /** The mini program's credentials (MINIPROGRAM_SECRET_ID); null: mini-program codes are refused. */
    private final CachedSecret<WeChatCredentials> miniProgramCredentials;
    /** The user directory (USERS_TABLE); null: the token's sub is WeChat's user_id, as before the directory. */
    private final UserDirectory directory;

    public CodeExchange(CachedSecret<WeChatCredentials> appCredentials, CachedSecret<SigningKeys> signingKeys,
                        StableAccessToken accessTokens, WeChatClient wechat, SessionTokens sessionTokens) {
        this(appCredentials, signingKeys, accessTokens, wechat, sessionTokens, null, null);
    }

    /**
     * @param miniProgramCredentials null: mini-program login not configured
     * @param directory              null: no user directory (sub = user_id; mini-program codes refused)
     */
    public CodeExchange(CachedSecret<WeChatCredentials> appCredentials, CachedSecret<SigningKeys> signingKeys,
                        StableAccessToken accessTokens, WeChatClient wechat, SessionTokens sessionTokens,
                        CachedSecret<WeChatCredentials> miniProgramCredentials, UserDirectory directory) {
        this.appCredentials = appCredentials;
        this.signingKeys = signingKeys;
        this.accessTokens = accessTokens;
        this.wechat = wechat;
        this.sessionTokens = sessionTokens;
        this.miniProgramCredentials = miniProgramCredentials;
        this.directory = directory;
    }

    /** A multi-terminal identity code (code2verifyinfo): the verified identity and a signed token for it. */
    public Result exchange(String code, Deadline deadline) {
        return exchange(code, false, deadline);
    }

    /**
     * The verified identity and a signed token for it.
     *
     * @param miniProgram true: a {@code wx.login} code for jscode2session; false: an identity code
     */
    public Result exchange(String code, boolean miniProgram, Deadline deadline) {
        // Everything that can fail on our side is read before the code is spent: failing after WeChat
        // accepted it would waste it.
        WeChatCredentials credentials = miniProgram ? miniProgramCredentials(deadline)
                : read(appCredentials, false, deadline);
        SigningKeys keys = read(signingKeys, false, deadline);
        VerifiedLogin login = miniProgram ? miniProgramLogin(credentials, code, deadline)
                : identityLogin(credentials, code, deadline);
        String userId = directory == null ? login.preferredUserId() : resolve(login, deadline);
        SessionTokens.Minted minted = sessionTokens.mint(keys.signingKey(), userId, login.appid(), login.loginType(),
                login.openid(), login.unionid());
        Log.info("login.ok", "loginType", login.loginType(), "userId", userId, "kid", keys.signingKey().kid());
        return new Result(login, minted);
    }

    /** The mini program's credentials, or a 400 (not configured) / 500 (no directory) before any WeChat call. */
    private WeChatCredentials miniProgramCredentials(Deadline deadline) {
        if (miniProgramCredentials == null) {
            throw notConfigured("MINIPROGRAM_SECRET_ID is not set");
        }
        WeChatCredentials credentials = read(miniProgramCredentials, false, deadline);
        if (credentials.isPlaceholder()) {
            throw notConfigured("secret " + miniProgramCredentials.secretId() + " still holds the template's placeholder");
        }
        if (directory == null) {
            // A mini-program login has no multi-terminal user_id: without the directory it has no user id to give.
            throw new ApiException(500, ErrorCodes.MISCONFIGURED, LoginErrors.MISCONFIGURED_MESSAGE,
                    "mini-program login needs the user directory: USERS_TABLE is not set");
        }
        return credentials;
    }

    private static ApiException notConfigured(String cause) {
        return new ApiException(400, ErrorCodes.MINI_PROGRAM_NOT_CONFIGURED, "Mini-program login is not configured on "
                + "this server: log in with wx.weixinAppLogin (or another wx.*Login) and send its code without "
                + "\"codeType\", or ask the operator to set up the mini program's credentials.", cause);
    }

    /** The directory's user for this login; a failure after WeChat spent the code asks for a new one. */
    private String resolve(VerifiedLogin login, Deadline deadline) {
        try {
            DirectoryUser user = directory.resolve(login.identities(), deadline);
            return user.userId();
        } catch (UserDirectoryUnavailableException e) {
            // No Retry-After: WeChat has spent this code, so a retry with it can only fail.
            throw new ApiException(503, ErrorCodes.USER_DIRECTORY_UNAVAILABLE,
                    "The login service could not record the login. Log in again with a new code "
                            + "(call wx.login or wx.weixinAppLogin again): this one is used up.",
                    null, e.getMessage(), null);
        } catch (ConfigurationException e) {
            throw new ApiException(500, ErrorCodes.MISCONFIGURED, LoginErrors.MISCONFIGURED_MESSAGE, e.getMessage());
        }
    }

    private VerifiedLogin identityLogin(WeChatCredentials credentials, String code, Deadline deadline) {
        boolean tokenRetried = false;
        boolean secretRetried = false;
        Retries retries = new Retries();
        while (true) {
            String accessToken = null;
            try {
                accessToken = accessTokens.get(credentials, deadline);
                return VerifiedLogin.of(wechat.codeToVerifyInfo(credentials, accessToken, code, deadline));
            } catch (WeChatException e) {
                logFailure(e, deadline);
                if (e.isAccessTokenError() && !tokenRetried && accessToken != null) {
                    tokenRetried = true;
                    accessTokens.invalidate(accessToken);
                    continue;
                }
                if (e.isAppSecretRejected() && !secretRetried) {
                    secretRetried = true;
                    WeChatCredentials reread = read(appCredentials, true, deadline);
                    if (!reread.equals(credentials)) {
                        Log.info("login.app_secret_rotated", "appid", reread.appid());
                        credentials = reread;
                        continue;
                    }
                }
                if (retries.again(e, deadline)) {
                    continue;
                }
                throw LoginErrors.from(e);
            }
        }
    }

    private VerifiedLogin miniProgramLogin(WeChatCredentials credentials, String code, Deadline deadline) {
        boolean secretRetried = false;
        Retries retries = new Retries();
        while (true) {
            try {
                return VerifiedLogin.of(wechat.jsCodeToSession(credentials, code, deadline));
            } catch (WeChatException e) {
                logFailure(e, deadline);
                // WeChat rejected the credentials, not the code: a rotated secret gets one more try.
                if (e.isMiniProgramCredentialsRejected() && !secretRetried) {
                    secretRetried = true;
                    WeChatCredentials reread = read(miniProgramCredentials, true, deadline);
                    if (!reread.equals(credentials) && !reread.isPlaceholder()) {
                        Log.info("login.mini_program_secret_rotated", "appid", reread.appid());
                        credentials = reread;
                        continue;
                    }
                }
                if (retries.again(e, deadline)) {
                    continue;
                }
                throw LoginErrors.from(e);
            }
        }
    }

    private static void logFailure(WeChatException e, Deadline deadline) {
        Log.warn("login.wechat_failed", "stage", e.stage(), "kind", e.kind(), "errcode", e.errcode(),
                "rid", e.rid(), "remainingMs", deadline.remainingMillis());
    }

    /** The retries every code exchange allows: once where the request never left, once after -1 (busy). */
    private static final class Retries {
        private boolean busyRetried;
        private boolean unreachableRetried;

        boolean again(WeChatException e, Deadline deadline) {
            if (e.kind() == WeChatException.Kind.UNREACHABLE && !unreachableRetried && deadline.allows(MIN_RETRY_MILLIS)) {
                unreachableRetried = true;
                return true;
            }
            if (e.isBusy() && !busyRetried && deadline.allows(BUSY_BACKOFF_MILLIS + MIN_RETRY_MILLIS)) {
                busyRetried = true;
                pause(BUSY_BACKOFF_MILLIS);
                return true;
            }
            return false;
        }
    }

    /** Marks cached secrets and the access token stale (after a SnapStart restore). */
    public void refreshAfterRestore() {
        appCredentials.expire();
        signingKeys.expire();
        if (miniProgramCredentials != null) {
            miniProgramCredentials.expire();
        }
        if (directory != null) {
            directory.refreshAfterRestore();
        }
        accessTokens.clear();
        wechat.dropConnections();
    }

    public long tokenLifetimeSeconds() {
        return sessionTokens.ttlSeconds();
    }

    /** A secret, read inside the invocation's deadline (a hanging Secrets Manager must not outlast it). */
    private static <T> T read(CachedSecret<T> secret, boolean forceRefresh, Deadline deadline) {
        try {
            return forceRefresh ? secret.refreshNow(deadline) : secret.get(deadline);
        } catch (SecretUnavailableException e) {
            throw new ApiException(503, ErrorCodes.SECRETS_UNAVAILABLE,
                    "The login service is temporarily unavailable. Retry in a few seconds.", 5,
                    "secret " + secret.secretId() + " unavailable: " + e.getMessage(), null);
        } catch (ConfigurationException e) {
            throw new ApiException(500, ErrorCodes.MISCONFIGURED, LoginErrors.MISCONFIGURED_MESSAGE,
                    e.getMessage());
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What an exchange yields. {@link #toString()} hides the token. */
    public record Result(VerifiedLogin identity, SessionTokens.Minted token) {
        @Override
        public String toString() {
            return "Result[" + identity.loginType() + "]";
        }
    }
}
