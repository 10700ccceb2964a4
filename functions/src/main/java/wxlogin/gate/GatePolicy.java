package wxlogin.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Json;

/**
 * {@code GATE_POLICY}: function name -> login types allowed to call it, e.g.
 * {@code {"payOrder":["weixinApp","weixinMiniProgram","miniProgram"]}} ({@code miniProgram}: the
 * mini-program build's {@code wx.login}; {@code weixinMiniProgram}: the in-app mini-program login;
 * a policy naming only one of them locks the other build out). A function not listed is open to any
 * valid session. Parsed once at start-up; a malformed policy, a login type that does not exist, or
 * (when the template names the gated functions) a key that names none of them is a configuration
 * error: a typo must not leave a function open unnoticed.
 */
public final class GatePolicy {

    private final Map<String, Set<String>> allowed;

    private GatePolicy(Map<String, Set<String>> allowed) {
        this.allowed = Map.copyOf(allowed);
    }

    public static GatePolicy open() {
        return new GatePolicy(Map.of());
    }

    /** The login types a token can carry: WeChat's login_info.type values and {@code miniProgram} (jscode2session). */
    static final Set<String> LOGIN_TYPES = Set.of("weixinApp", "weixinMiniProgram", "apple", "phoneSms",
            "phoneOneClick", "miniProgram");

    public static GatePolicy parse(String json) {
        return parse(json, null);
    }

    /**
     * @param gatedFunctions the names of the API's gated functions ({@code GATED_FUNCTIONS}); null:
     *                       unknown, policy keys are not checked against it
     */
    public static GatePolicy parse(String json, Set<String> gatedFunctions) {
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
            for (String type : types) {
                if (!LOGIN_TYPES.contains(type)) {
                    throw new ConfigurationException("GATE_POLICY: " + entry.getKey() + " lists the login type '" + type
                            + "', which does not exist; known: " + new TreeSet<>(LOGIN_TYPES));
                }
            }
            if (gatedFunctions != null && !gatedFunctions.contains(entry.getKey())) {
                throw new ConfigurationException("GATE_POLICY names '" + entry.getKey()
                        + "', which is none of the gated functions " + new TreeSet<>(gatedFunctions)
                        + " (GATED_FUNCTIONS): a typo, or a function missing from GATED_FUNCTIONS");
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
