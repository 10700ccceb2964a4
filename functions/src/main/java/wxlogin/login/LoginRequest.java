package wxlogin.login;

import java.util.Map;
import java.util.regex.Pattern;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.http.RequestBodies;

/** The body of {@code POST /login}: {@code {"code": "..."}}. */
final class LoginRequest {

    static final String EXAMPLE = "{\"code\": \"<code from wx.weixinAppLogin>\"}";
    static final int MAX_CODE_LENGTH = 512;
    /** WeChat codes are short URL-safe strings; anything else cannot be one. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9._~+/=-]+");

    private LoginRequest() {
    }

    /** The code, validated, or a 400 that says what is wrong. */
    static String code(String body, boolean base64) {
        Map<String, Object> json = RequestBodies.jsonObject(body, base64, EXAMPLE);
        Object code = json.get("code");
        if (code == null) {
            throw badCode("The field \"code\" is missing: send " + EXAMPLE + ".", "no code");
        }
        if (!(code instanceof String value)) {
            throw badCode("The field \"code\" must be a string: send " + EXAMPLE + ".", "code not a string");
        }
        if (value.isEmpty()) {
            throw badCode("The field \"code\" is empty: call wx.weixinAppLogin (or another wx.*Login) and send its code.", "empty code");
        }
        if (value.length() > MAX_CODE_LENGTH || !CODE.matcher(value).matches()) {
            throw badCode("The field \"code\" is not a login code: send the code from wx.weixinAppLogin unchanged.", "code has bad length or characters");
        }
        return value;
    }

    private static ApiException badCode(String message, String cause) {
        return new ApiException(400, ErrorCodes.BAD_CODE, message, cause);
    }
}
