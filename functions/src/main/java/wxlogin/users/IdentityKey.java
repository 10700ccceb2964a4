package wxlogin.users;

import java.util.Objects;

/**
 * One identity a person logs in with, as the user directory keys it: WeChat's multi-terminal
 * {@code user_id}, an {@code (appid, openid)} pair (mini program, mobile app), or a {@code unionid}.
 * Each is claimed by at most one user.
 */
public record IdentityKey(String kind, String value) {

    public static final String WECHAT_USER = "user";
    public static final String OPENID = "openid";
    public static final String UNIONID = "unionid";

    public IdentityKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    public static IdentityKey wechatUser(String userId) {
        return new IdentityKey(WECHAT_USER, userId);
    }

    /** appid and openid joined by '#', which neither contains. */
    public static IdentityKey openid(String appid, String openid) {
        return new IdentityKey(OPENID, appid + "#" + openid);
    }

    public static IdentityKey unionid(String unionid) {
        return new IdentityKey(UNIONID, unionid);
    }

    /** The partition key of this identity's link item. */
    String pk() {
        return "link#" + kind + "#" + value;
    }
}
