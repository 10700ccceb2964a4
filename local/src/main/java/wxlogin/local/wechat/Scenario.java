package wxlogin.local.wechat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a sandbox code makes {@code donut/code2verifyinfo} (identity codes) and
 * {@code sns/jscode2session} (mini-program codes, {@code mp.} before the scenario) answer. The
 * {@link #id()} is the scenario part of the code ({@code <id>.<nonce>} or {@code <id>.<user>.<nonce>}).
 * Each scenario has an errcode per endpoint: the two APIs use different codes for the same trouble.
 */
public enum Scenario {
    /** login_info.type weixinApp; openapp_info with unionid. */
    WEIXIN_APP("weixinApp", "weixinApp", 0, 0),
    /** login_info.type weixinMiniProgram; miniprogram_info with unionid. */
    WEIXIN_MINI_PROGRAM("weixinMiniProgram", "weixinMiniProgram", 0, 0),
    /** login_info.type apple; apple_info only (no openid, no unionid). */
    APPLE("apple", "apple", 0, 0),
    /** login_info.type phoneSms; phone_info only. */
    PHONE_SMS("phoneSms", "phoneSms", 0, 0),
    /** login_info.type phoneOneClick; phone_info only. */
    PHONE_ONE_CLICK("phoneOneClick", "phoneOneClick", 0, 0),
    /** weixinApp login of a user who bound everything: openapp, miniprogram (same unionid), phone, apple. */
    BOUND("bound", "weixinApp", 0, 0),
    /** weixinApp login; openapp_info without unionid (app not bound to an Open Platform account). */
    NO_UNIONID("noUnionid", "weixinApp", 0, 0),
    /**
     * weixinApp login of a user whose mini program is bound to the multi-terminal app without an
     * Open Platform account: openapp_info and miniprogram_info, neither with a unionid. The
     * miniprogram_info openid is the one jscode2session gives the same user.
     */
    BOUND_NO_UNIONID("boundNoUnionid", "weixinApp", 0, 0),
    /** Like weixinApp, but login_time is a string and unknown fields/blocks are present. */
    LOGIN_TIME_STRING("loginTimeString", "weixinApp", 0, 0),
    /** Like weixinApp, but the block carries a session_key the backend must never pass on. */
    SESSION_KEY("sessionKey", "weixinApp", 0, 0),
    /** errcode -1 the first time the code is presented (without consuming it), then success as weixinApp. */
    BUSY_ONCE("busyOnce", "weixinApp", 0, 0),
    EXPIRED("expired", null, WeChatErrors.CODE_EXPIRED, WeChatErrors.JS_CODE_INVALID),
    INVALID("invalid", null, WeChatErrors.CODE_INVALID, WeChatErrors.JS_CODE_INVALID),
    /** jscode2session: the code was already used (40163); code2verifyinfo: code invalid. */
    USED("used", null, WeChatErrors.CODE_INVALID, WeChatErrors.JS_CODE_USED),
    BAD_APPID("badAppid", null, WeChatErrors.BAD_APPID, WeChatErrors.INVALID_APPID),
    NOT_ON_IDENTITY_MANAGEMENT("notOnIdentityManagement", null, WeChatErrors.NOT_ON_IDENTITY_MANAGEMENT,
            WeChatErrors.JS_CODE_INVALID),
    /** WeChat blocked a high-risk user from logging in (40226, documented for jscode2session). */
    HIGH_RISK("highRisk", null, WeChatErrors.HIGH_RISK_USER, WeChatErrors.HIGH_RISK_USER),
    SYSTEM_ERROR("systemError", null, WeChatErrors.SYSTEM_ERROR, WeChatErrors.SYSTEM_ERROR),
    QUOTA("quota", null, WeChatErrors.DAILY_QUOTA, WeChatErrors.DAILY_QUOTA),
    MINUTE_LIMIT("minuteLimit", null, WeChatErrors.MINUTE_LIMIT, WeChatErrors.MINUTE_LIMIT),
    UNKNOWN_ERR("unknownErr", null, WeChatErrors.UNKNOWN, WeChatErrors.UNKNOWN);

    private final String id;
    private final String loginType;
    private final int errcode;
    private final int miniProgramErrcode;

    Scenario(String id, String loginType, int errcode, int miniProgramErrcode) {
        this.id = id;
        this.loginType = loginType;
        this.errcode = errcode;
        this.miniProgramErrcode = miniProgramErrcode;
    }

    /** The name used in codes, e.g. {@code weixinApp}. */
    public String id() {
        return id;
    }

    /** WeChat's {@code login_info.type} on success; empty for error scenarios. */
    public Optional<String> loginType() {
        return Optional.ofNullable(loginType);
    }

    /** The errcode code2verifyinfo always answers for this scenario; 0 when it (eventually) succeeds. */
    public int errcode() {
        return errcode;
    }

    /** The errcode jscode2session always answers for this scenario; 0 when it (eventually) succeeds. */
    public int miniProgramErrcode() {
        return miniProgramErrcode;
    }

    public boolean succeeds() {
        return errcode == 0;
    }

    public static Optional<Scenario> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Scenario::id).toList();
    }
}
