package wxlogin.local.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves a SAM template's HttpApi routes on 127.0.0.1 the way API Gateway HTTP API (payload 2.0)
 * does, calling the real Lambda handlers in-process, unchanged: events, Lambda REQUEST authorizers
 * (simple responses), response mapping, API Gateway's own error answers, and Lambda-like instances.
 *
 * <pre>{@code
 * try (LocalApi api = LocalApi.builder().template(Path.of("template.yaml"))
 *         .environment("*", Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:4566"))
 *         .build().start()) {
 *     api.routes().forEach(System.out::println);
 *     ... api.url() + "/login" ...
 * }
 * }</pre>
 */
public final class LocalApi implements AutoCloseable {

    /** Builder key for variables that apply to every function (SAM env.json calls it "Parameters"). */
    public static final String ALL_FUNCTIONS = "*";
    /** API Gateway HTTP API's payload limit. */
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    static final String API_ID = "local";
    static final String STAGE = "$default";

    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final SamTemplate template;
    private final int requestedPort;
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private final RouteTable routeTable;
    private final List<String> warnings = new ArrayList<>();
    private final ObjectMapper mapper;
    private HttpServer server;
    private ExecutorService serverExecutor;

    private LocalApi(Builder b) {
        this.template = b.templatePath != null ? SamTemplate.load(b.templatePath, b.parameters)
                : SamTemplate.parse(b.templateYaml, b.parameters);
        this.requestedPort = b.port;
        this.mapper = new ObjectMapper()
                .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
        warnings.addAll(template.warnings().stream().filter(w -> !w.contains(".Environment.Variables.")).toList());
        for (String id : b.environment.keySet()) {
            if (!ALL_FUNCTIONS.equals(id) && !template.functions().containsKey(id)) {
                warnings.add("environment overrides for " + id + ": no such function in the template; ignored");
            }
        }
        ClassLoader loader = b.classLoader != null ? b.classLoader : LocalApi.class.getClassLoader();
        for (SamTemplate.Function f : template.functions().values()) {
            Map<String, String> env = environmentFor(f, b.environment);
            env.forEach((k, v) -> {
                if (v.startsWith(SamTemplate.UNRESOLVED_PREFIX)) {
                    warnings.add(f.logicalId() + ": " + k + " is unresolved locally (" + v + "); override it");
                }
            });
            functions.put(f.logicalId(), new LocalFunction(f, env, b.maxInstances, loader, mapper));
        }
        this.routeTable = new RouteTable(template.routes());
    }

    /**
     * Lambda's own variables (non-secret ones), then the template's, then overrides for all
     * functions, then the function's own overrides. Overrides may add variables the template does
     * not declare (unlike {@code sam local --env-vars}), so local-only ones such as endpoint URLs fit.
     */
    private static Map<String, String> environmentFor(SamTemplate.Function f, Map<String, Map<String, String>> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", SamTemplate.REGION);
        env.put("AWS_DEFAULT_REGION", SamTemplate.REGION);
        env.put("AWS_LAMBDA_FUNCTION_NAME", f.logicalId());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(f.memorySize()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.putAll(f.environment());
        env.putAll(overrides.getOrDefault(ALL_FUNCTIONS, Map.of()));
        env.putAll(overrides.getOrDefault(f.logicalId(), Map.of()));
        return env;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Binds 127.0.0.1 (the given port, or a free one for 0) and starts serving. */
    public synchronized LocalApi start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + requestedPort, e);
        }
        serverExecutor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(serverExecutor);
        server.createContext("/", this::handle);
        server.start();
        warnings.forEach(w -> System.err.println("[local-api] warning: " + w));
        return this;
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            serverExecutor.shutdownNow();
        }
        functions.values().forEach(LocalFunction::close);
    }

    // ---------------------------------------------------------------- introspection

    /** The routes served, as deployed (authorizer chosen); {@code toString()} is printable. */
    public List<SamTemplate.Route> routes() {
        return template.routes();
    }

    public SamTemplate template() {
        return template;
    }

    /** Template and override problems (unresolved values, unknown names). */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** The environment the function's handler receives. */
    public Map<String, String> environment(String functionLogicalId) {
        return function(functionLogicalId).environment();
    }

    /** Invocations that reached a handler instance (not counting throttled ones). */
    public long invocations(String functionLogicalId) {
        return function(functionLogicalId).invocations();
    }

    /** Handler instances created so far (cold starts). */
    public int instancesCreated(String functionLogicalId) {
        return function(functionLogicalId).instancesCreated();
    }

    private LocalFunction function(String id) {
        LocalFunction f = functions.get(id);
        if (f == null) {
            throw new IllegalArgumentException("no function " + id + " in the template");
        }
        return f;
    }

    // ---------------------------------------------------------------- request handling

    /** An HTTP answer, plus what the access log names. */
    private record Reply(int status, Headers headers, byte[] body, String served) {
        static Reply gateway(int status, String message, String served) {
            Headers h = new Headers();
            h.set("Content-Type", "application/json");
            return new Reply(status, h, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8), served);
        }
    }

    /** What API Gateway knows about a request before any function runs. */
    private record Incoming(String method, String rawPath, String rawQuery, Map<String, String> headers,
                            List<String> cookies, Map<String, String> query, String sourceIp,
                            String domainName, String requestId, Instant time, byte[] body) {
    }

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = exchange.getRequestURI().getRawPath();
        if (rawPath == null || rawPath.isEmpty()) {
            rawPath = "/";
        }
        Reply reply;
        try {
            reply = process(exchange, method, rawPath);
        } catch (Throwable t) {
            System.err.println("[local-api] " + method + " " + rawPath + ": local API failure");
            t.printStackTrace();
            reply = Reply.gateway(500, "Internal Server Error", "-");
        }
        int status = reply.status();
        try {
            send(exchange, method, reply);
        } catch (IOException e) {
            System.err.println("[local-api] " + method + " " + rawPath + ": client went away (" + e.getMessage() + ")");
        } finally {
            exchange.close();
        }
        // Method, path, status, time, function only: headers, query and bodies carry codes and tokens.
        System.out.printf("[local-api] %s %s %d %d ms %s%n", method, rawPath, status,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), reply.served());
    }

    private Reply process(HttpExchange exchange, String method, String rawPath) throws IOException {
        RouteTable.Match match = routeTable.match(method, rawPath);
        if (match == null) {
            drain(exchange.getRequestBody());
            return Reply.gateway(404, "Not Found", "-");
        }
        SamTemplate.Route route = match.route();
        String served = route.functionId();

        byte[] body = readBody(exchange);
        if (body == null) {
            return Reply.gateway(413, "Request Entity Too Large", served);
        }
        Incoming in = incoming(exchange, method, rawPath, body);

        Map<String, Object> authorizerContext = null;
        SamTemplate.Authorizer authorizer = route.authorizer();
        if (authorizer != null) {
            served = authorizer.functionId() + " > " + served;
            AuthOutcome auth = authorize(authorizer, in, match);
            if (auth.reply != null) {
                return new Reply(auth.reply.status(), auth.reply.headers(), auth.reply.body(), served);
            }
            authorizerContext = auth.context;
        }

        LocalFunction fn = functions.get(route.functionId());
        JsonNode result;
        try {
            result = fn.invoke(httpEvent(in, match, authorizerContext));
        } catch (LocalFunction.InvocationException e) {
            return failure(e, served);
        }
        return mapResponse(result, served);
    }

    private Reply failure(LocalFunction.InvocationException e, String served) {
        switch (e.failure) {
            case BUSY, TIMEOUT -> {
                System.err.println("[local-api] " + e.getMessage());
                return Reply.gateway(503, "Service Unavailable", served);
            }
            default -> {
                System.err.println("[local-api] " + e.getMessage() + ":");
                if (e.getCause() != null) {
                    e.getCause().printStackTrace();
                }
                return Reply.gateway(500, "Internal Server Error", served);
            }
        }
    }

    // ---------------------------------------------------------------- authorizer

    private record AuthOutcome(Reply reply, Map<String, Object> context) {
    }

    /*
     * API Gateway caches an authorizer's answer for Identity.ReauthorizeEvery seconds under a key
     * made of the identity source values (here: the Authorization header, then $context.routeKey,
     * so an allow for one route is never reused for another). Like `sam local start-api`, nothing
     * is cached here: every request calls the authorizer, so a revoked token fails at once locally
     * while in AWS it may pass until the cached entry expires.
     */
    private AuthOutcome authorize(SamTemplate.Authorizer authorizer, Incoming in, RouteTable.Match match) {
        List<String> identity = new ArrayList<>();
        for (String header : authorizer.identityHeaders()) {
            String value = "cookie".equalsIgnoreCase(header)
                    ? (in.cookies().isEmpty() ? null : String.join("; ", in.cookies()))
                    : in.headers().get(header.toLowerCase(Locale.ROOT));
            if (value == null || value.isEmpty()) {
                // API Gateway answers 401 itself, without calling the authorizer.
                return new AuthOutcome(Reply.gateway(401, "Unauthorized", null), null);
            }
            identity.add(value);
        }
        for (String name : authorizer.identityQueryStrings()) {
            String value = in.query().get(name);
            if (value == null || value.isEmpty()) {
                return new AuthOutcome(Reply.gateway(401, "Unauthorized", null), null);
            }
            identity.add(value);
        }
        for (String variable : authorizer.identityContext()) {
            identity.add(contextVariable(variable, in, match.route()));
        }
        if (authorizer.functionId() == null) {
            System.err.println("[local-api] authorizer " + authorizer.name() + " has no function; see the template warnings");
            return new AuthOutcome(Reply.gateway(500, "Internal Server Error", null), null);
        }
        LocalFunction fn = functions.get(authorizer.functionId());
        JsonNode result;
        try {
            result = fn.invoke(authorizerEvent(in, match, identity));
        } catch (LocalFunction.InvocationException e) {
            // Any authorizer failure (throw, timeout, throttle) is a 500 from API Gateway.
            Reply r = failure(e, null);
            return new AuthOutcome(r.status() == 500 ? r : Reply.gateway(500, "Internal Server Error", null), null);
        }
        JsonNode allowed = result == null ? null : result.get("isAuthorized");
        if (allowed == null || !allowed.isBoolean()) {
            System.err.println("[local-api] authorizer " + authorizer.functionId()
                    + " returned no boolean isAuthorized (simple response expected)");
            return new AuthOutcome(Reply.gateway(500, "Internal Server Error", null), null);
        }
        if (!allowed.booleanValue()) {
            return new AuthOutcome(Reply.gateway(403, "Forbidden", null), null);
        }
        JsonNode context = result.get("context");
        Map<String, Object> ctx = context != null && context.isObject()
                ? mapper.convertValue(context, mapper.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class))
                : new LinkedHashMap<>();
        return new AuthOutcome(null, ctx);
    }

    private static String contextVariable(String variable, Incoming in, SamTemplate.Route route) {
        String name = variable.startsWith("$context.") ? variable.substring("$context.".length()) : variable;
        return switch (name) {
            case "routeKey" -> route.routeKey();
            case "stage" -> STAGE;
            case "requestId" -> in.requestId();
            case "apiId" -> API_ID;
            case "accountId" -> SamTemplate.ACCOUNT_ID;
            case "domainName" -> in.domainName();
            case "httpMethod" -> in.method();
            case "path" -> in.rawPath();
            case "identity.sourceIp" -> in.sourceIp();
            case "identity.userAgent" -> Objects.requireNonNullElse(in.headers().get("user-agent"), "");
            default -> "";
        };
    }

    // ---------------------------------------------------------------- events (payload 2.0)

    private Incoming incoming(HttpExchange exchange, String method, String rawPath, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                // Payload 2.0 moves cookies to their own list and drops the header.
                for (String value : e.getValue()) {
                    for (String c : value.split("; ")) {
                        if (!c.isBlank()) {
                            cookies.add(c.trim());
                        }
                    }
                }
                continue;
            }
            headers.merge(name, String.join(",", e.getValue()), (a, b) -> a + "," + b);
        }
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
                query.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        String domain = headers.getOrDefault("host", "127.0.0.1:" + exchange.getLocalAddress().getPort());
        InetSocketAddress remote = exchange.getRemoteAddress();
        String sourceIp = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
        return new Incoming(method, rawPath, rawQuery == null ? "" : rawQuery, headers, cookies, query, sourceIp,
                domain, UUID.randomUUID().toString(), Instant.now(), body);
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    private Map<String, Object> requestContext(Incoming in, SamTemplate.Route route) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", in.method());
        http.put("path", in.rawPath());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", in.sourceIp());
        http.put("userAgent", in.headers().getOrDefault("user-agent", ""));
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("accountId", SamTemplate.ACCOUNT_ID);
        ctx.put("apiId", API_ID);
        ctx.put("domainName", in.domainName());
        ctx.put("domainPrefix", domainPrefix(in.domainName()));
        ctx.put("http", http);
        ctx.put("requestId", in.requestId());
        ctx.put("routeKey", route.routeKey());
        ctx.put("stage", STAGE);
        ctx.put("time", REQUEST_TIME.format(in.time()));
        ctx.put("timeEpoch", in.time().toEpochMilli());
        return ctx;
    }

    /** API Gateway: the first label of the host name; an IP address is kept whole. */
    private static String domainPrefix(String domainName) {
        String host = domainName.startsWith("[") ? domainName : domainName.replaceFirst(":\\d+$", "");
        if (host.matches("[0-9.]+") || host.startsWith("[")) {
            return host;
        }
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    private void common(Map<String, Object> event, Incoming in, RouteTable.Match match) {
        event.put("routeKey", match.route().routeKey());
        event.put("rawPath", in.rawPath());
        event.put("rawQueryString", in.rawQuery());
        if (!in.cookies().isEmpty()) {
            event.put("cookies", in.cookies());
        }
        event.put("headers", in.headers());
        if (!in.query().isEmpty()) {
            event.put("queryStringParameters", in.query());
        }
        if (!match.pathParameters().isEmpty()) {
            event.put("pathParameters", match.pathParameters());
        }
    }

    private Map<String, Object> httpEvent(Incoming in, RouteTable.Match match, Map<String, Object> authorizerContext) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        common(event, in, match);
        Map<String, Object> ctx = requestContext(in, match.route());
        if (authorizerContext != null) {
            ctx.put("authorizer", Map.of("lambda", authorizerContext));
        }
        event.put("requestContext", ctx);
        boolean binary = in.body().length > 0 && !isText(in.headers().get("content-type"));
        if (in.body().length > 0) {
            event.put("body", binary ? Base64.getEncoder().encodeToString(in.body())
                    : new String(in.body(), StandardCharsets.UTF_8));
        }
        event.put("isBase64Encoded", binary);
        return event;
    }

    private Map<String, Object> authorizerEvent(Incoming in, RouteTable.Match match, List<String> identitySource) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("type", "REQUEST");
        // The ARN of the method being called: the actual request path, not the route template.
        event.put("routeArn", "arn:aws:execute-api:" + SamTemplate.REGION + ":" + SamTemplate.ACCOUNT_ID + ":"
                + API_ID + "/" + STAGE + "/" + in.method() + in.rawPath());
        event.put("identitySource", identitySource);
        common(event, in, match);
        event.put("requestContext", requestContext(in, match.route()));
        return event;
    }

    /** The content types HTTP API passes as text; everything else arrives base64-encoded. */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/")
                || type.equals("application/json")
                || (type.startsWith("application/") && type.endsWith("+json"))
                || type.equals("application/xml")
                || type.equals("application/x-www-form-urlencoded");
    }

    /** Reads the body, or returns null when it exceeds the 10 MB limit. */
    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
                    // Read it all before answering 413: a client still sending would otherwise get
                    // a reset before it reads the answer.
                    drain(exchange.getRequestBody());
                    return null;
                }
            } catch (NumberFormatException ignored) {
                // let the server's own framing decide
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > MAX_BODY_BYTES) {
                    in.transferTo(OutputStreamSink.INSTANCE);
                    return null;
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    private static void drain(InputStream in) throws IOException {
        try (in) {
            in.transferTo(OutputStreamSink.INSTANCE);
        }
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    // ---------------------------------------------------------------- responses (payload 2.0)

    /**
     * HTTP API's payload 2.0 response rules: an object with {@code statusCode} is a structured
     * response; any other value is a 200 whose JSON body is that value (a JSON string: its text).
     */
    private Reply mapResponse(JsonNode result, String served) {
        Headers headers = new Headers();
        byte[] body;
        int status;
        if (result != null && result.isObject() && result.has("statusCode")) {
            status = result.get("statusCode").asInt();
            if (status < 100 || status > 599) {
                System.err.println("[local-api] " + served + ": invalid statusCode " + result.get("statusCode"));
                return Reply.gateway(500, "Internal Server Error", served);
            }
            JsonNode h = result.get("headers");
            if (h != null && h.isObject()) {
                h.properties().forEach(e -> headers.add(e.getKey(), e.getValue().asText()));
            }
            JsonNode mv = result.get("multiValueHeaders");
            if (mv != null && mv.isObject()) {
                mv.properties().forEach(e -> e.getValue().forEach(v -> headers.add(e.getKey(), v.asText())));
            }
            JsonNode cookies = result.get("cookies");
            if (cookies != null && cookies.isArray()) {
                cookies.forEach(c -> headers.add("Set-Cookie", c.asText()));
            }
            JsonNode b = result.get("body");
            String text = b == null || b.isNull() ? "" : b.isTextual() ? b.asText() : b.toString();
            JsonNode encoded = result.get("isBase64Encoded");
            body = encoded != null && encoded.asBoolean()
                    ? Base64.getMimeDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
        } else {
            status = 200;
            String text = result == null ? "null" : result.isTextual() ? result.asText() : result.toString();
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        // The server frames the body itself; a handler's framing headers would contradict it.
        headers.remove("Content-Length");
        headers.remove("Transfer-Encoding");
        headers.remove("Connection");
        if (!headers.containsKey("Content-Type")) {
            headers.set("Content-Type", "application/json");
        }
        return new Reply(status, headers, body, served);
    }

    private static void send(HttpExchange exchange, String method, Reply reply) throws IOException {
        Headers out = exchange.getResponseHeaders();
        out.putAll(reply.headers());
        boolean noBody = reply.body().length == 0 || method.equals("HEAD")
                || reply.status() == 204 || reply.status() == 304;
        exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
        if (!noBody) {
            exchange.getResponseBody().write(reply.body());
        }
    }

    // ---------------------------------------------------------------- builder

    public static final class Builder {
        private Path templatePath;
        private String templateYaml;
        private int port;
        private final Map<String, Map<String, String>> environment = new LinkedHashMap<>();
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private int maxInstances = 4;
        private ClassLoader classLoader;

        private Builder() {
        }

        public Builder template(Path template) {
            this.templatePath = Objects.requireNonNull(template);
            this.templateYaml = null;
            return this;
        }

        /** The template as YAML text (tests). */
        public Builder templateYaml(String yaml) {
            this.templateYaml = Objects.requireNonNull(yaml);
            this.templatePath = null;
            return this;
        }

        /** 0 (the default): any free port; see {@link LocalApi#url()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Variables added to or overriding the template's, for one function (logical id) or for
         * all ({@code "*"}); a function's own entries win over {@code "*"}. Calls accumulate.
         */
        public Builder environment(String functionLogicalIdOrStar, Map<String, String> variables) {
            environment.computeIfAbsent(Objects.requireNonNull(functionLogicalIdOrStar), k -> new LinkedHashMap<>())
                    .putAll(variables);
            return this;
        }

        /**
         * Reads a SAM {@code env.json}: {@code {"Parameters": {...all functions...}, "<LogicalId>": {...}}}.
         */
        public Builder environmentFile(Path envJson) {
            try {
                JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(envJson));
                if (root == null || !root.isObject()) {
                    throw new IllegalArgumentException(envJson + ": not a JSON object");
                }
                root.properties().forEach(e -> {
                    Map<String, String> vars = new LinkedHashMap<>();
                    e.getValue().properties().forEach(v ->
                            vars.put(v.getKey(), v.getValue().isValueNode() ? v.getValue().asText() : v.getValue().toString()));
                    environment("Parameters".equals(e.getKey()) ? ALL_FUNCTIONS : e.getKey(), vars);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + envJson, e);
            }
            return this;
        }

        /** A template parameter value (like {@code --parameter-overrides}); wins over its Default. */
        public Builder parameter(String name, String value) {
            parameters.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** Handler instances per function (Lambda concurrency); default 4. */
        public Builder maxInstancesPerFunction(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInstancesPerFunction must be >= 1");
            }
            this.maxInstances = max;
            return this;
        }

        /** Where handler classes are loaded from; default: this class's loader. */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /** Reads the template; call {@link LocalApi#start()} to serve. */
        public LocalApi build() {
            if (templatePath == null && templateYaml == null) {
                throw new IllegalStateException("template(Path) is required");
            }
            return new LocalApi(this);
        }
    }
}
