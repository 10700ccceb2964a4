package wxlogin.token;

/**
 * The verified identity a session token carries (contract: Access token). {@code openid} and
 * {@code unionid} are null when WeChat gave none.
 */
public record SessionClaims(String userId, String appid, String loginType, String openid, String unionid,
                            long issuedAt, long expiresAt) {
}
