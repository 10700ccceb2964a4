package wxlogin.login;

// Unit: which identities each exchange gives the user directory, and what the token says about the login.

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import wxlogin.users.IdentityKey;
import wxlogin.wechat.VerifyInfo;
import wxlogin.wechat.WeChatClient;

class VerifiedLoginTest {

    @Test
    void anIdentityLoginAuthenticatesTheUserIdAndLinksEveryBlockAndTheUnionid() {
        VerifyInfo info = new VerifyInfo("weixinApp", "uid-1", "wxmulti", "o-app", "un-1",
                List.of(new VerifyInfo.AppOpenid("wxopen", "o-app"), new VerifyInfo.AppOpenid("wxmini", "o-mini")));
        VerifiedLogin login = VerifiedLogin.of(info);
        assertThat(login.identities().authenticated()).isEqualTo(IdentityKey.wechatUser("uid-1"));
        assertThat(login.identities().others()).containsExactlyInAnyOrder(IdentityKey.openid("wxopen", "o-app"),
                IdentityKey.openid("wxmini", "o-mini"), IdentityKey.unionid("un-1"));
        assertThat(login.identities().preferredUserId()).isEqualTo("uid-1");
        assertThat(login.preferredUserId()).isEqualTo("uid-1");
        assertThat(List.of(login.loginType(), login.appid(), login.openid(), login.unionid()))
                .containsExactly("weixinApp", "wxmulti", "o-app", "un-1");
    }

    @Test
    void aPhoneLoginWithoutBlocksAuthenticatesOnlyTheUserId() {
        VerifiedLogin login = VerifiedLogin.of(new VerifyInfo("phoneSms", "uid-2", "wxmulti", null, null, List.of()));
        assertThat(login.identities().others()).isEmpty();
    }

    @Test
    void aMiniProgramLoginAuthenticatesItsOpenidAndLinksTheUnionid() {
        VerifiedLogin login = VerifiedLogin.of(new WeChatClient.MiniProgramSession("wxmini", "o-mini", "un-3"));
        assertThat(login.identities().authenticated()).isEqualTo(IdentityKey.openid("wxmini", "o-mini"));
        assertThat(login.identities().others()).containsExactly(IdentityKey.unionid("un-3"));
        assertThat(login.identities().preferredUserId()).isNull();
        assertThat(List.of(login.loginType(), login.appid(), login.openid(), login.unionid()))
                .containsExactly("miniProgram", "wxmini", "o-mini", "un-3");
    }

    @Test
    void aMiniProgramLoginWithoutUnionidLinksNothingElse() {
        VerifiedLogin login = VerifiedLogin.of(new WeChatClient.MiniProgramSession("wxmini", "o-mini", null));
        assertThat(login.identities().others()).isEmpty();
        assertThat(login.unionid()).isNull();
    }
}
