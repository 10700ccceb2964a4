// Unit: GATE_POLICY parsing, and the start-up checks that keep a typo from leaving a function open.
package wxlogin.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import wxlogin.common.ConfigurationException;

class GatePolicyTest {

    private static final Set<String> GATED = Set.of("myCloudFunction", "payOrder");

    @Test
    void listedFunctionsAllowTheirLoginTypesAndUnlistedOnesAnyValidSession() {
        GatePolicy policy = GatePolicy.parse("{\"payOrder\":[\"weixinApp\",\"miniProgram\"]}", GATED);
        assertThat(policy.allows("payOrder", "weixinApp")).isTrue();
        assertThat(policy.allows("payOrder", "miniProgram")).isTrue();
        assertThat(policy.allows("payOrder", "phoneSms")).isFalse();
        assertThat(policy.allows("myCloudFunction", "phoneSms")).isTrue();
    }

    @Test
    void aKeyNamingNoGatedFunctionFailsStartUp() {
        assertThatThrownBy(() -> GatePolicy.parse("{\"payorder\":[\"weixinApp\"]}", GATED))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'payorder'").hasMessageContaining("GATED_FUNCTIONS");
        // Without the list (older stacks, local tools) names cannot be checked; types still are.
        assertThat(GatePolicy.parse("{\"payorder\":[\"weixinApp\"]}", null).allows("payorder", "apple")).isFalse();
    }

    @Test
    void aLoginTypeThatDoesNotExistFailsStartUp() {
        assertThatThrownBy(() -> GatePolicy.parse("{\"payOrder\":[\"weixinapp\"]}", GATED))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'weixinapp'").hasMessageContaining("weixinApp");
        assertThatThrownBy(() -> GatePolicy.parse("{\"payOrder\":[\"mini_program\"]}", null))
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void everyLoginTypeATokenCanCarryIsAccepted() {
        GatePolicy policy = GatePolicy.parse("{\"payOrder\":[\"weixinApp\",\"weixinMiniProgram\",\"apple\","
                + "\"phoneSms\",\"phoneOneClick\",\"miniProgram\"]}", GATED);
        assertThat(policy.allows("payOrder", "phoneOneClick")).isTrue();
    }
}
