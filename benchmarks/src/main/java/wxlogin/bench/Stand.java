package wxlogin.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wxlogin.bench.floor.HelloWorld;
import wxlogin.bench.lambda.LambdaJvm;
import wxlogin.bench.lambda.Layout;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.api.SamTemplate;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;

/**
 * What the functions talk to during a benchmark — the local Secrets Manager endpoint seeded with
 * the development secrets and the WeChat sandbox, both counting calls — and the subjects: the
 * template's functions with their environment pointed at those stand-ins, and the floor.
 */
public final class Stand implements AutoCloseable {

    public static final String WECHAT_STABLE_TOKEN = WeChatSandbox.STABLE_TOKEN_PATH;
    public static final String WECHAT_CODE_EXCHANGE = WeChatSandbox.CODE2VERIFYINFO_PATH;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretsManagerEndpoint secrets;
    private final WeChatSandbox wechat;
    private final SamTemplate template;
    private final Path root;
    private final Path task;
    private final Path floorTask;
    private final String token;

    private Stand(Path root, Path task, Path floorTask) {
        this.root = root;
        this.task = task;
        this.floorTask = floorTask;
        this.template = SamTemplate.load(root.resolve("template.yaml"));
        this.secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        this.wechat = DevelopmentSecrets.sandboxBuilder().start();
        SigningKey key = new SigningKey(DevelopmentSecrets.SIGNING_KID,
                DevelopmentSecrets.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
        this.token = new SessionTokens("weixin-app-login", 7 * 24 * 3600, Clock.systemUTC())
                .mint(key, "sbx-weixinApp-bench", DevelopmentSecrets.APPID, "weixinApp", "o_app_bench", "u_bench").token();
    }

    /**
     * @param root      the repository root (template.yaml, events/)
     * @param task      the functions' task root
     * @param scratch   where the floor's task root is laid out
     */
    public static Stand start(Path root, Path task, Path scratch) {
        return new Stand(root, task, Layout.floorTask(task, scratch.resolve("floor-task")));
    }

    public Path task() {
        return task;
    }

    public Path floorTask() {
        return floorTask;
    }

    /** floor, login, gate, myCloudFunction (those named in {@code only}, floor always). */
    public List<Subject> subjects(List<String> only) {
        return java.util.stream.Stream.of(floor(), login(), gate(), cloudFunction())
                .filter(s -> s.isFloor() || only.isEmpty() || only.contains(s.name()))
                .toList();
    }

    public Subject floor() {
        // The floor gets the functions' memory size and template globals, so only the handler differs.
        SamTemplate.Function gate = template.function("CallGateFunction");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", gate.environment().getOrDefault("JAVA_TOOL_OPTIONS", ""));
        env.putAll(loggingConfig());
        return new Subject("floor", new LambdaJvm.Function("HelloWorldFunction",
                HelloWorld.class.getName() + "::handleRequest", gate.memorySize(), env),
                Duration.ofSeconds(gate.timeoutSeconds()), floorTask,
                () -> "{\"key1\":\"value1\",\"key2\":\"value2\"}", body -> body.equals("\"hello world\""));
    }

    public Subject login() {
        String loginEvent = read("events/login.json");
        return subject("login", "CodeExchangeFunction", () -> {
            ObjectNode event = parse(loginEvent);
            event.put("body", "{\"code\":\"" + wechat.issueCode("weixinApp", "bench") + "\"}");
            return event.toString();
        }, body -> body.contains("\"statusCode\":200"));
    }

    public Subject gate() {
        ObjectNode event = parse(read("events/call-gate-allow.json"));
        ((ObjectNode) event.get("headers")).put("authorization", "Bearer " + token);
        ArrayNode identity = (ArrayNode) event.get("identitySource");
        identity.set(0, JSON.getNodeFactory().textNode("Bearer " + token));
        String text = event.toString();
        return subject("gate", "CallGateFunction", () -> text, body -> body.contains("\"isAuthorized\":true"));
    }

    public Subject cloudFunction() {
        String event = parse(read("events/my-cloud-function.json")).toString();
        return subject("myCloudFunction", "MyCloudFunction", () -> event, body -> body.contains("\"statusCode\":200"));
    }

    /** GetSecretValue calls received so far. */
    public long secretsManagerCalls() {
        return secrets.calls("GetSecretValue");
    }

    /** Calls to WeChat's API so far (stable_token, code2verifyinfo, and the legacy token endpoint). */
    public long wechatCalls() {
        return wechat.calls(WECHAT_STABLE_TOKEN) + wechat.calls(WECHAT_CODE_EXCHANGE)
                + wechat.calls(WeChatSandbox.LEGACY_TOKEN_PATH);
    }

    public SecretsManagerEndpoint secrets() {
        return secrets;
    }

    public WeChatSandbox wechat() {
        return wechat;
    }

    @Override
    public void close() {
        wechat.close();
        secrets.close();
    }

    private Subject subject(String name, String logicalId, java.util.function.Supplier<String> events,
                            java.util.function.Predicate<String> succeeded) {
        SamTemplate.Function f = template.function(logicalId);
        Map<String, String> env = new LinkedHashMap<>(f.environment());
        Map<String, String> local = new LinkedHashMap<>();
        local.put("WECHAT_APP_SECRET_ID", DevelopmentSecrets.WECHAT_APP_SECRET_ID);
        local.put("SESSION_KEYS_SECRET_ID", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
        local.put("WECHAT_API_BASE_URL", wechat.baseUrl());
        // Like sam local invoke --env-vars: only variables the template declares are overridden.
        local.forEach((k, v) -> env.computeIfPresent(k, (key, old) -> v));
        // Lasting sessions need a DynamoDB table; the benchmark has no stand-in for it yet, so the
        // login runs as deployed with LastingSessions off (no refresh tokens, no DynamoDB client).
        env.computeIfPresent("SESSIONS_TABLE", (k, v) -> v.startsWith(SamTemplate.UNRESOLVED_PREFIX) ? null : v);
        env.forEach((k, v) -> {
            if (v.startsWith(SamTemplate.UNRESOLVED_PREFIX)) {
                throw new IllegalStateException(logicalId + "." + k + " has no local value: " + v);
            }
        });
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        env.putAll(loggingConfig());
        return new Subject(name, new LambdaJvm.Function(logicalId, f.handler(), f.memorySize(), env),
                Duration.ofSeconds(f.timeoutSeconds()), task, events, succeeded);
    }

    /** The template's LoggingConfig (JSON, INFO) as Lambda passes it to the runtime. */
    private static Map<String, String> loggingConfig() {
        return Map.of("AWS_LAMBDA_LOG_FORMAT", "JSON", "AWS_LAMBDA_LOG_LEVEL", "INFO");
    }

    private String read(String relative) {
        try {
            return Files.readString(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
