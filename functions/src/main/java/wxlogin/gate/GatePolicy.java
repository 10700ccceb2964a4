package wxlogin.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Json;

/**
 * {@code GATE_POLICY}: function name -> login types allowed to call it, e.g.
 * {@code {"payOrder":["weixinApp","weixinMiniProgram","miniProgram"]}} ({@code miniProgram}: the
 * mini-program build's {@code wx.login}; {@code weixinMiniProgram}: the in-app mini-program login;
 * a policy naming only one of them locks the other build out). A function not listed is open to any
 * valid session. Parsed once at start-up; a malformed policy is a configuration error.
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
        JsonNode raw = Json.objectOrNull(json);
        if (raw == null) {
            throw new ConfigurationException("GATE_POLICY is not a JSON object");
        }
        Map<String, Set<String>> policy = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> entries = raw.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            Set<String> types = new HashSet<>();
            for (JsonNode type : entry.getValue()) {
                types.add(type.isTextual() ? type.asText() : null);
            }
            if (!entry.getValue().isArray() || types.contains(null)) {
                throw new ConfigurationException("GATE_POLICY: the value for " + entry.getKey()
                        + " must be a list of login types, e.g. [\"weixinApp\"]");
            }
            policy.put(entry.getKey(), Set.copyOf(types));
        }
        return new GatePolicy(policy);
    }

    /** Whether a session of this login type may call the function. */
    public boolean allows(String functionName, String loginType) {
        Set<String> types = functionName == null ? null : allowed.get(functionName);
        return types == null || types.contains(loginType);
    }
}
