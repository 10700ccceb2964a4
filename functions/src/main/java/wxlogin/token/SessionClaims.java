package wxlogin.token;

/**
 * The verified identity a session token carries (contract: Access token). {@code openid} and
 * {@code unionid} are null when WeChat gave none; {@code authTime} (the {@code auth_time} claim,
 * when the person last logged in with a code) is null in tokens minted before it existed.
 */
public record SessionClaims(String userId, String appid, String loginType, String openid, String unionid,
                            long issuedAt, long expiresAt, Long authTime) {

    /** Claims without {@code auth_time}. */
    public SessionClaims(String userId, String appid, String loginType, String openid, String unionid,
                         long issuedAt, long expiresAt) {
        this(userId, appid, loginType, openid, unionid, issuedAt, expiresAt, null);
    }
}
