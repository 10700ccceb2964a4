package wxlogin.local.api;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a SAM template the local API needs: parameters, functions (with Globals merged and
 * environment values resolved as far as a local run can), HttpApi events and Lambda authorizers.
 *
 * <p>Resolution follows CloudFormation: {@code Ref} to a parameter gives its override or Default,
 * {@code Ref} to a resource gives its logical id (what {@code sam local} does too), conditions are
 * evaluated from parameter values. What cannot be known locally (GetAtt, ImportValue, a parameter
 * without default) becomes a placeholder string plus a warning in {@link #warnings()}.
 */
public final class SamTemplate {

    /** Placeholder prefix for values a local run cannot resolve. */
    public static final String UNRESOLVED_PREFIX = "UNRESOLVED:";

    static final String REGION = "us-east-1";
    static final String ACCOUNT_ID = "000000000000";
    /** SAM's name for the API that HttpApi events without ApiId attach to. */
    public static final String IMPLICIT_HTTP_API = "ServerlessHttpApi";

    public record Parameter(String name, String type, String defaultValue) {
    }

    /** One {@code Type: HttpApi} event. {@code authorizer}: null = the API's default, "NONE" = none. */
    public record HttpEvent(String name, String method, String path, String apiId, String authorizer) {
        /** API Gateway's route key, e.g. {@code POST /functions/{name}} or {@code $default}. */
        public String routeKey() {
            return path == null ? "$default" : method + " " + path;
        }
    }

    public record Function(String logicalId, String handler, int timeoutSeconds, int memorySize,
                           Map<String, String> environment, List<HttpEvent> events) {
    }

    /** A Lambda REQUEST authorizer of an {@code AWS::Serverless::HttpApi}. */
    public record Authorizer(String name, String functionId, List<String> identityHeaders,
                             List<String> identityQueryStrings, List<String> identityContext,
                             Integer reauthorizeEvery, boolean enableSimpleResponses,
                             String payloadFormatVersion) {
        /** API Gateway's IdentitySource, in SAM's order: headers, query strings, context. */
        public List<String> identitySource() {
            List<String> out = new ArrayList<>();
            identityHeaders.forEach(h -> out.add("$request.header." + h));
            identityQueryStrings.forEach(q -> out.add("$request.querystring." + q));
            identityContext.forEach(c -> out.add(c.startsWith("$context.") ? c : "$context." + c));
            return out;
        }
    }

    public record HttpApi(String logicalId, String defaultAuthorizer, Map<String, Authorizer> authorizers) {
    }

    /** A route as API Gateway would deploy it: authorizer already chosen (null = none). */
    public record Route(String method, String path, String routeKey, String functionId, String apiId,
                        Authorizer authorizer) {
        @Override
        public String toString() {
            return routeKey + " -> " + functionId
                    + (authorizer == null ? " (no authorizer)" : " (authorizer " + authorizer.name()
                    + " -> " + authorizer.functionId() + ")");
        }
    }

    private final Map<String, Object> root;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, String> parameterValues = new LinkedHashMap<>();
    private final Map<String, Object> resources;
    private final Map<String, Object> conditionDefs;
    private final Map<String, Boolean> conditionValues = new LinkedHashMap<>();
    private final Set<String> conditionsInProgress = new HashSet<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, HttpApi> httpApis = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();

    public static SamTemplate load(Path template) {
        return load(template, Map.of());
    }

    /** @param parameterOverrides like {@code sam --parameter-overrides}: win over Defaults. */
    public static SamTemplate load(Path template, Map<String, String> parameterOverrides) {
        try (Reader reader = Files.newBufferedReader(template, StandardCharsets.UTF_8)) {
            return new SamTemplate(CloudFormationYaml.parse(reader), parameterOverrides);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read template " + template + ": " + e.getMessage(), e);
        }
    }

    public static SamTemplate parse(String yaml, Map<String, String> parameterOverrides) {
        return new SamTemplate(CloudFormationYaml.parse(yaml), parameterOverrides);
    }

    private SamTemplate(Map<String, Object> root, Map<String, String> parameterOverrides) {
        this.root = root;
        this.resources = map(root.get("Resources"));
        this.conditionDefs = map(root.get("Conditions"));
        readParameters(parameterOverrides);
        Map<String, Object> globals = map(root.get("Globals"));
        for (Map.Entry<String, Object> e : resources.entrySet()) {
            Map<String, Object> resource = map(e.getValue());
            if (!resourceEnabled(e.getKey(), resource)) {
                continue;
            }
            String type = String.valueOf(resource.get("Type"));
            if ("AWS::Serverless::Function".equals(type)) {
                Map<String, Object> props = mergeGlobals(map(globals.get("Function")), map(resource.get("Properties")));
                functions.put(e.getKey(), readFunction(e.getKey(), props));
            } else if ("AWS::Serverless::HttpApi".equals(type)) {
                Map<String, Object> props = mergeGlobals(map(globals.get("HttpApi")), map(resource.get("Properties")));
                httpApis.put(e.getKey(), readHttpApi(e.getKey(), props));
            }
        }
        buildRoutes(map(globals.get("HttpApi")));
    }

    // ---------------------------------------------------------------- public view

    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Effective parameter values: override, else Default (parameters with neither are absent). */
    public Map<String, String> parameterValues() {
        return Collections.unmodifiableMap(parameterValues);
    }

    public Map<String, Function> functions() {
        return Collections.unmodifiableMap(functions);
    }

    public Function function(String logicalId) {
        Function f = functions.get(logicalId);
        if (f == null) {
            throw new IllegalArgumentException("no AWS::Serverless::Function " + logicalId + " in the template");
        }
        return f;
    }

    public Map<String, HttpApi> httpApis() {
        return Collections.unmodifiableMap(httpApis);
    }

    public List<Route> routes() {
        return Collections.unmodifiableList(routes);
    }

    /** Whether a condition of the template is true with the current parameter values. */
    public synchronized boolean condition(String name) { // the condition cache is not thread-safe
        return evalCondition(name);
    }

    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** The raw parsed template (long-form intrinsics). */
    public Map<String, Object> raw() {
        return Collections.unmodifiableMap(root);
    }

    // ---------------------------------------------------------------- reading

    private void readParameters(Map<String, String> overrides) {
        for (Map.Entry<String, Object> e : map(root.get("Parameters")).entrySet()) {
            Map<String, Object> p = map(e.getValue());
            Object def = p.get("Default");
            parameters.put(e.getKey(), new Parameter(e.getKey(), str(p.get("Type")), def == null ? null : scalarText(def)));
            if (def != null) {
                parameterValues.put(e.getKey(), scalarText(def));
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!parameters.containsKey(e.getKey())) {
                warnings.add("parameter override " + e.getKey() + " is not a template parameter; ignored");
                continue;
            }
            parameterValues.put(e.getKey(), e.getValue());
        }
    }

    private boolean resourceEnabled(String id, Map<String, Object> resource) {
        Object cond = resource.get("Condition");
        if (cond == null) {
            return true;
        }
        try {
            return evalCondition(String.valueOf(cond));
        } catch (Unresolvable u) {
            warnings.add("resource " + id + ": condition " + cond + " cannot be evaluated (" + u.getMessage() + "); kept");
            return true;
        }
    }

    private Function readFunction(String id, Map<String, Object> props) {
        String handler = resolveText(props.get("Handler"), id + ".Handler");
        int timeout = resolveInt(props.get("Timeout"), 3, id + ".Timeout");
        int memory = resolveInt(props.get("MemorySize"), 128, id + ".MemorySize");

        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Object> vars = map(map(props.get("Environment")).get("Variables"));
        for (Map.Entry<String, Object> v : vars.entrySet()) {
            String where = id + ".Environment.Variables." + v.getKey();
            try {
                Object value = eval(v.getValue());
                if (value != NO_VALUE) {
                    env.put(v.getKey(), scalarText(value));
                }
            } catch (Unresolvable u) {
                env.put(v.getKey(), UNRESOLVED_PREFIX + u.getMessage());
                warnings.add(where + ": " + u.getMessage() + " cannot be resolved locally; set it with an "
                        + "environment override (placeholder used)");
            }
        }

        List<HttpEvent> events = new ArrayList<>();
        for (Map.Entry<String, Object> ev : map(props.get("Events")).entrySet()) {
            Map<String, Object> event = map(ev.getValue());
            if (!"HttpApi".equals(event.get("Type"))) {
                continue;
            }
            String where = id + ".Events." + ev.getKey();
            Map<String, Object> ep = map(event.get("Properties"));
            String path = ep.containsKey("Path") ? resolveText(ep.get("Path"), where + ".Path") : null;
            String method = ep.containsKey("Method") ? resolveText(ep.get("Method"), where + ".Method") : null;
            // SAM: an HttpApi event with neither Path nor Method is the API's $default route.
            if (path != null && method == null) {
                method = "ANY";
            }
            if (method != null) {
                method = method.toUpperCase(Locale.ROOT);
                if ("X-AMAZON-APIGATEWAY-ANY-METHOD".equals(method)) {
                    method = "ANY";
                }
            }
            String apiId = ep.containsKey("ApiId") ? resourceTarget(ep.get("ApiId"), where + ".ApiId") : null;
            Object auth = map(ep.get("Auth")).get("Authorizer");
            String authorizer = auth == null ? null : resolveText(auth, where + ".Auth.Authorizer");
            events.add(new HttpEvent(ev.getKey(), method, path, apiId, authorizer));
        }
        return new Function(id, handler, timeout, memory, Collections.unmodifiableMap(env), List.copyOf(events));
    }

    private HttpApi readHttpApi(String id, Map<String, Object> props) {
        Map<String, Object> auth = map(props.get("Auth"));
        Map<String, Authorizer> authorizers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(auth.get("Authorizers")).entrySet()) {
            String where = id + ".Auth.Authorizers." + e.getKey();
            Map<String, Object> a = map(e.getValue());
            if (!a.containsKey("FunctionArn")) {
                warnings.add(where + ": not a Lambda authorizer (JWT?); not emulated, routes using it are open");
                continue;
            }
            String fn = authorizerFunction(a.get("FunctionArn"), where + ".FunctionArn");
            Map<String, Object> identity = map(a.get("Identity"));
            Integer ttl = identity.containsKey("ReauthorizeEvery")
                    ? resolveInt(identity.get("ReauthorizeEvery"), 300, where + ".Identity.ReauthorizeEvery") : null;
            boolean simple = Boolean.parseBoolean(resolveText(a.getOrDefault("EnableSimpleResponses", false), where));
            String version = a.containsKey("AuthorizerPayloadFormatVersion")
                    ? resolveText(a.get("AuthorizerPayloadFormatVersion"), where) : "2.0";
            if (!simple || !version.startsWith("2")) {
                warnings.add(where + ": only payload 2.0 with simple responses is emulated");
            }
            authorizers.put(e.getKey(), new Authorizer(e.getKey(), fn,
                    textList(identity.get("Headers"), where), textList(identity.get("QueryStrings"), where),
                    textList(identity.get("Context"), where), ttl, simple, version));
        }
        String def = auth.containsKey("DefaultAuthorizer") ? resolveText(auth.get("DefaultAuthorizer"), id) : null;
        return new HttpApi(id, def, Collections.unmodifiableMap(authorizers));
    }

    private void buildRoutes(Map<String, Object> globalHttpApi) {
        for (Function f : functions.values()) {
            for (HttpEvent ev : f.events()) {
                String apiId = ev.apiId() == null ? IMPLICIT_HTTP_API : ev.apiId();
                HttpApi api = httpApis.get(apiId);
                if (api == null && IMPLICIT_HTTP_API.equals(apiId)) {
                    // SAM creates the implicit API from Globals.HttpApi.
                    api = readHttpApi(apiId, globalHttpApi);
                    httpApis.put(apiId, api);
                } else if (api == null) {
                    warnings.add(f.logicalId() + ".Events." + ev.name() + ": ApiId " + apiId
                            + " is not an AWS::Serverless::HttpApi; route served without authorizer");
                }
                String authName = ev.authorizer() != null ? ev.authorizer() : api == null ? null : api.defaultAuthorizer();
                Authorizer authorizer = null;
                if (authName != null && !"NONE".equals(authName) && api != null) {
                    authorizer = api.authorizers().get(authName);
                    if (authorizer == null) {
                        warnings.add(f.logicalId() + ".Events." + ev.name() + ": authorizer " + authName
                                + " is not defined on " + apiId);
                        // Keep a stub so requests fail closed (500) instead of running unauthenticated.
                        authorizer = new Authorizer(authName, null, List.of(), List.of(), List.of(), null, true, "2.0");
                    }
                }
                routes.add(new Route(ev.method(), ev.path(), ev.routeKey(), f.logicalId(), apiId, authorizer));
            }
        }
    }

    // ---------------------------------------------------------------- Globals

    /** SAM's Globals rules: maps merge key-wise (function wins), lists add up, scalars: function wins. */
    static Map<String, Object> mergeGlobals(Map<String, Object> global, Map<String, Object> local) {
        Map<String, Object> out = new LinkedHashMap<>(global);
        for (Map.Entry<String, Object> e : local.entrySet()) {
            Object g = out.get(e.getKey());
            Object l = e.getValue();
            if (g instanceof Map<?, ?> gm && l instanceof Map<?, ?> lm && !isIntrinsic(gm) && !isIntrinsic(lm)) {
                out.put(e.getKey(), mergeGlobals(map(gm), map(lm)));
            } else if (g instanceof List<?> gl && l instanceof List<?> ll) {
                List<Object> merged = new ArrayList<>(gl);
                merged.addAll(ll);
                out.put(e.getKey(), merged);
            } else {
                out.put(e.getKey(), l);
            }
        }
        return out;
    }

    private static boolean isIntrinsic(Map<?, ?> m) {
        if (m.size() != 1) {
            return false;
        }
        String key = String.valueOf(m.keySet().iterator().next());
        return key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::");
    }

    // ---------------------------------------------------------------- intrinsics

    /** Sentinel for {@code Ref: AWS::NoValue}: the property is removed. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    static final class Unresolvable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unresolvable(String what) {
            super(what, null, false, false);
        }
    }

    private static final Map<String, String> PSEUDO = Map.of(
            "AWS::Region", REGION,
            "AWS::AccountId", ACCOUNT_ID,
            "AWS::StackName", "local",
            "AWS::StackId", "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT_ID + ":stack/local/local",
            "AWS::Partition", "aws",
            "AWS::URLSuffix", "amazonaws.com");

    Object eval(Object node) {
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                Object v = eval(o);
                if (v != NO_VALUE) {
                    out.add(v);
                }
            }
            return out;
        }
        if (node instanceof Map<?, ?> m) {
            if (isIntrinsic(m)) {
                Map.Entry<?, ?> e = m.entrySet().iterator().next();
                return intrinsic(String.valueOf(e.getKey()), e.getValue());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object v = eval(e.getValue());
                if (v != NO_VALUE) {
                    out.put(String.valueOf(e.getKey()), v);
                }
            }
            return out;
        }
        return node;
    }

    private Object intrinsic(String fn, Object arg) {
        switch (fn) {
            case "Ref":
                return ref(String.valueOf(arg));
            case "Condition":
                return evalCondition(String.valueOf(arg));
            case "Fn::If": {
                List<?> a = args(fn, arg, 3);
                return evalCondition(String.valueOf(a.get(0))) ? eval(a.get(1)) : eval(a.get(2));
            }
            case "Fn::Equals": {
                List<?> a = args(fn, arg, 2);
                return Objects.equals(scalarText(eval(a.get(0))), scalarText(eval(a.get(1))));
            }
            case "Fn::Not":
                return !bool(eval(args(fn, arg, 1).get(0)));
            case "Fn::And": {
                boolean all = true;
                for (Object o : list(arg)) {
                    all &= bool(eval(o));
                }
                return all;
            }
            case "Fn::Or": {
                boolean any = false;
                for (Object o : list(arg)) {
                    any |= bool(eval(o));
                }
                return any;
            }
            case "Fn::Sub":
                return sub(arg);
            case "Fn::Join": {
                List<?> a = args(fn, arg, 2);
                List<String> parts = new ArrayList<>();
                for (Object o : list(eval(a.get(1)))) {
                    parts.add(scalarText(o));
                }
                return String.join(scalarText(eval(a.get(0))), parts);
            }
            case "Fn::Select": {
                List<?> a = args(fn, arg, 2);
                int index = Integer.parseInt(scalarText(eval(a.get(0))));
                List<?> from = list(eval(a.get(1)));
                if (index < 0 || index >= from.size()) {
                    throw new Unresolvable("Fn::Select index " + index + " out of range");
                }
                return from.get(index);
            }
            case "Fn::Split": {
                List<?> a = args(fn, arg, 2);
                String delim = scalarText(eval(a.get(0)));
                return new ArrayList<>(List.of(scalarText(eval(a.get(1))).split(Pattern.quote(delim), -1)));
            }
            case "Fn::FindInMap": {
                List<?> a = args(fn, arg, 3);
                Map<String, Object> mappings = map(root.get("Mappings"));
                Object v = map(map(mappings.get(scalarText(eval(a.get(0))))).get(scalarText(eval(a.get(1)))))
                        .get(scalarText(eval(a.get(2))));
                if (v == null) {
                    throw new Unresolvable("Fn::FindInMap " + a);
                }
                return eval(v);
            }
            case "Fn::GetAZs":
                return new ArrayList<>(List.of(REGION + "a", REGION + "b", REGION + "c"));
            case "Fn::Base64":
                return Base64.getEncoder().encodeToString(scalarText(eval(arg)).getBytes(StandardCharsets.UTF_8));
            case "Fn::GetAtt": {
                List<?> a = list(arg);
                throw new Unresolvable("Fn::GetAtt " + String.join(".", a.stream().map(String::valueOf).toList()));
            }
            default:
                throw new Unresolvable(fn + " " + arg);
        }
    }

    private Object ref(String name) {
        if ("AWS::NoValue".equals(name)) {
            return NO_VALUE;
        }
        if (PSEUDO.containsKey(name)) {
            return PSEUDO.get(name);
        }
        if (parameters.containsKey(name)) {
            String v = parameterValues.get(name);
            if (v == null) {
                throw new Unresolvable("parameter " + name + " (no Default, no override)");
            }
            String type = Objects.requireNonNullElse(parameters.get(name).type(), "");
            if (type.equals("CommaDelimitedList") || type.startsWith("List<")) {
                // CloudFormation gives list parameters to !Join, !Select ... as lists.
                List<Object> items = new ArrayList<>();
                for (String item : v.split(",", -1)) {
                    items.add(item.trim());
                }
                return items;
            }
            return v;
        }
        String resource = resourceId(name);
        if (resource != null) {
            return resource;
        }
        throw new Unresolvable("Ref " + name);
    }

    /** {@code X} or SAM's generated {@code X.Alias} / {@code X.Version} -> X when X is a resource. */
    private String resourceId(String name) {
        if (resources.containsKey(name)) {
            return name;
        }
        int dot = name.indexOf('.');
        if (dot > 0 && resources.containsKey(name.substring(0, dot))) {
            return name.substring(0, dot);
        }
        return null;
    }

    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}]*)}");

    private Object sub(Object arg) {
        String text;
        Map<String, Object> vars = Map.of();
        if (arg instanceof List<?> l) {
            text = scalarText(l.get(0));
            vars = l.size() > 1 ? map(l.get(1)) : Map.of();
        } else {
            text = scalarText(arg);
        }
        Matcher m = SUB_VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).trim();
            String replacement;
            if (name.startsWith("!")) {
                replacement = "${" + name.substring(1) + "}"; // ${!Literal} escapes
            } else if (vars.containsKey(name)) {
                replacement = scalarText(eval(vars.get(name)));
            } else if (name.contains(".") && resources.containsKey(name.substring(0, name.indexOf('.')))) {
                throw new Unresolvable("${" + name + "}"); // an attribute: only known once deployed
            } else {
                replacement = scalarText(ref(name));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private boolean evalCondition(String name) {
        Boolean known = conditionValues.get(name);
        if (known != null) {
            return known;
        }
        if (!conditionDefs.containsKey(name)) {
            throw new Unresolvable("condition " + name + " (not defined)");
        }
        if (!conditionsInProgress.add(name)) {
            throw new Unresolvable("condition " + name + " (circular)");
        }
        try {
            boolean value = bool(eval(conditionDefs.get(name)));
            conditionValues.put(name, value);
            return value;
        } finally {
            conditionsInProgress.remove(name);
        }
    }

    private static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new Unresolvable("not a condition value: " + v);
    }

    /**
     * The function behind an authorizer's FunctionArn: {@code !Ref Fn.Alias}, {@code !GetAtt Fn.Arn},
     * {@code !Sub ${Fn.Alias}} (or any Sub naming a function), or a literal ARN ending in the name.
     */
    private String authorizerFunction(Object arn, String where) {
        String fn = null;
        if (arn instanceof Map<?, ?> m && isIntrinsic(m)) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            String key = String.valueOf(e.getKey());
            if (key.equals("Ref")) {
                fn = resourceId(String.valueOf(e.getValue()));
            } else if (key.equals("Fn::GetAtt")) {
                List<?> a = list(e.getValue());
                fn = a.isEmpty() ? null : resourceId(String.valueOf(a.get(0)));
            } else if (key.equals("Fn::Sub")) {
                Object s = e.getValue() instanceof List<?> l ? l.get(0) : e.getValue();
                Matcher mm = SUB_VAR.matcher(scalarText(s));
                while (fn == null && mm.find()) {
                    String id = resourceId(mm.group(1).trim());
                    if (id != null && isFunction(id)) {
                        fn = id;
                    }
                }
            } else {
                try {
                    fn = lastArnPart(scalarText(eval(arn)));
                } catch (Unresolvable u) {
                    fn = null;
                }
            }
        } else if (arn != null) {
            fn = lastArnPart(scalarText(arn));
        }
        if (fn == null || !isFunction(fn)) {
            warnings.add(where + ": cannot find the authorizer function in " + arn
                    + "; requests on its routes will fail with 500");
            return null;
        }
        return fn;
    }

    private String lastArnPart(String arn) {
        // arn:aws:lambda:region:acct:function:Name[:alias]
        String[] parts = arn.split(":");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("function") && isFunction(parts[i + 1])) {
                return parts[i + 1];
            }
        }
        return isFunction(arn) ? arn : null;
    }

    private boolean isFunction(String id) {
        return "AWS::Serverless::Function".equals(map(resources.get(id)).get("Type"));
    }

    /** A {@code !Ref Resource} (usually ApiId) -> the logical id. */
    private String resourceTarget(Object node, String where) {
        if (node instanceof Map<?, ?> m && m.containsKey("Ref")) {
            String id = resourceId(String.valueOf(m.get("Ref")));
            if (id != null) {
                return id;
            }
        }
        return resolveText(node, where);
    }

    private String resolveText(Object node, String where) {
        if (node == null) {
            return null;
        }
        try {
            return scalarText(eval(node));
        } catch (Unresolvable u) {
            warnings.add(where + ": " + u.getMessage() + " cannot be resolved locally (placeholder used)");
            return UNRESOLVED_PREFIX + u.getMessage();
        }
    }

    private int resolveInt(Object node, int fallback, String where) {
        if (node == null) {
            return fallback;
        }
        String text = resolveText(node, where);
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            warnings.add(where + ": " + text + " is not a number; using " + fallback);
            return fallback;
        }
    }

    private List<String> textList(Object node, String where) {
        if (node == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list(node instanceof List<?> ? node : eval(node))) {
            out.add(resolveText(o, where));
        }
        return List.copyOf(out);
    }

    private static List<?> args(String fn, Object arg, int n) {
        List<?> a = list(arg);
        if (a.size() < n) {
            throw new Unresolvable(fn + " needs " + n + " arguments: " + arg);
        }
        return a;
    }

    private static List<?> list(Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        if (o == null) {
            return List.of();
        }
        return List.of(o);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        return Map.of();
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    /** CloudFormation values are strings: 7200 -> "7200", true -> "true". */
    static String scalarText(Object o) {
        if (o == null) {
            return "";
        }
        if (o instanceof Map<?, ?> || o instanceof List<?>) {
            throw new Unresolvable("not a scalar: " + o);
        }
        if (o == NO_VALUE) {
            throw new Unresolvable("AWS::NoValue used as a value");
        }
        return String.valueOf(o);
    }
}
