package wxlogin.cloudfunction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The caller's identity, like {@code cloud.getWXContext()} in WeChat Cloud Development. Built only
 * from the authorizer's context, never from anything the client sent.
 *
 * @param openid  null when the login type has none (phone, Apple)
 * @param unionid null unless the app is bound to an Open Platform account
 * @param source  how the call came in: {@code "aws_http_api"}
 * @param clientIp the caller's address as API Gateway saw it
 */
public record WxContext(String userId, String appid, String loginType, String openid, String unionid,
                        String source, String clientIp) {

    public static final String SOURCE = "aws_http_api";

    /** The keys of {@code cloud.getWXContext()}, plus USERID and LOGIN_TYPE; absent values left out. */
    public Map<String, String> asWxContext() {
        Map<String, String> map = new LinkedHashMap<>();
        put(map, "OPENID", openid);
        put(map, "APPID", appid);
        put(map, "UNIONID", unionid);
        put(map, "USERID", userId);
        put(map, "LOGIN_TYPE", loginType);
        put(map, "SOURCE", source);
        put(map, "CLIENTIP", clientIp);
        return map;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
