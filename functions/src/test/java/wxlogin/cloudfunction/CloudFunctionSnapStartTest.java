// Unit: the cloud-function base's SnapStart priming runs the envelope without the function's own code, and a priming failure never fails init.
package wxlogin.cloudfunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import wxlogin.common.SnapStartHook;
import wxlogin.testing.LogCapture;

class CloudFunctionSnapStartTest {

    static final class Counting extends CloudFunction {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        protected Object call(JsonNode data, WxContext context) {
            calls.incrementAndGet();
            return data;
        }
    }

    @Test
    void primingWritesTheEnvelopeWithoutRunningTheFunctionsCode() {
        Counting function = new Counting();
        try (LogCapture log = new LogCapture()) {
            function.snapStartHook().beforeCheckpoint(null);

            assertThat(log.text()).contains("snapstart.primed").doesNotContain("priming_failed");
        }
        assertThat(function.calls).as("the function's own code may have effects: priming never runs it").hasValue(0);
    }

    @Test
    void aPrimingFailureIsLoggedAndNeverFailsInit() {
        SnapStartHook hook = SnapStartHook.register(() -> {
            throw new IllegalStateException("priming: the loopback endpoint did not answer");
        }, () -> { });
        try (LogCapture log = new LogCapture()) {
            assertThatCode(() -> hook.beforeCheckpoint(null)).doesNotThrowAnyException();

            assertThat(log.text()).contains("snapstart.priming_failed").contains("IllegalStateException")
                    .doesNotContain("snapstart.primed");
        }
    }
}
