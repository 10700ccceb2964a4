package wxlogin.gate;

// Unit: the gate's SnapStart hooks, called directly as the runtime calls them around a snapshot.

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import wxlogin.common.Env;
import wxlogin.secrets.SecretSource;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;

class CallGateSnapStartTest {

    private static final String KEY = "snapstart-test-signing-key-0123456789abcdef";

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger reads = new AtomicInteger();
    private final SecretSource secrets = id -> {
        reads.incrementAndGet();
        return "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + KEY + "\"}]}";
    };
    private final CallGateHandler handler = new CallGateHandler(CallGateHandler.wire(
            new Env(Map.of("SESSION_KEYS_SECRET_ID", "keys")), secrets, clock));

    @Test
    void primingRunsAGatedCallAgainstItsOwnLoopbackEndpointNeverTheFunctionsSecret() throws Exception {
        try (LogCapture log = new LogCapture()) {
            handler.snapStartHook().beforeCheckpoint(null);

            assertThat(log.text()).as("priming decided an allowed and a denied call").contains("snapstart.primed")
                    .contains("gate.denied").doesNotContain("priming_failed");
        }

        assertThat(reads).as("no network before the snapshot").hasValue(0);
        assertThat(allowed()).isTrue();
        assertThat(reads).as("the keys are read on the first request").hasValue(1);
    }

    @Test
    void afterARestoreTheNextRequestReReadsTheKeys() throws Exception {
        assertThat(allowed()).isTrue();
        assertThat(allowed()).isTrue();
        assertThat(reads).as("warm: cached").hasValue(1);

        handler.snapStartHook().afterRestore(null);

        assertThat(allowed()).isTrue();
        assertThat(reads).as("the snapshot's keys may be stale: read again").hasValue(2);
        assertThat(allowed()).isTrue();
        assertThat(reads).hasValue(2);
    }

    private boolean allowed() {
        String token = new SessionTokens("weixin-app-login", 3600, clock)
                .mint(new SigningKey("k1", KEY.getBytes(StandardCharsets.UTF_8)), "user-1", "wxapp", "weixinApp", "o1", null)
                .token();
        APIGatewayV2CustomAuthorizerEvent event = APIGatewayV2CustomAuthorizerEvent.builder()
                .withRouteKey("POST /functions/myCloudFunction").withRawPath("/functions/myCloudFunction")
                .withHeaders(Map.of("authorization", "Bearer " + token)).build();
        return handler.handleRequest(event, new FakeContext()).getIsAuthorized();
    }
}
