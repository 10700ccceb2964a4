package wxlogin.login;

import java.util.Set;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatException;

/** Turns a failed WeChat call into the contract's answer: status, errCode and what to do. */
final class LoginErrors {

    /**
     * Our configuration or our bug: an operator must act; the client learns nothing more. The last
     * three are jscode2session's "a parameter is missing" (appid, secret, js_code): our bug.
     */
    static final Set<Long> MISCONFIGURATION = Set.of(
            10001002L, 10001003L, 10001004L, 10001005L, 43001L, 40002L, 40013L, 40125L, 40164L, 61004L,
            41002L, 41004L, 41008L);

    static final String MISCONFIGURED_MESSAGE =
            "The login service is misconfigured. Please try again later; the operator has the details.";

    private LoginErrors() {
    }

    /** The answer for WeChat's failure, which it keeps as its cause (the Login metric reads the errcode there). */
    static ApiException from(WeChatException e) {
        ApiException answer = answerFor(e);
        return new ApiException(answer.status(), answer.errCode(), answer.clientMessage(), answer.retryAfterSeconds(),
                answer.getMessage(), e);
    }

    private static ApiException answerFor(WeChatException e) {
        String cause = e.getMessage() + (e.rid() == null ? "" : " rid " + e.rid());
        return switch (e.kind()) {
            case UNREACHABLE, TIMEOUT -> new ApiException(503, ErrorCodes.WECHAT_UNAVAILABLE,
                    "WeChat could not be reached in time. Retry the login; if the code is refused, log in again.",
                    1, cause, null);
            case BAD_ANSWER -> new ApiException(502, ErrorCodes.UPSTREAM_BAD_ANSWER,
                    "WeChat answered unexpectedly. Please log in again in a moment.", null, cause, null);
            case ERRCODE -> WeChatClient.MINI_PROGRAM_EXCHANGE.equals(e.stage())
                    ? fromMiniProgramErrcode(e.errcode(), cause) : fromErrcode(e.errcode(), cause);
        };
    }

    /** jscode2session's own errcodes; the rest (45011, -1, configuration) mean what they mean elsewhere. */
    private static ApiException fromMiniProgramErrcode(long errcode, String cause) {
        if (errcode == 40029L || errcode == 40163L) {
            return new ApiException(401, errcode,
                    "The login code is invalid, expired or was already used. Call wx.login again and send the new code.",
                    cause);
        }
        if (errcode == 40226L) {
            return new ApiException(403, errcode,
                    "WeChat blocked this login: the account was flagged as high-risk. The user can appeal in WeChat.",
                    cause);
        }
        return fromErrcode(errcode, cause);
    }

    private static ApiException fromErrcode(long errcode, String cause) {
        if (errcode == 10001000L) {
            return new ApiException(401, errcode,
                    "The login code has expired. Call wx.weixinAppLogin again and send the new code.", cause);
        }
        if (errcode == 10001001L) {
            return new ApiException(401, errcode,
                    "The login code is invalid or was already used. Call wx.weixinAppLogin again and send the new code.", cause);
        }
        if (errcode == 45011L) {
            return new ApiException(429, errcode,
                    "Too many logins right now (WeChat's per-minute limit). Retry in a minute.", 60, cause, null);
        }
        if (errcode == 45009L) {
            return new ApiException(429, errcode,
                    "WeChat's daily call quota is used up. Retry later.", 3600, cause, null);
        }
        if (errcode == -1L) {
            return new ApiException(503, errcode,
                    "WeChat is busy. Retry the login in a few seconds.", 2, cause, null);
        }
        if (MISCONFIGURATION.contains(errcode)) {
            return new ApiException(500, errcode, MISCONFIGURED_MESSAGE, cause);
        }
        return new ApiException(502, errcode,
                "WeChat answered with an unexpected error. Please log in again in a moment.", cause);
    }
}
