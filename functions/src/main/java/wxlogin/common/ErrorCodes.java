package wxlogin.common;

/**
 * The project's own errCodes, used when WeChat's answer did not decide the outcome.
 * They live in a 9xxxxx range that WeChat does not use. The README lists them.
 */
public final class ErrorCodes {

    /** 400: the body is not a JSON object, or too large. */
    public static final long BAD_REQUEST_BODY = 900_001;
    /** 400: the body has no usable {@code code}. */
    public static final long BAD_CODE = 900_002;
    /** 400: the body has no usable {@code refreshToken}. */
    public static final long BAD_REFRESH_TOKEN_FIELD = 900_003;
    /** 400: a cloud function's {@code data} does not have the shape the function declares. */
    public static final long BAD_DATA = 900_004;
    /** 400: {@code codeType} is neither "identity" nor "miniProgram". */
    public static final long BAD_CODE_TYPE = 900_005;
    /** 400: a mini-program code, but mini-program login is not configured (no secret, or the placeholder). */
    public static final long MINI_PROGRAM_NOT_CONFIGURED = 900_006;
    /** 401: the refresh token is unknown, expired, revoked or reused. */
    public static final long REFRESH_TOKEN_REJECTED = 900_401;
    /** 500: the deployment is misconfigured; details are in the logs only. */
    public static final long MISCONFIGURED = 900_500;
    /** 502: an upstream answered wrongly (HTTP 5xx, unparseable, unexpected). */
    public static final long UPSTREAM_BAD_ANSWER = 900_502;
    /** 503: WeChat unreachable or timed out. */
    public static final long WECHAT_UNAVAILABLE = 900_503;
    /** 503: Secrets Manager unreachable and nothing cached. */
    public static final long SECRETS_UNAVAILABLE = 900_504;
    /** 503: the session store is unreachable. */
    public static final long SESSION_STORE_UNAVAILABLE = 900_505;
    /** 503: the user directory failed after WeChat accepted (and spent) the code; no Retry-After. */
    public static final long USER_DIRECTORY_UNAVAILABLE = 900_506;
    /** 403: account deletion: the bearer token is not a valid session token (expired, revoked key): refresh, retry. */
    public static final long ACCESS_TOKEN_REJECTED = 900_403;
    /** 401: account deletion needs a login (with a code) from the last 10 minutes: log in again, then delete. */
    public static final long RECENT_LOGIN_REQUIRED = 900_410;
    /** 503: an account deletion stopped part-way (with Retry-After); the same request again finishes it. */
    public static final long ACCOUNT_DELETION_INCOMPLETE = 900_507;
    /** 500: anything unexpected; details are in the logs only. */
    public static final long INTERNAL = 900_999;

    private ErrorCodes() {
    }
}
