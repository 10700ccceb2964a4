package wxlogin.local.wechat;

import java.util.Map;

/** The errmsg WeChat usually sends with each errcode (the sandbox appends {@code " rid: <rid>"}). */
final class WeChatErrors {

    static final int SYSTEM_ERROR = -1;
    static final int INVALID_CREDENTIAL = 40001;
    static final int INVALID_GRANT_TYPE = 40002;
    static final int INVALID_APPID = 40013;
    static final int JS_CODE_INVALID = 40029;
    static final int INVALID_URL = 40066;
    static final int INVALID_APPSECRET = 40125;
    static final int JS_CODE_USED = 40163;
    static final int HIGH_RISK_USER = 40226;
    static final int ACCESS_TOKEN_MISSING = 41001;
    static final int APPID_MISSING = 41002;
    static final int SECRET_MISSING = 41004;
    static final int JS_CODE_MISSING = 41008;
    static final int ACCESS_TOKEN_EXPIRED = 42001;
    static final int REQUIRE_GET = 43001;
    static final int REQUIRE_POST = 43002;
    static final int DAILY_QUOTA = 45009;
    static final int MINUTE_LIMIT = 45011;
    static final int DATA_FORMAT_ERROR = 47001;
    static final int CODE_EXPIRED = 10001000;
    static final int CODE_INVALID = 10001001;
    static final int BAD_APPID = 10001002;
    static final int BAD_APPSECRET = 10001003;
    static final int BAD_GRANT_TYPE = 10001004;
    static final int NOT_ON_IDENTITY_MANAGEMENT = 10001005;
    static final int NO_SUCH_USER = 10001038;
    static final int UNKNOWN = 99999;

    private static final Map<Integer, String> MESSAGES = Map.ofEntries(
            Map.entry(SYSTEM_ERROR, "system error"),
            Map.entry(INVALID_CREDENTIAL, "invalid credential, access_token is invalid or not latest"),
            Map.entry(INVALID_GRANT_TYPE, "invalid grant_type"),
            Map.entry(INVALID_APPID, "invalid appid"),
            Map.entry(JS_CODE_INVALID, "invalid code"),
            Map.entry(JS_CODE_USED, "code been used"),
            Map.entry(HIGH_RISK_USER, "risky user, login is forbidden"),
            Map.entry(APPID_MISSING, "appid missing"),
            Map.entry(SECRET_MISSING, "appsecret missing"),
            Map.entry(JS_CODE_MISSING, "missing code"),
            Map.entry(INVALID_URL, "invalid url"),
            Map.entry(INVALID_APPSECRET, "invalid appsecret"),
            Map.entry(ACCESS_TOKEN_MISSING, "access_token missing"),
            Map.entry(ACCESS_TOKEN_EXPIRED, "access_token expired"),
            Map.entry(REQUIRE_GET, "require GET method"),
            Map.entry(REQUIRE_POST, "require POST method"),
            Map.entry(DAILY_QUOTA, "reach max api daily quota limit"),
            Map.entry(MINUTE_LIMIT, "api minute-quota reach limit  mustslower  retry next minute"),
            Map.entry(DATA_FORMAT_ERROR, "data format error"),
            Map.entry(CODE_EXPIRED, "code过期"),
            Map.entry(CODE_INVALID, "code错误"),
            Map.entry(BAD_APPID, "appid错误"),
            Map.entry(BAD_APPSECRET, "appsecret错误"),
            Map.entry(BAD_GRANT_TYPE, "grant_type错误"),
            Map.entry(NOT_ON_IDENTITY_MANAGEMENT, "应用未接入身份管理"),
            Map.entry(NO_SUCH_USER, "用户不存在"),
            Map.entry(UNKNOWN, "unknown error"));

    private WeChatErrors() {
    }

    static String message(int errcode) {
        return MESSAGES.getOrDefault(errcode, "sandbox error " + errcode);
    }
}
