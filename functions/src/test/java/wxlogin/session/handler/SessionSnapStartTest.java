// Integration (fast): SessionFunction's SnapStart hooks, called directly: priming refreshes and logs out against its own loopback endpoint, never the function's store or secret.
package wxlogin.session.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.secrets.SecretSource;
import wxlogin.session.InMemorySessionStore;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class SessionSnapStartTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger reads = new AtomicInteger();
    private final SecretSource secrets = id -> {
        reads.incrementAndGet();
        return "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SessionHandlerTest.SIGNING_SECRET + "\"}]}";
    };
    private final InMemorySessionStore store = InMemorySessionStore.create();
    private final RefreshSessions sessions = new RefreshSessions(store, new RefreshTokens(), 3600, 10, clock);
    private final SessionHandler handler = new SessionHandler(SessionHandler.wire(
            new Env(Map.of("SESSION_KEYS_SECRET_ID", "keys")), secrets, sessions, clock), clock);

    @Test
    void primingRefreshesAndLogsOutAgainstItsOwnLoopbackEndpointOnly() throws Exception {
        try (LogCapture log = new LogCapture()) {
            handler.snapStartHook().beforeCheckpoint(null);

            assertThat(log.text()).as("priming ran a refresh and a logout").contains("snapstart.primed")
                    .contains("session.refreshed").doesNotContain("priming_failed");
        }
        assertThat(reads).as("no secret of the function read before the snapshot").hasValue(0);
        assertThat(store.calls).as("the function's store untouched").hasValue(0);

        handler.snapStartHook().afterRestore(null);

        String token = sessions.start(new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", null),
                Deadline.in(5_000, clock)).token();
        APIGatewayV2HTTPEvent refresh = APIGatewayV2HTTPEvent.builder().withRouteKey(SessionHandler.REFRESH_ROUTE)
                .withBody("{\"refreshToken\":\"" + token + "\"}").withIsBase64Encoded(false).build();
        assertThat(handler.handleRequest(refresh, new FakeContext()).getStatusCode()).isEqualTo(200);
        assertThat(reads).as("the keys are read on the first request after the restore").hasValue(1);
    }
}
