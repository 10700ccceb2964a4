package wxlogin.login;

import java.util.Map;
import java.util.regex.Pattern;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.http.RequestBodies;

/**
 * The body of {@code POST /login}: {@code {"code": "..."}}, optionally with
 * {@code "codeType": "identity"} (the default: code2verifyinfo) or {@code "miniProgram"} (a
 * {@code wx.login} code: jscode2session).
 */
record LoginRequest(String code, CodeType codeType) {

    /** Which WeChat API a code is for. */
    enum CodeType {
        /** Multi-terminal identity codes (wx.weixinAppLogin and the other wx.*Login): donut/code2verifyinfo. */
        IDENTITY("identity"),
        /** wx.login / wx.getMiniProgramCode codes: sns/jscode2session with the mini program's credentials. */
        MINI_PROGRAM("miniProgram");

        final String wireName;

        CodeType(String wireName) {
            this.wireName = wireName;
        }
    }

    static final String EXAMPLE = "{\"code\": \"<code from wx.weixinAppLogin>\"}";
    static final String MINI_PROGRAM_EXAMPLE = "{\"code\": \"<code from wx.login>\", \"codeType\": \"miniProgram\"}";
    static final int MAX_CODE_LENGTH = 512;
    /** WeChat codes are short URL-safe strings; anything else cannot be one. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9._~+/=-]+");

    /** The code, validated, or a 400 that says what is wrong. */
    static String code(String body, boolean base64) {
        return parse(body, base64).code();
    }

    /** The code and its type, validated, or a 400 that says what is wrong. */
    static LoginRequest parse(String body, boolean base64) {
        Map<String, Object> json = RequestBodies.jsonObject(body, base64, EXAMPLE);
        CodeType type = codeType(json.get("codeType"));
        Object code = json.get("code");
        String example = type == CodeType.MINI_PROGRAM ? MINI_PROGRAM_EXAMPLE : EXAMPLE;
        String source = type == CodeType.MINI_PROGRAM ? "wx.login" : "wx.weixinAppLogin";
        if (code == null) {
            throw badCode("The field \"code\" is missing: send " + example + ".", "no code");
        }
        if (!(code instanceof String value)) {
            throw badCode("The field \"code\" must be a string: send " + example + ".", "code not a string");
        }
        if (value.isEmpty()) {
            throw badCode("The field \"code\" is empty: call " + source + " (or another wx.*Login) and send its code.", "empty code");
        }
        if (value.length() > MAX_CODE_LENGTH || !CODE.matcher(value).matches()) {
            throw badCode("The field \"code\" is not a login code: send the code from " + source + " unchanged.",
                    "code has bad length or characters");
        }
        return new LoginRequest(value, type);
    }

    private static CodeType codeType(Object value) {
        if (value == null) {
            return CodeType.IDENTITY;
        }
        for (CodeType type : CodeType.values()) {
            if (type.wireName.equals(value)) {
                return type;
            }
        }
        // The value is client input: not echoed into the log cause.
        throw new ApiException(400, ErrorCodes.BAD_CODE_TYPE, "The field \"codeType\" must be \"identity\" (codes of "
                + "wx.weixinAppLogin and the other wx.*Login, the default) or \"miniProgram\" (codes of wx.login and "
                + "wx.getMiniProgramCode).", "unknown codeType");
    }

    private static ApiException badCode(String message, String cause) {
        return new ApiException(400, ErrorCodes.BAD_CODE, message, cause);
    }
}
