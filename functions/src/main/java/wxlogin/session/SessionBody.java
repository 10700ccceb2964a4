package wxlogin.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 200 body of {@code /login} and of {@code /session/refresh} (a token pair): the contract's
 * fields, with openid/unionid present as null when WeChat gave none, refresh fields only when issued.
 */
public record SessionBody(String token, String tokenType, long expiresIn, String userId, String openid,
                      String unionid, String loginType,
                      String refreshToken, Long refreshExpiresIn) {

    /** The JSON body: every contract field in order, openid/unionid as null when absent, refresh fields only when issued. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("token", token);
        json.put("tokenType", tokenType);
        json.put("expiresIn", expiresIn);
        json.put("userId", userId);
        json.put("openid", openid);
        json.put("unionid", unionid);
        json.put("loginType", loginType);
        if (refreshToken != null) {
            json.put("refreshToken", refreshToken);
        }
        if (refreshExpiresIn != null) {
            json.put("refreshExpiresIn", refreshExpiresIn);
        }
        return json;
    }

    @Override
    public String toString() {
        return "SessionBody[userId=" + userId + ", loginType=" + loginType + "]";
    }
}
