package wxlogin.login;

// Unit: the login reads its secrets inside the invocation's deadline (outage drill, issue 19: a hanging Secrets Manager outlasted it).

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import wxlogin.common.ApiException;
import wxlogin.common.Deadline;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.token.SessionTokens;
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;
import wxlogin.token.SigningKeys;

class CodeExchangeDeadlineTest {

    @Test
    void aColdLoginAsksSecretsManagerWithTheInvocationsDeadlineNotTheSourcesOwnCap() {
        Clock clock = Clock.systemUTC();
        List<Long> given = new ArrayList<>();
        SecretSource source = new SecretSource() {
            @Override
            public String fetch(String secretId) {
                given.add(-1L); // no deadline: the source's own 6 s cap
                throw new SecretUnavailableException("hangs", null);
            }

            @Override
            public String fetch(String secretId, Deadline deadline) {
                given.add(deadline.remainingMillis());
                throw new SecretUnavailableException("hangs", null);
            }
        };
        WeChatClient wechat = new WeChatClient("http://127.0.0.1:9");
        CodeExchange exchange = new CodeExchange(CachedSecret.of(source, "app", WeChatCredentials::parse, clock),
                CachedSecret.of(source, "keys", SigningKeys::parse, clock), new StableAccessToken(wechat, clock), wechat,
                new SessionTokens("issuer", 7200, clock));

        assertThatThrownBy(() -> exchange.exchange("a-code", Deadline.in(2_000, clock)))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(503));
        assertThat(given).hasSize(1);
        assertThat(given.get(0)).isBetween(1L, 2_000L);
    }
}
