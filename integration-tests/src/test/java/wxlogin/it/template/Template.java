// Level: test utility (integration suite) - a read-only view of template.yaml as SAM sees it.
package wxlogin.it.template;

import java.nio.file.Path;
import wxlogin.local.api.CloudFormationYaml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parsed template with the few SAM rules the tests need: Globals merged into functions the way
 * SAM merges them (maps key by key, lists concatenated, the function's scalar wins; an intrinsic
 * counts as a scalar), and the HttpApi events of every function.
 */
public final class Template {

    public static final String FUNCTION = "AWS::Serverless::Function";
    public static final String HTTP_API = "AWS::Serverless::HttpApi";

    /** One {@code Type: HttpApi} event of a function. */
    public record Route(String functionId, String eventName, String method, String path,
                        Map<String, Object> properties) {
        public String routeKey() {
            return method + " " + path;
        }

        /** The event's own {@code Auth.Authorizer}, or null when it takes the API's default. */
        public String authorizer() {
            Object name = map(properties.get("Auth")).get("Authorizer");
            return name == null ? null : name.toString();
        }
    }

    private final Map<String, Object> root;
    private final String text;

    private Template(Map<String, Object> root, String text) {
        this.root = root;
        this.text = text;
    }

    public static Template load() {
        return load(ProjectFiles.template());
    }

    public static Template load(Path file) {
        String text = ProjectFiles.read(file);
        return new Template(CloudFormationYaml.parse(text), text);
    }

    public Map<String, Object> root() {
        return root;
    }

    /** The file as written, comments included. */
    public String text() {
        return text;
    }

    public Map<String, Object> section(String name) {
        return map(root.get(name));
    }

    public Map<String, Object> resources() {
        return section("Resources");
    }

    public Map<String, Object> resource(String logicalId) {
        Object resource = resources().get(logicalId);
        if (resource == null) {
            throw new AssertionError("template.yaml has no resource " + logicalId);
        }
        return map(resource);
    }

    public String type(String logicalId) {
        return String.valueOf(resource(logicalId).get("Type"));
    }

    /** The resource's own Properties (no Globals). */
    public Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId).get("Properties"));
    }

    public List<String> idsOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, r) -> {
            if (type.equals(map(r).get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    public List<String> functionIds() {
        return idsOfType(FUNCTION);
    }

    /** A function's properties with Globals.Function merged in, as SAM does. */
    public Map<String, Object> functionProperties(String logicalId) {
        if (!FUNCTION.equals(type(logicalId))) {
            throw new AssertionError(logicalId + " is not an " + FUNCTION);
        }
        return mergeGlobals(map(section("Globals").get("Function")), properties(logicalId));
    }

    /** The effective environment variables of a function (raw values, intrinsics unresolved). */
    public Map<String, Object> environment(String logicalId) {
        return map(map(functionProperties(logicalId).get("Environment")).get("Variables"));
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String id : functionIds()) {
            map(functionProperties(id).get("Events")).forEach((name, event) -> {
                Map<String, Object> e = map(event);
                if ("HttpApi".equals(e.get("Type"))) {
                    Map<String, Object> p = map(e.get("Properties"));
                    String method = p.get("Method") == null ? "ANY" : p.get("Method").toString().toUpperCase(Locale.ROOT);
                    String path = p.get("Path") == null ? null : p.get("Path").toString();
                    routes.add(new Route(id, name, method, path, p));
                }
            });
        }
        return routes;
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Object> mergeGlobals(Map<String, Object> global, Map<String, Object> local) {
        Map<String, Object> out = new LinkedHashMap<>(global);
        local.forEach((key, l) -> {
            Object g = out.get(key);
            if (g instanceof Map<?, ?> gm && l instanceof Map<?, ?> lm && !isIntrinsic(gm) && !isIntrinsic(lm)) {
                out.put(key, mergeGlobals(map(gm), map(lm)));
            } else if (g instanceof List<?> gl && l instanceof List<?> ll) {
                List<Object> both = new ArrayList<>(gl);
                both.addAll(ll);
                out.put(key, both);
            } else {
                out.put(key, l);
            }
        });
        return out;
    }

    /** A one-key map whose key is Ref, Condition or Fn::*. */
    public static boolean isIntrinsic(Map<?, ?> value) {
        if (value.size() != 1) {
            return false;
        }
        String key = String.valueOf(value.keySet().iterator().next());
        return key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> l ? (List<Object>) l : List.of(value);
    }

    public static Map<String, Object> ref(String target) {
        return Map.of("Ref", target);
    }
}
