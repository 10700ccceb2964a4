// Integration (fast): AccountFunction's SnapStart hooks, called directly: priming deletes a throwaway account against its own loopback endpoint, never the function's tables, secrets or WeChat.
package wxlogin.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import wxlogin.secrets.CachedSecret;
import wxlogin.token.SigningKeys;
import wxlogin.token.TokenVerifier;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class AccountSnapStartTest {

    @Test
    void primingDeletesAThrowawayAccountAgainstItsOwnLoopbackEndpointOnly() {
        MutableClock clock = new MutableClock();
        AtomicInteger reads = new AtomicInteger();
        CachedSecret<SigningKeys> keys = CachedSecret.of(id -> {
            reads.incrementAndGet();
            return "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + AccountHandlerTest.SIGNING_SECRET + "\"}]}";
        }, "keys", SigningKeys::parse, clock);
        // No deletion of its own: priming must not need the function's wiring at all.
        AccountHandler handler = new AccountHandler(null, keys, new TokenVerifier("weixin-app-login", clock), clock);
        try (LogCapture log = new LogCapture()) {
            handler.snapStartHook().beforeCheckpoint(null);

            assertThat(log.text()).as("priming ran a whole deletion").contains("snapstart.primed")
                    .contains("account.deleted").doesNotContain("priming_failed");
        }
        assertThat(reads).as("no secret of the function read before the snapshot").hasValue(0);
        handler.snapStartHook().afterRestore(null);
    }
}
