package wxlogin.cloudfunction;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Json;
import wxlogin.common.Log;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;
import wxlogin.wechat.WeChatException;

/**
 * WeChat's server APIs from a cloud function, what {@code cloud.openapi} is in WeChat Cloud: the
 * account's access token is managed the way login does it ({@code stable_token}, cached per
 * instance, dropped and fetched again once on a token error), every call is bounded by the
 * invocation's time, and failures reach the caller as clear {@link CloudFunctionException}s.
 * The account is the one whose credentials {@code WECHAT_API_SECRET_ID} names (the multi-terminal
 * app's or the mini program's, same secret format); only functions given that secret can call.
 * Nothing the APIs answer is logged: only the API's name, errcode and WeChat's request id.
 */
public final class WeChatApi {

    public static final String SECRET_ID_VARIABLE = "WECHAT_API_SECRET_ID";
    /** WeChat's answers that mean our configuration (or the IP allow-list), not the caller. */
    private static final Set<Long> CONFIGURATION_ERRORS = Set.of(40002L, 40013L, 40125L, 40164L, 61004L, 41002L, 41004L);
    private static final Set<Long> QUOTA_ERRORS = Set.of(45009L, 45011L);
    /** An outage of WeChat or Secrets Manager: the client kit retries once after at most 5 s. */
    private static final int RETRY_AFTER_SECONDS = 1;

    private final CachedSecret<WeChatCredentials> credentials;
    private final StableAccessToken tokens;
    private final WeChatClient client;

    public WeChatApi(CachedSecret<WeChatCredentials> credentials, WeChatClient client, Clock clock) {
        this.credentials = credentials;
        this.client = client;
        this.tokens = new StableAccessToken(client, clock);
    }

    /** From the function's environment: {@code WECHAT_API_SECRET_ID} (required), {@code WECHAT_API_BASE_URL}. */
    public static WeChatApi fromEnvironment(Map<String, String> environment) {
        Env env = new Env(environment);
        return fromEnvironment(env, SecretsManagerSource.fromEnvironment(env), Clock.systemUTC());
    }

    /** The same with a given secret source and clock (tests, the outage drill: a clock they can move). */
    public static WeChatApi fromEnvironment(Env env, SecretSource secrets, Clock clock) {
        CachedSecret<WeChatCredentials> credentials = CachedSecret.of(secrets, env.required(SECRET_ID_VARIABLE),
                WeChatCredentials::parse, clock);
        return new WeChatApi(credentials, new WeChatClient(env.optional("WECHAT_API_BASE_URL", "https://api.weixin.qq.com")),
                clock);
    }

    /**
     * {@code POST <path>?access_token=} with {@code body} as JSON.
     *
     * @param path e.g. {@code /wxa/business/getuserphonenumber}
     * @return the answer (errcode 0)
     * @throws CloudFunctionException 500 with WeChat's errcode when WeChat refused the request itself
     *         (e.g. 40029 for a bad code); 429 45009/45011 for its quotas; 503 900503 when WeChat is
     *         unreachable, busy or too slow, 503 900502 for an answer we cannot use, 503 900504 when
     *         the credentials cannot be read (all with Retry-After); 500 900500 for a configuration
     *         WeChat refuses
     */
    public JsonNode post(String path, Object body, Deadline deadline) {
        String stage = path.substring(path.lastIndexOf('/') + 1);
        String json = Json.write(body);
        boolean tokenRetried = false;
        while (true) {
            String token = null;
            try {
                WeChatCredentials account = credentials.get(deadline);
                token = tokens.get(account, deadline);
                return client.post(stage, path, token, json, deadline);
            } catch (WeChatException e) {
                if (e.isAccessTokenError() && !tokenRetried && token != null) {
                    // Another party replaced the token, or it expired early: fetch a new one, retry once.
                    tokens.invalidate(token);
                    tokenRetried = true;
                    continue;
                }
                throw failure(stage, e);
            } catch (SecretUnavailableException e) {
                Log.warn("wechat_api.no_credentials", "api", stage);
                throw CloudFunctionException.unavailable(ErrorCodes.SECRETS_UNAVAILABLE,
                        "the WeChat credentials cannot be read now: try again", RETRY_AFTER_SECONDS);
            } catch (ConfigurationException e) {
                Log.error("wechat_api.misconfigured", "api", stage, "cause", e.getMessage());
                throw new CloudFunctionException(ErrorCodes.MISCONFIGURED, "the function is misconfigured");
            }
        }
    }

    /** Forgets the access token and the HTTP connections, and marks the credentials stale (after a SnapStart restore). */
    public void refreshAfterRestore() {
        tokens.clear();
        client.dropConnections();
        credentials.expire();
    }

    private static CloudFunctionException failure(String stage, WeChatException e) {
        Log.warn("wechat_api.failed", "api", e.stage(), "kind", e.kind(), "errcode", e.errcode(), "rid", e.rid());
        return switch (e.kind()) {
            case UNREACHABLE, TIMEOUT -> CloudFunctionException.unavailable(ErrorCodes.WECHAT_UNAVAILABLE,
                    "WeChat is unreachable or too slow: try again", RETRY_AFTER_SECONDS);
            case BAD_ANSWER -> CloudFunctionException.unavailable(ErrorCodes.UPSTREAM_BAD_ANSWER,
                    "WeChat answered wrongly: try again later", RETRY_AFTER_SECONDS);
            default -> errcodeFailure(stage, e);
        };
    }

    private static CloudFunctionException errcodeFailure(String stage, WeChatException e) {
        long errcode = e.errcode();
        if (e.isBusy()) {
            return CloudFunctionException.unavailable(ErrorCodes.WECHAT_UNAVAILABLE, "WeChat is busy: try again",
                    RETRY_AFTER_SECONDS);
        }
        if (QUOTA_ERRORS.contains(errcode)) {
            // 45011 is per minute; 45009 per day, where a minute is only the earliest useful retry.
            return CloudFunctionException.rateLimited(errcode, "WeChat's quota for " + stage + " is used up: try again later",
                    60);
        }
        if (e.isAccessTokenError()) {
            return new CloudFunctionException(ErrorCodes.UPSTREAM_BAD_ANSWER, "WeChat refused a fresh access token: try again later");
        }
        if (CONFIGURATION_ERRORS.contains(errcode)) {
            return new CloudFunctionException(ErrorCodes.MISCONFIGURED, "the function is misconfigured");
        }
        return new CloudFunctionException(errcode, "WeChat refused the request (errcode " + errcode + ")");
    }
}
