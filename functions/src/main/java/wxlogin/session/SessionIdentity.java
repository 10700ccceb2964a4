package wxlogin.session;

import wxlogin.token.SessionClaims;

/**
 * Who a refresh-token family belongs to: the identity WeChat verified at login, carried unchanged
 * into every access token the family mints ({@code openid}/{@code unionid} null when absent).
 */
public record SessionIdentity(String userId, String appid, String loginType, String openid, String unionid) {

    public static SessionIdentity of(SessionClaims claims) {
        return new SessionIdentity(claims.userId(), claims.appid(), claims.loginType(), claims.openid(), claims.unionid());
    }
}
