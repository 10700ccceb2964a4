package wxlogin.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import wxlogin.bench.floor.HelloWorld;
import wxlogin.bench.floor.StreamHelloWorld;
import wxlogin.bench.lambda.LambdaJvm;
import wxlogin.bench.lambda.Layout;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.api.SamTemplate;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.login.LoginHandler;
import wxlogin.priming.Priming;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;

/**
 * What the functions talk to during a benchmark — the local Secrets Manager endpoint seeded with
 * the development secrets, the WeChat sandbox, and DynamoDB Local (in this JVM, in memory) with the
 * template's tables behind a counting proxy, all counting calls — and the subjects: the template's
 * functions with their environment pointed at those stand-ins, the floor and the stream floor.
 */
public final class Stand implements AutoCloseable {

    public static final String WECHAT_STABLE_TOKEN = WeChatSandbox.STABLE_TOKEN_PATH;
    public static final String WECHAT_CODE_EXCHANGE = WeChatSandbox.CODE2VERIFYINFO_PATH;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Transactions run through the proxy before any measurement, so DynamoDB Local's own warm-up is not a login's. */
    static final int DYNAMODB_WARM_UP = 100;

    private final SecretsManagerEndpoint secrets;
    private final WeChatSandbox wechat;
    private final DynamoDbLocal dynamo;
    private final DynamoDbCounter dynamoCounter;
    /** The default event bus of account deletion's user.deleted events. */
    private final EventBridgeEndpoint eventBus = EventBridgeEndpoint.start();
    private final List<String> tables;
    private final SamTemplate template;
    private final Path root;
    private final Path task;
    private final Path floorTask;
    private final String token;

    private Stand(Path root, Path task, Path floorTask, int dynamoDbWarmUp) {
        this.root = root;
        this.task = task;
        this.floorTask = floorTask;
        this.template = SamTemplate.load(root.resolve("template.yaml"));
        this.secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        this.wechat = DevelopmentSecrets.sandboxBuilder().start();
        DynamoDbLocal startedDynamo = null;
        DynamoDbCounter startedCounter = null;
        try {
            // The template's tables, created as the local API creates them (LocalMain): lasting sessions on.
            startedDynamo = DynamoDbLocal.start();
            this.tables = List.copyOf(startedDynamo.createTables(template));
            startedCounter = DynamoDbCounter.start(startedDynamo.endpoint());
            warmUp(startedDynamo, startedCounter, dynamoDbWarmUp);
        } catch (RuntimeException | Error e) {
            if (startedCounter != null) {
                startedCounter.close();
            }
            if (startedDynamo != null) {
                startedDynamo.close();
            }
            wechat.close();
            secrets.close();
            eventBus.close();
            throw e;
        }
        this.dynamo = startedDynamo;
        this.dynamoCounter = startedCounter;
        SigningKey key = new SigningKey(DevelopmentSecrets.SIGNING_KID,
                DevelopmentSecrets.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
        this.token = new SessionTokens("weixin-app-login", 7 * 24 * 3600, Clock.systemUTC())
                .mint(key, "sbx-weixinApp-bench", DevelopmentSecrets.APPID, "weixinApp", "o_app_bench", "u_bench").token();
    }

    /**
     * @param root      the repository root (template.yaml, events/)
     * @param task      the functions' task root
     * @param scratch   where the floors' task root is laid out
     */
    public static Stand start(Path root, Path task, Path scratch) {
        return start(root, task, scratch, DYNAMODB_WARM_UP);
    }

    /** As {@link #start(Path, Path, Path)}, warming DynamoDB Local up with this many transactions (the smoke test: few). */
    public static Stand start(Path root, Path task, Path scratch, int dynamoDbWarmUp) {
        return new Stand(root, task, Layout.floorTask(task, scratch.resolve("floor-task")), dynamoDbWarmUp);
    }

    public Path task() {
        return task;
    }

    public Path floorTask() {
        return floorTask;
    }

    /**
     * floor, stream-floor, login, gate, myCloudFunction, account (those named in {@code only}; the floor and
     * the stream floor always).
     */
    public List<Subject> subjects(List<String> only) {
        return java.util.stream.Stream.of(floor(), streamFloor(), login(), gate(), cloudFunction(), account())
                .filter(s -> s.isReference() || only.isEmpty() || only.contains(s.name()))
                .toList();
    }

    /** AWS's documented hello world ({@code RequestHandler<Map<String,String>,String>}): what ratios are taken to. */
    public Subject floor() {
        return floorSubject(Subject.FLOOR, "HelloWorldFunction", HelloWorld.class);
    }

    /**
     * The same hello world as a {@code RequestStreamHandler}: the runtime client maps neither event
     * nor answer, so the difference to the floor is its reflective serialization.
     */
    public Subject streamFloor() {
        return floorSubject(Subject.STREAM_FLOOR, "StreamHelloWorldFunction", StreamHelloWorld.class);
    }

    private Subject floorSubject(String name, String functionName, Class<?> handler) {
        // The floors get the functions' memory size and template globals, so only the handler differs.
        SamTemplate.Function gate = template.function("CallGateFunction");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", gate.environment().getOrDefault("JAVA_TOOL_OPTIONS", ""));
        env.putAll(loggingConfig());
        return new Subject(name, new LambdaJvm.Function(functionName,
                handler.getName() + "::handleRequest", gate.memorySize(), env),
                Duration.ofSeconds(gate.timeoutSeconds()), floorTask,
                () -> "{\"key1\":\"value1\",\"key2\":\"value2\"}", body -> body.equals("\"hello world\""));
    }

    /**
     * The login as deployed: with lasting sessions (the template's default) every answer must carry
     * a refresh token, so a failed session write (which still answers 200) fails the run.
     */
    public Subject login() {
        String loginEvent = read("events/login.json");
        boolean lastingSessions = template.function("CodeExchangeFunction").environment().containsKey("SESSIONS_TABLE");
        return subject("login", "CodeExchangeFunction", () -> {
            ObjectNode event = parse(loginEvent);
            event.put("body", "{\"code\":\"" + wechat.issueCode("weixinApp", "bench") + "\"}");
            return event.toString();
        }, body -> body.contains("\"statusCode\":200") && (!lastingSessions || hasRefreshToken(body)));
    }

    /** Whether an API Gateway proxy answer's JSON body carries a non-empty {@code refreshToken}. */
    public static boolean hasRefreshToken(String answer) {
        return refreshTokenOrNull(answer) != null;
    }

    /** The {@code refreshToken} of an API Gateway proxy answer's JSON body; fails when there is none. */
    public static String refreshToken(String answer) {
        String token = refreshTokenOrNull(answer);
        if (token == null) {
            throw new IllegalStateException("the answer carries no refresh token");
        }
        return token;
    }

    private static String refreshTokenOrNull(String answer) {
        try {
            String body = JSON.readTree(answer).path("body").asText("");
            JsonNode refreshToken = JSON.readTree(body).path("refreshToken");
            return refreshToken.isTextual() && !refreshToken.asText().isEmpty() ? refreshToken.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * SessionFunction's {@code POST /session/refresh} (events/session-refresh.json), each request
     * with a refresh token no request used before ({@code refreshTokens}: from real logins, see
     * {@link Runner#refreshTokens}); a rotated token is single-use. Success: 200 with a new refresh token.
     */
    public Subject refresh(java.util.function.Supplier<String> refreshTokens) {
        String refreshEvent = read("events/session-refresh.json");
        return subject("refresh", "SessionFunction", () -> {
            ObjectNode event = parse(refreshEvent);
            ObjectNode body = JSON.createObjectNode().put("refreshToken", refreshTokens.get());
            event.put("body", body.toString());
            ((ObjectNode) event.get("headers")).put("content-length", Integer.toString(body.toString().length()));
            return event.toString();
        }, answer -> answer.contains("\"statusCode\":200") && hasRefreshToken(answer));
    }

    public Subject gate() {
        ObjectNode event = parse(read("events/call-gate-allow.json"));
        ((ObjectNode) event.get("headers")).put("authorization", "Bearer " + token);
        ArrayNode identity = (ArrayNode) event.get("identitySource");
        identity.set(0, JSON.getNodeFactory().textNode("Bearer " + token));
        String text = event.toString();
        return subject("gate", "CallGateFunction", () -> text, body -> body.contains("\"isAuthorized\":true"));
    }

    /**
     * AccountFunction's {@code POST /account/delete} (events/account-delete.json), each request for
     * a person who has just logged in (a login in this JVM, with the production handler, before
     * the request is queued: the deletion needs a login from the last 10 minutes and deletes the
     * person). Success: 204.
     */
    public Subject account() {
        String deleteEvent = read("events/account-delete.json");
        Map<String, String> loginEnvironment = new LinkedHashMap<>(login().function().environment());
        loginEnvironment.put("AWS_REGION", secrets.region());
        // The login in this JVM signs its SDK calls with these (DynamoDB Local is one shared database).
        System.setProperty("aws.accessKeyId", System.getProperty("aws.accessKeyId", DynamoDbLocal.ACCESS_KEY));
        System.setProperty("aws.secretAccessKey", System.getProperty("aws.secretAccessKey", DynamoDbLocal.SECRET_KEY));
        LoginHandler logins = new LoginHandler(loginEnvironment);
        java.util.concurrent.atomic.AtomicInteger people = new java.util.concurrent.atomic.AtomicInteger();
        return subject("account", "AccountFunction", () -> {
            String code = wechat.issueCode("weixinApp", "benchgone" + people.incrementAndGet());
            APIGatewayV2HTTPResponse answer = logins.handleRequest(APIGatewayV2HTTPEvent.builder()
                    .withRouteKey("POST /login").withRawPath("/login").withBody("{\"code\":\"" + code + "\"}")
                    .withIsBase64Encoded(false).build(), Priming.context());
            JsonNode session = parse(answer.getBody());
            if (!session.path("token").isTextual()) {
                throw new IllegalStateException("the account benchmark's login failed: " + answer.getStatusCode());
            }
            ObjectNode event = parse(deleteEvent);
            ((ObjectNode) event.get("headers")).put("authorization", "Bearer " + session.get("token").asText());
            ((ObjectNode) event.at("/requestContext/authorizer/lambda")).put("userId", session.get("userId").asText());
            return event.toString();
        }, body -> body.contains("\"statusCode\":204"));
    }

    public Subject cloudFunction() {
        String event = parse(read("events/my-cloud-function.json")).toString();
        return subject("myCloudFunction", "MyCloudFunction", () -> event, body -> body.contains("\"statusCode\":200"));
    }

    /** GetSecretValue calls received so far. */
    public long secretsManagerCalls() {
        return secrets.calls("GetSecretValue");
    }

    /** Requests to DynamoDB so far, any operation (the warm-up at start included). */
    public long dynamoDbCalls() {
        return dynamoCounter.calls();
    }

    /** Requests to DynamoDB so far, by operation (e.g. TransactWriteItems). */
    public Map<String, Long> dynamoDbCallsByOperation() {
        return dynamoCounter.callsByOperation();
    }

    /** The tables created in DynamoDB Local (the template's, named as the local API names them). */
    public List<String> tables() {
        return tables;
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
        eventBus.close();
        dynamoCounter.close();
        dynamo.close();
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
        env.forEach((k, v) -> {
            if (v.startsWith(SamTemplate.UNRESOLVED_PREFIX)) {
                throw new IllegalStateException(logicalId + "." + k + " has no local value: " + v);
            }
        });
        // Lasting sessions as deployed: SESSIONS_TABLE is the template's !Ref SessionsTable, resolved
        // as the local API resolves it (the logical id), which names the table created in DynamoDB Local.
        String sessionsTable = env.get("SESSIONS_TABLE");
        if (sessionsTable != null && !tables.contains(sessionsTable)) {
            throw new IllegalStateException(logicalId + ".SESSIONS_TABLE is " + sessionsTable
                    + ", not one of the tables created in DynamoDB Local: " + tables);
        }
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoCounter.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", eventBus.endpoint().toString());
        env.putAll(loggingConfig());
        return new Subject(name, new LambdaJvm.Function(logicalId, f.handler(), f.memorySize(), env),
                Duration.ofSeconds(f.timeoutSeconds()), task, events, succeeded);
    }

    /**
     * Runs the login's kind of write (a transaction of two conditional puts) and the refresh's reads
     * and rotation through the proxy a few times, into a table of its own: DynamoDB Local and the proxy load and compile their code here
     * rather than during the first measured login.
     */
    private static void warmUp(DynamoDbLocal dynamo, DynamoDbCounter counter, int transactions) {
        String table = "BenchWarmUp";
        dynamo.createTable(table, Map.of(
                "AttributeDefinitions", List.of(Map.of("AttributeName", "pk", "AttributeType", "S")),
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"))));
        try (DynamoDbClient client = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY)))
                .region(Region.US_EAST_1)
                .endpointOverride(counter.endpoint())
                .build()) {
            for (int i = 0; i < transactions; i++) {
                String id = UUID.randomUUID().toString();
                String family = "bench-warm-up-family#" + id;
                String token = "bench-warm-up-token#" + id;
                client.transactWriteItems(r -> r.transactItems(warmUpPut(table, family), warmUpPut(table, token)));
                // The refresh's kind of calls: two consistent reads, then a transaction of
                // conditional updates and a conditional put.
                for (String key : List.of(token, family)) {
                    client.getItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS(key))).consistentRead(true));
                }
                client.transactWriteItems(r -> r.transactItems(
                        warmUpUpdate(table, family), warmUpPut(table, token + "#next"), warmUpUpdate(table, token)));
            }
        }
    }

    private static TransactWriteItem warmUpPut(String table, String key) {
        return TransactWriteItem.builder().put(p -> p.tableName(table)
                .item(Map.of("pk", AttributeValue.fromS(key), "ttl", AttributeValue.fromN("1")))
                .conditionExpression("attribute_not_exists(pk)")).build();
    }

    private static TransactWriteItem warmUpUpdate(String table, String key) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(Map.of("pk", AttributeValue.fromS(key)))
                .updateExpression("SET rotatedAt = if_not_exists(rotatedAt, :now)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN("1")))).build();
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
