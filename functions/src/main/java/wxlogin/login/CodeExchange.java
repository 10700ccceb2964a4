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
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.VerifyInfo;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;
import wxlogin.wechat.WeChatException;

/**
 * Exchanges a login code for a session. A code is spent once WeChat has seen it, so a retry
 * happens only where the request surely did not reach WeChat, after WeChat said -1 (busy), after
 * an access-token error (the code was not looked at), or after WeChat rejected a rotated app
 * secret — each at most once and only while the deadline allows.
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

    public CodeExchange(CachedSecret<WeChatCredentials> appCredentials, CachedSecret<SigningKeys> signingKeys,
                        StableAccessToken accessTokens, WeChatClient wechat, SessionTokens sessionTokens) {
        this.appCredentials = appCredentials;
        this.signingKeys = signingKeys;
        this.accessTokens = accessTokens;
        this.wechat = wechat;
        this.sessionTokens = sessionTokens;
    }

    /** The verified identity and a signed token for it. */
    public Result exchange(String code, Deadline deadline) {
        WeChatCredentials credentials = read(appCredentials, false, deadline);
        // Read the keys before the code is spent: failing after WeChat accepted it would waste it.
        SigningKeys keys = read(signingKeys, false, deadline);
        boolean tokenRetried = false;
        boolean secretRetried = false;
        boolean busyRetried = false;
        boolean unreachableRetried = false;
        while (true) {
            String accessToken = null;
            try {
                accessToken = accessTokens.get(credentials, deadline);
                VerifyInfo info = wechat.codeToVerifyInfo(credentials, accessToken, code, deadline);
                SessionTokens.Minted minted = sessionTokens.mint(keys.signingKey(), info.userId(), info.appid(),
                        info.loginType(), info.openid(), info.unionid());
                Log.info("login.ok", "loginType", info.loginType(), "userId", info.userId(), "kid", keys.signingKey().kid());
                return new Result(info, minted);
            } catch (WeChatException e) {
                Log.warn("login.wechat_failed", "stage", e.stage(), "kind", e.kind(), "errcode", e.errcode(),
                        "rid", e.rid(), "remainingMs", deadline.remainingMillis());
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
                if (e.kind() == WeChatException.Kind.UNREACHABLE && !unreachableRetried
                        && deadline.allows(MIN_RETRY_MILLIS)) {
                    unreachableRetried = true;
                    continue;
                }
                if (e.isBusy() && !busyRetried && deadline.allows(BUSY_BACKOFF_MILLIS + MIN_RETRY_MILLIS)) {
                    busyRetried = true;
                    pause(BUSY_BACKOFF_MILLIS);
                    continue;
                }
                throw LoginErrors.from(e);
            }
        }
    }

    /** Marks cached secrets and the access token stale (after a SnapStart restore). */
    public void refreshAfterRestore() {
        appCredentials.expire();
        signingKeys.expire();
        accessTokens.clear();
        wechat.dropConnections();
    }

    public long tokenLifetimeSeconds() {
        return sessionTokens.ttlSeconds();
    }

    /** A secret, read inside the invocation's deadline (a hanging Secrets Manager must not outlast it). */
    private static <T> T read(CachedSecret<T> secret, boolean forceRefresh, Deadline deadline) {
        try {
            return forceRefresh ? secret.refreshNow() : secret.get(deadline);
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
    public record Result(VerifyInfo identity, SessionTokens.Minted token) {
        @Override
        public String toString() {
            return "Result[" + identity.loginType() + "]";
        }
    }
}
