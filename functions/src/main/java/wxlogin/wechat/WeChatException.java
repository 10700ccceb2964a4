package wxlogin.wechat;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WeChat call that did not succeed: an errcode in WeChat's answer, or a transport failure.
 * The message names the stage and kind only; it never holds the URL (which carries secrets).
 */
public final class WeChatException extends RuntimeException {

    public enum Kind {
        /** WeChat answered with a non-zero errcode. */
        ERRCODE,
        /** The request surely did not reach WeChat (connect failed): safe to send again. */
        UNREACHABLE,
        /** Sent, but no answer in time or the connection broke: WeChat may have seen it. */
        TIMEOUT,
        /** WeChat answered, but not with what the API promises (5xx, not JSON, too large). */
        BAD_ANSWER
    }

    /** The access token was rejected: refresh it and retry once. */
    static final Set<Long> ACCESS_TOKEN_ERRORS = Set.of(40001L, 40014L, 41001L, 42001L);
    private static final Pattern RID = Pattern.compile("rid:\\s*([0-9A-Za-z-]+)");

    private final String stage;
    private final Kind kind;
    private final long errcode;
    private final String rid;

    public WeChatException(String stage, Kind kind, long errcode, String rid, String detail, Throwable cause) {
        super(stage + " " + kind + (detail == null ? "" : ": " + detail), cause, false, false);
        this.stage = stage;
        this.kind = kind;
        this.errcode = errcode;
        this.rid = rid;
    }

    static WeChatException errcode(String stage, long errcode, String errmsg) {
        return new WeChatException(stage, Kind.ERRCODE, errcode, ridOf(errmsg), "errcode " + errcode, null);
    }

    /** WeChat's request id, found only inside errmsg after {@code rid: }. */
    static String ridOf(String errmsg) {
        if (errmsg == null) {
            return null;
        }
        Matcher m = RID.matcher(errmsg);
        return m.find() ? m.group(1) : null;
    }

    public String stage() {
        return stage;
    }

    public Kind kind() {
        return kind;
    }

    /** WeChat's errcode, or 0 when WeChat did not answer with one. */
    public long errcode() {
        return errcode;
    }

    public String rid() {
        return rid;
    }

    public boolean isAccessTokenError() {
        return kind == Kind.ERRCODE && ACCESS_TOKEN_ERRORS.contains(errcode);
    }

    /** WeChat rejected the app secret (code exchange 10001003, stable_token 40125). */
    public boolean isAppSecretRejected() {
        return kind == Kind.ERRCODE && (errcode == 10001003L || errcode == 40125L);
    }

    /** WeChat rejected the mini program's appid or secret (jscode2session 40013, 40125): re-read them once. */
    public boolean isMiniProgramCredentialsRejected() {
        return kind == Kind.ERRCODE && (errcode == 40013L || errcode == 40125L);
    }

    public boolean isBusy() {
        return kind == Kind.ERRCODE && errcode == -1L;
    }
}
