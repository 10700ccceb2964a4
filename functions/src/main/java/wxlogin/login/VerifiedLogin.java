package wxlogin.login;

import java.util.LinkedHashSet;
import java.util.Set;
import wxlogin.users.IdentityKey;
import wxlogin.users.LoginIdentities;
import wxlogin.wechat.VerifyInfo;
import wxlogin.wechat.WeChatClient;

/**
 * What WeChat verified for one login, from either exchange: what the token says about this login
 * ({@code appid}, {@code loginType}, {@code openid}, {@code unionid}) and the identities the user
 * directory links.
 *
 * @param preferredUserId the token's sub without a directory: the multi-terminal user_id (null for a mini-program login)
 */
public record VerifiedLogin(String loginType, String appid, String openid, String unionid, LoginIdentities identities,
                            String preferredUserId) {

    /** The login type of a jscode2session login (the token's login_type, the gate's loginType). */
    public static final String MINI_PROGRAM = "miniProgram";

    /**
     * A code2verifyinfo login: it authenticated the multi-terminal user_id, which a person first seen
     * here keeps as the directory id; every block's (appid, openid) and the unionid are linked to it.
     */
    static VerifiedLogin of(VerifyInfo info) {
        Set<IdentityKey> others = new LinkedHashSet<>();
        info.openids().forEach(o -> others.add(IdentityKey.openid(o.appid(), o.openid())));
        if (info.unionid() != null) {
            others.add(IdentityKey.unionid(info.unionid()));
        }
        return new VerifiedLogin(info.loginType(), info.appid(), info.openid(), info.unionid(),
                new LoginIdentities(IdentityKey.wechatUser(info.userId()), others, info.userId()), info.userId());
    }

    /** A jscode2session login: it authenticated the mini program's (appid, openid); the unionid is linked to it. */
    static VerifiedLogin of(WeChatClient.MiniProgramSession session) {
        Set<IdentityKey> others = session.unionid() == null ? Set.of() : Set.of(IdentityKey.unionid(session.unionid()));
        return new VerifiedLogin(MINI_PROGRAM, session.appid(), session.openid(), session.unionid(),
                new LoginIdentities(IdentityKey.openid(session.appid(), session.openid()), others, null), null);
    }

    @Override
    public String toString() {
        return "VerifiedLogin[" + loginType + "]";
    }
}
