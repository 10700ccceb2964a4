package wxlogin.login;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The 200 body of {@code /login} (and of {@code /session/refresh}): the contract's fields, with
 * openid/unionid present as null when WeChat gave none, refresh fields only when issued.
 */
public record Session(String token, String tokenType, long expiresIn, String userId, String openid,
                      String unionid, String loginType,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String refreshToken,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Long refreshExpiresIn) {

    @Override
    public String toString() {
        return "Session[userId=" + userId + ", loginType=" + loginType + "]";
    }
}
