package wxlogin.gate;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wxlogin.common.ConfigurationException;

/**
 * {@code GATE_POLICY}: function name -> login types allowed to call it. A function not listed is
 * open to any valid session. Parsed once at start-up; a malformed policy is a configuration error.
 */
public final class GatePolicy {

    private final Map<String, Set<String>> allowed;

    private GatePolicy(Map<String, Set<String>> allowed) {
        this.allowed = Map.copyOf(allowed);
    }

    public static GatePolicy open() {
        return new GatePolicy(Map.of());
    }

    public static GatePolicy parse(String json) {
        if (json == null || json.isBlank()) {
            return open();
        }
        Map<String, Object> raw;
        try {
            raw = JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new ConfigurationException("GATE_POLICY is not a JSON object");
        }
        Map<String, Set<String>> policy = new HashMap<>();
        for (Map.Entry<String, Object> entry : raw.entrySet()) {
            if (!(entry.getValue() instanceof List<?> types) || !types.stream().allMatch(String.class::isInstance)) {
                throw new ConfigurationException("GATE_POLICY: the value for " + entry.getKey()
                        + " must be a list of login types, e.g. [\"weixinApp\"]");
            }
            policy.put(entry.getKey(), Set.copyOf(types.stream().map(String.class::cast).toList()));
        }
        return new GatePolicy(policy);
    }

    /** Whether a session of this login type may call the function. */
    public boolean allows(String functionName, String loginType) {
        Set<String> types = functionName == null ? null : allowed.get(functionName);
        return types == null || types.contains(loginType);
    }
}
