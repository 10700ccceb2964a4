// Level: integration, static (no AWS, no Docker) - template.yaml against the contract, the handler classes and least privilege.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static wxlogin.it.template.Template.list;
import static wxlogin.it.template.Template.map;
import static wxlogin.it.template.Template.ref;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TemplateTest {

    static final String API = "HttpApi";
    static final String LOGIN = "CodeExchangeFunction";
    static final String GATE = "CallGateFunction";
    static final String MY_CLOUD_FUNCTION = "MyCloudFunction";
    static final String PHONE_FUNCTION = "GetPhoneNumberFunction";
    static final String SESSION = "SessionFunction";
    static final String ACCOUNT = "AccountFunction";
    static final String SESSIONS_TABLE = "SessionsTable";
    static final String USERS_TABLE = "UsersTable";
    static final String AUTHORIZER = "CallGate";

    /**
     * The contract's environment variables (deployed template: never AWS_ENDPOINT_URL_*), with the
     * README's additions for lasting sessions (REFRESH_*, MAX_SESSION_AGE_SECONDS).
     */
    static final Set<String> CONTRACT_VARIABLES = Set.of("WECHAT_APP_SECRET_ID", "SESSION_KEYS_SECRET_ID",
            "WECHAT_API_BASE_URL", "SESSION_TTL_SECONDS", "SESSION_ISSUER", "GATE_POLICY", "SESSIONS_TABLE",
            "REFRESH_TTL_SECONDS", "REFRESH_REUSE_INTERVAL_SECONDS", "MAX_SESSION_AGE_SECONDS", "GATED_FUNCTIONS",
            "USERS_TABLE", "MINIPROGRAM_SECRET_ID", "WECHAT_API_SECRET_ID", "METRICS_NAMESPACE");

    /** Which contract variables each function's code reads: exactly these must be declared. */
    static final Map<String, Set<String>> READS = Map.of(
            LOGIN, Set.of("WECHAT_APP_SECRET_ID", "SESSION_KEYS_SECRET_ID", "WECHAT_API_BASE_URL",
                    "SESSION_TTL_SECONDS", "SESSION_ISSUER", "SESSIONS_TABLE", "REFRESH_TTL_SECONDS", "USERS_TABLE",
                    "MINIPROGRAM_SECRET_ID"),
            GATE, Set.of("SESSION_KEYS_SECRET_ID", "SESSION_ISSUER", "GATE_POLICY", "GATED_FUNCTIONS"),
            SESSION, Set.of("SESSION_KEYS_SECRET_ID", "SESSION_TTL_SECONDS", "SESSION_ISSUER", "SESSIONS_TABLE",
                    "REFRESH_TTL_SECONDS", "REFRESH_REUSE_INTERVAL_SECONDS", "MAX_SESSION_AGE_SECONDS"),
            MY_CLOUD_FUNCTION, Set.of(),
            PHONE_FUNCTION, Set.of("WECHAT_API_SECRET_ID", "WECHAT_API_BASE_URL"),
            ACCOUNT, Set.of("WECHAT_APP_SECRET_ID", "SESSION_KEYS_SECRET_ID", "SESSION_ISSUER", "WECHAT_API_BASE_URL",
                    "SESSIONS_TABLE", "USERS_TABLE"));

    /** Read by every function's code (common/Metrics), declared once in Globals. */
    static final Set<String> EVERY_FUNCTION_READS = Set.of("METRICS_NAMESPACE");

    /** Read by the JVM, not by our code. */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    record HandlerSpec(String className, Class<?> event, Class<?> response) {
        String handlerString() {
            return className + "::handleRequest";
        }
    }

    static final Map<String, HandlerSpec> HANDLERS = Map.of(
            LOGIN, new HandlerSpec("wxlogin.login.LoginHandler", APIGatewayV2HTTPEvent.class,
                    APIGatewayV2HTTPResponse.class),
            GATE, new HandlerSpec("wxlogin.gate.CallGateHandler", APIGatewayV2CustomAuthorizerEvent.class,
                    SimpleIAMPolicyResponse.class),
            MY_CLOUD_FUNCTION, new HandlerSpec("wxlogin.cloudfunction.MyCloudFunction", APIGatewayV2HTTPEvent.class,
                    APIGatewayV2HTTPResponse.class),
            PHONE_FUNCTION, new HandlerSpec("wxlogin.cloudfunction.GetPhoneNumber", APIGatewayV2HTTPEvent.class,
                    APIGatewayV2HTTPResponse.class),
            SESSION, new HandlerSpec("wxlogin.session.handler.SessionHandler", APIGatewayV2HTTPEvent.class,
                    APIGatewayV2HTTPResponse.class),
            ACCOUNT, new HandlerSpec("wxlogin.account.AccountHandler", APIGatewayV2HTTPEvent.class,
                    APIGatewayV2HTTPResponse.class));

    private static Template template;

    @BeforeAll
    static void load() {
        template = Template.load();
    }

    // ------------------------------------------------------------------ resources

    @Test
    void declaresTheContractsResourcesWithTheirTypes() {
        assertThat(template.root().get("Transform")).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(template.type(API)).isEqualTo("AWS::Serverless::HttpApi");
        assertThat(template.type(LOGIN)).isEqualTo(Template.FUNCTION);
        assertThat(template.type(GATE)).isEqualTo(Template.FUNCTION);
        assertThat(template.type(MY_CLOUD_FUNCTION)).isEqualTo(Template.FUNCTION);
        assertThat(template.type(SESSION)).isEqualTo(Template.FUNCTION);
        assertThat(template.type(ACCOUNT)).isEqualTo(Template.FUNCTION);
        assertThat(template.type(SESSIONS_TABLE)).isEqualTo("AWS::DynamoDB::Table");
        assertThat(template.type(USERS_TABLE)).isEqualTo("AWS::DynamoDB::Table");
        assertThat(template.type("MiniProgramSecret")).isEqualTo("AWS::SecretsManager::Secret");
        assertThat(template.type("WeChatAppSecret")).isEqualTo("AWS::SecretsManager::Secret");
        assertThat(template.type("SessionKeysSecret")).isEqualTo("AWS::SecretsManager::Secret");
        // Every function is one the tests know (handler, variables, secrets): extend the tables for new ones.
        assertThat(template.functionIds()).allSatisfy(id -> assertThat(HANDLERS).containsKey(id));
    }

    @Test
    void everyFunctionIsJava21OnArm64WithSnapStartOnItsPublishedAlias() {
        for (String id : template.functionIds()) {
            Map<String, Object> p = template.functionProperties(id);
            assertThat(p.get("Runtime")).as(id + " Runtime").isEqualTo("java21");
            assertThat(list(p.get("Architectures"))).as(id + " Architectures").containsExactly("arm64");
            assertThat(p.get("CodeUri")).as(id + " CodeUri").isEqualTo("functions");
            assertThat(p.get("AutoPublishAlias")).as(id + " AutoPublishAlias").isInstanceOf(String.class);
            assertThat((String) p.get("AutoPublishAlias")).as(id + " AutoPublishAlias").isNotBlank();
            assertThat(map(p.get("SnapStart")).get("ApplyOn")).as(id + " SnapStart").isEqualTo("PublishedVersions");
            assertThat(map(p.get("LoggingConfig"))).as(id + " LoggingConfig")
                    .containsEntry("LogFormat", "JSON")
                    .containsEntry("ApplicationLogLevel", ref("LogLevel"));
            assertThat(p.get("MemorySize")).as(id + " MemorySize").isInstanceOf(Integer.class);
            assertThat(p.get("Timeout")).as(id + " Timeout").isInstanceOf(Integer.class);
            assertThat(String.valueOf(template.environment(id).get("JAVA_TOOL_OPTIONS"))).as(id + " JAVA_TOOL_OPTIONS")
                    .contains("-XX:+TieredCompilation").contains("-XX:TieredStopAtLevel=1");
        }
    }

    @Test
    void timeoutsFitApiGatewaysLimits() {
        // HTTP API integrations give up after 30 s; leave room for a cold start in front of the call.
        assertThat((Integer) template.functionProperties(LOGIN).get("Timeout")).isBetween(5, 20);
        // API Gateway waits at most 10 s for a Lambda authorizer.
        assertThat((Integer) template.functionProperties(GATE).get("Timeout")).isBetween(3, 9);
        assertThat((Integer) template.functionProperties(MY_CLOUD_FUNCTION).get("Timeout")).isLessThan(30);
        assertThat((Integer) template.functionProperties(SESSION).get("Timeout")).isBetween(5, 20);
        assertThat((Integer) template.functionProperties(ACCOUNT).get("Timeout")).isBetween(5, 20);
    }

    // ------------------------------------------------------------------ the API and its authorizer

    @Test
    void theDefaultAuthorizerIsTheGatesAliasWithPayload2AndSimpleResponses() {
        Map<String, Object> auth = map(template.properties(API).get("Auth"));
        assertThat(auth.get("DefaultAuthorizer")).isEqualTo(AUTHORIZER);
        Map<String, Object> authorizer = map(map(auth.get("Authorizers")).get(AUTHORIZER));
        assertThat(authorizer).as("Authorizers." + AUTHORIZER).isNotEmpty();
        // The alias, not !GetAtt CallGateFunction.Arn ($LATEST, where SnapStart never applies).
        assertThat(authorizer.get("FunctionArn")).isEqualTo(ref(GATE + ".Alias"));
        // A string: an unquoted 2.0 would be a YAML float.
        assertThat(authorizer.get("AuthorizerPayloadFormatVersion")).isEqualTo("2.0");
        assertThat(authorizer.get("EnableSimpleResponses")).isEqualTo(true);
        Map<String, Object> identity = map(authorizer.get("Identity"));
        assertThat(list(identity.get("Headers"))).contains("Authorization");
        // The route is part of the cache key: a cached allow never crosses a per-function policy.
        // The path too: a parameterised route or $default has one route key for every function.
        assertThat(list(identity.get("Context"))).contains("routeKey", "path");
        assertThat(identity.get("ReauthorizeEvery")).isInstanceOf(Integer.class);
        assertThat((Integer) identity.get("ReauthorizeEvery")).isBetween(0, 3600);
    }

    @Test
    void apiGatewayMayInvokeTheGatesAlias() {
        Map<String, Object> authorizer = map(map(map(template.properties(API).get("Auth")).get("Authorizers")).get(AUTHORIZER));
        boolean samGrantsOnFunctionArn = Boolean.TRUE.equals(authorizer.get("EnableFunctionDefaultPermissions"));
        List<Map<String, Object>> permissions = new ArrayList<>();
        for (String id : template.idsOfType("AWS::Lambda::Permission")) {
            Map<String, Object> p = template.properties(id);
            if (ref(GATE + ".Alias").equals(p.get("FunctionName"))) {
                permissions.add(p);
            }
        }
        if (permissions.isEmpty()) {
            assertThat(samGrantsOnFunctionArn)
                    .as("an AWS::Lambda::Permission on %s.Alias, or EnableFunctionDefaultPermissions", GATE).isTrue();
            return;
        }
        assertThat(permissions).anySatisfy(p -> {
            assertThat(p.get("Action")).isEqualTo("lambda:InvokeFunction");
            assertThat(p.get("Principal")).isEqualTo("apigateway.amazonaws.com");
            String sourceArn = String.valueOf(map(p.get("SourceArn")).get("Fn::Sub"));
            assertThat(sourceArn).startsWith("arn:${AWS::Partition}:execute-api:").contains("${" + API + "}/authorizers/");
        });
    }

    @Test
    void loginIsOpenAndEveryFunctionsRouteIsGated() {
        List<Template.Route> routes = template.routes();
        assertThat(routes).isNotEmpty();
        Map<String, Object> auth = map(template.properties(API).get("Auth"));
        Set<String> authorizers = map(auth.get("Authorizers")).keySet();
        for (Template.Route route : routes) {
            // Every route on the explicit API (an implicit one would have no authorizer).
            assertThat(route.properties().get("ApiId")).as(route.routeKey()).isEqualTo(ref(API));
            assertThat(route.path()).as(route.functionId() + "." + route.eventName()).isNotNull();
        }
        assertThat(routes).filteredOn(r -> r.routeKey().equals("POST /login")).singleElement().satisfies(r -> {
            assertThat(r.functionId()).isEqualTo(LOGIN);
            assertThat(r.authorizer()).isEqualTo("NONE");
        });
        assertThat(routes).filteredOn(r -> r.routeKey().equals("POST /functions/myCloudFunction")).singleElement()
                .satisfies(r -> assertThat(r.functionId()).isEqualTo(MY_CLOUD_FUNCTION));
        // Account deletion is gated like the cloud functions (its credential is the access token).
        assertThat(routes).filteredOn(r -> r.routeKey().equals("POST /account/delete")).singleElement()
                .satisfies(r -> assertThat(r.functionId()).isEqualTo(ACCOUNT));
        List<Template.Route> gated = routes.stream()
                .filter(r -> r.path().startsWith("/functions/") || r.path().equals("/account/delete")).toList();
        assertThat(gated).isNotEmpty().allSatisfy(r -> {
            String effective = r.authorizer() == null ? (String) auth.get("DefaultAuthorizer") : r.authorizer();
            assertThat(effective).as(r.routeKey()).isEqualTo(AUTHORIZER).isIn(authorizers);
        });
        // The session routes: their credential is the refresh token in the body, not an access token.
        for (String routeKey : List.of("POST /session/refresh", "POST /logout")) {
            assertThat(routes).filteredOn(r -> r.routeKey().equals(routeKey)).singleElement().satisfies(r -> {
                assertThat(r.functionId()).isEqualTo(SESSION);
                assertThat(r.authorizer()).isEqualTo("NONE");
            });
        }
        // Only POST /login and the session routes opt out of the gate.
        assertThat(routes).filteredOn(r -> "NONE".equals(r.authorizer())).extracting(Template.Route::routeKey)
                .containsExactlyInAnyOrder("POST /login", "POST /session/refresh", "POST /logout");
    }

    @Test
    void routesAndTheAuthorizerReachAliasesNeverLatest() {
        // SAM wires the route events of a function with AutoPublishAlias to that alias.
        for (Template.Route route : template.routes()) {
            assertThat(template.functionProperties(route.functionId()).get("AutoPublishAlias"))
                    .as(route.functionId() + " (route " + route.routeKey() + ")").isNotNull();
        }
        // Nothing refers to a function's unqualified ARN.
        Set<String> functions = new HashSet<>(template.functionIds());
        walk(template.root(), node -> {
            if (node instanceof Map<?, ?> m && m.containsKey("Fn::GetAtt")) {
                List<Object> args = list(m.get("Fn::GetAtt"));
                assertThat(functions.contains(String.valueOf(args.get(0))) && "Arn".equals(args.get(1)))
                        .as("!GetAtt %s.Arn is $LATEST", args.get(0)).isFalse();
            }
        });
    }

    @Test
    void throttlingIsSetWithATighterLimitOnLogin() {
        Map<String, Object> api = template.properties(API);
        assertThat(map(api.get("DefaultRouteSettings"))).containsKeys("ThrottlingBurstLimit", "ThrottlingRateLimit");
        Map<String, Object> routeSettings = map(api.get("RouteSettings"));
        assertThat(map(routeSettings.get("POST /login"))).containsKeys("ThrottlingBurstLimit", "ThrottlingRateLimit");
        Set<String> routeKeys = template.routes().stream().map(Template.Route::routeKey).collect(Collectors.toSet());
        assertThat(routeKeys).containsAll(routeSettings.keySet());
        Map<String, Object> parameters = template.section("Parameters");
        int defaultBurst = defaultOf(parameters, map(api.get("DefaultRouteSettings")).get("ThrottlingBurstLimit"));
        int loginBurst = defaultOf(parameters, map(routeSettings.get("POST /login")).get("ThrottlingBurstLimit"));
        int defaultRate = defaultOf(parameters, map(api.get("DefaultRouteSettings")).get("ThrottlingRateLimit"));
        int loginRate = defaultOf(parameters, map(routeSettings.get("POST /login")).get("ThrottlingRateLimit"));
        assertThat(loginBurst).isLessThan(defaultBurst);
        assertThat(loginRate).isLessThan(defaultRate);
    }

    @Test
    void corsIsOff() {
        assertThat(template.properties(API)).doesNotContainKey("CorsConfiguration");
    }

    // ------------------------------------------------------------------ handlers

    @Test
    void everyHandlerClassExistsAndIsAStreamHandlerOverTheRightTypes() throws Exception {
        for (String id : template.functionIds()) {
            HandlerSpec spec = HANDLERS.get(id);
            assertThat(template.functionProperties(id).get("Handler")).as(id + " Handler").isEqualTo(spec.handlerString());
            Class<?> handler = Class.forName(spec.className(), false, getClass().getClassLoader());
            assertThat(Modifier.isPublic(handler.getModifiers())).as(spec.className() + " is public").isTrue();
            assertThat(Modifier.isAbstract(handler.getModifiers())).as(spec.className() + " is concrete").isFalse();
            Constructor<?> noArg = handler.getConstructor();
            assertThat(Modifier.isPublic(noArg.getModifiers())).as(spec.className() + "()").isTrue();
            // Lambda reads the event itself only for a stream handler; a typed one pays the runtime's reflective mapping.
            assertThat(RequestStreamHandler.class).as(spec.className() + " is a RequestStreamHandler").isAssignableFrom(handler);
            assertThat(requestHandlerTypes(handler, Map.of())).as(spec.className() + " is not also a RequestHandler").isNull();
            // With overloads, the runtime takes the handleRequest with the most parameters: it must be the stream one.
            Method chosen = Stream.of(handler.getMethods()).filter(m -> m.getName().equals("handleRequest"))
                    .max(java.util.Comparator.comparingInt(Method::getParameterCount)).orElseThrow();
            assertThat(chosen.getParameterTypes()).as(spec.className() + " handleRequest Lambda picks")
                    .containsExactly(InputStream.class, OutputStream.class, Context.class);
            assertThat(Stream.of(handler.getMethods()).filter(m -> m.getName().equals("handleRequest")
                    && m.getParameterCount() == 3)).as(spec.className() + ": one three-parameter handleRequest").hasSize(1);
            // The typed overload Java callers use, over the event and answer types of the route.
            Method typed = handler.getMethod("handleRequest", spec.event(), Context.class);
            assertThat(typed.getReturnType()).isEqualTo(spec.response());
        }
    }

    // ------------------------------------------------------------------ environment

    @Test
    void eachFunctionDeclaresExactlyTheContractVariablesItsCodeReads() {
        for (String id : template.functionIds()) {
            Set<String> declared = new HashSet<>(template.environment(id).keySet());
            declared.removeAll(JVM_VARIABLES);
            assertThat(CONTRACT_VARIABLES).as(id + ": only contract variables").containsAll(declared);
            Set<String> reads = new HashSet<>(READS.get(id));
            reads.addAll(EVERY_FUNCTION_READS);
            assertThat(declared).as(id + ": exactly the variables its code reads").isEqualTo(reads);
        }
    }

    @Test
    void theVariablesComeFromTheParametersAndSecrets() {
        Object wechatSecret = weChatAppSecretArnExpression();
        assertThat(template.environment(LOGIN))
                .containsEntry("WECHAT_APP_SECRET_ID", wechatSecret)
                .containsEntry("SESSION_KEYS_SECRET_ID", ref("SessionKeysSecret"))
                .containsEntry("WECHAT_API_BASE_URL", ref("WeChatApiBaseUrl"))
                .containsEntry("SESSION_TTL_SECONDS", ref("SessionTtlSeconds"))
                .containsEntry("SESSION_ISSUER", ref("SessionIssuer"))
                .containsEntry("SESSIONS_TABLE", Map.of("Fn::If", List.of(lastingSessionsCondition(),
                        ref(SESSIONS_TABLE), ref("AWS::NoValue"))))
                .containsEntry("REFRESH_TTL_SECONDS", ref("RefreshTtlSeconds"))
                .containsEntry("USERS_TABLE", ref(USERS_TABLE))
                .containsEntry("MINIPROGRAM_SECRET_ID", miniProgramSecretArnExpression());
        assertThat(template.environment(SESSION))
                .containsEntry("SESSION_KEYS_SECRET_ID", ref("SessionKeysSecret"))
                .containsEntry("SESSION_TTL_SECONDS", ref("SessionTtlSeconds"))
                .containsEntry("SESSION_ISSUER", ref("SessionIssuer"))
                .containsEntry("SESSIONS_TABLE", ref(SESSIONS_TABLE))
                .containsEntry("REFRESH_TTL_SECONDS", ref("RefreshTtlSeconds"))
                .containsEntry("REFRESH_REUSE_INTERVAL_SECONDS", ref("RefreshReuseIntervalSeconds"))
                .containsEntry("MAX_SESSION_AGE_SECONDS", ref("MaxSessionAgeSeconds"));
        assertThat(template.environment(GATE))
                .containsEntry("SESSION_KEYS_SECRET_ID", ref("SessionKeysSecret"))
                .containsEntry("SESSION_ISSUER", ref("SessionIssuer"))
                .containsEntry("GATE_POLICY", ref("GatePolicy"));
    }

    @Test
    void theReadsTableMatchesTheFunctionsSource() throws IOException {
        Path sources = ProjectFiles.root().resolve("functions/src/main/java");
        String code;
        try (Stream<Path> files = Files.walk(sources)) {
            code = files.filter(p -> p.toString().endsWith(".java")).map(ProjectFiles::read)
                    .collect(Collectors.joining("\n"));
        }
        Stream.concat(READS.values().stream().flatMap(Set::stream), EVERY_FUNCTION_READS.stream()).distinct()
                .forEach(name -> assertThat(code).as("functions/ reads " + name).contains("\"" + name + "\""));
    }

    @Test
    void noSdkEndpointOverrideIsDeployed() {
        assertThat(template.text()).doesNotContain("AWS_ENDPOINT_URL");
    }

    // ------------------------------------------------------------------ least privilege

    @Test
    void eachFunctionReadsOnlyTheSecretsItNeeds() {
        Object wechatSecret = weChatAppSecretArnExpression();
        Map<String, Set<Object>> expected = Map.of(
                LOGIN, Set.of(wechatSecret, ref("SessionKeysSecret"), miniProgramSecretArnExpression()),
                GATE, Set.of(ref("SessionKeysSecret")),
                SESSION, Set.of(ref("SessionKeysSecret")),
                MY_CLOUD_FUNCTION, Set.of(),
                // The openapi sample calls WeChat with the mini program's access token.
                PHONE_FUNCTION, Set.of(miniProgramSecretArnExpression()),
                // It verifies the token itself (auth_time) and unregisters with the app's access token.
                ACCOUNT, Set.of(wechatSecret, ref("SessionKeysSecret")));
        for (String id : template.functionIds()) {
            List<Grant> all = grants(id);
            assertThat(all).as(id + ": no wildcard actions").allSatisfy(g -> assertThat(g.action()).doesNotContain("*"));
            assertThat(all).as(id + ": no wildcard resources")
                    .allSatisfy(g -> assertThat(String.valueOf(g.resource())).doesNotContain("*"));
            assertThat(all).as(id + ": Secrets Manager and DynamoDB only (and EventBridge for account deletion)")
                    .allSatisfy(g -> assertThat(g.action()).matches(id.equals(ACCOUNT)
                            ? "(secretsmanager|dynamodb|events):[A-Za-z]+" : "(secretsmanager|dynamodb):[A-Za-z]+"));
            List<Grant> grants = all.stream().filter(g -> g.action().startsWith("secretsmanager:")).toList();
            assertThat(grants).as(id + ": GetSecretValue only").allSatisfy(
                    g -> assertThat(g.action()).isEqualTo("secretsmanager:GetSecretValue"));
            Set<Object> resources = grants.stream().map(Grant::resource).collect(Collectors.toSet());
            assertThat(resources).as(id + ": the secrets it may read").isEqualTo(expected.get(id));
        }
        assertThat(template.functionProperties(MY_CLOUD_FUNCTION)).doesNotContainKey("Policies");
    }

    @Test
    void policiesGrantTheSecretsTheVariablesName() {
        for (String id : template.functionIds()) {
            Set<Object> named = template.environment(id).entrySet().stream()
                    .filter(e -> e.getKey().endsWith("_SECRET_ID")).map(Map.Entry::getValue)
                    .collect(Collectors.toSet());
            Set<Object> granted = grants(id).stream().filter(g -> g.action().startsWith("secretsmanager:"))
                    .map(Grant::resource).collect(Collectors.toSet());
            assertThat(granted).as(id).isEqualTo(named);
        }
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void theWeChatSecretIsCreatedOnlyWithoutAnExistingOne() throws IOException {
        Map<String, Object> secret = template.resource("WeChatAppSecret");
        String condition = String.valueOf(secret.get("Condition"));
        Map<String, Object> definition = map(template.section("Conditions").get(condition));
        assertThat(list(definition.get("Fn::Equals"))).containsExactlyInAnyOrder(ref("ExistingWeChatAppSecretArn"), "");
        Map<String, Object> properties = map(secret.get("Properties"));
        JsonNode placeholder = new ObjectMapper().readTree(String.valueOf(properties.get("SecretString")));
        assertThat(placeholder.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("appid", "appsecret");
        assertThat(placeholder.get("appid").asText()).isEqualTo("REPLACE_ME");
        assertThat(placeholder.get("appsecret").asText()).isEqualTo("REPLACE_ME");
        assertThat(String.valueOf(properties.get("Description"))).contains("REPLACE").contains("appsecret");
    }

    @Test
    void theSessionKeyIsGeneratedInTheSingleKeyForm() throws IOException {
        Map<String, Object> generate = map(template.properties("SessionKeysSecret").get("GenerateSecretString"));
        assertThat(new ObjectMapper().readTree(String.valueOf(generate.get("SecretStringTemplate"))).isObject()).isTrue();
        assertThat(generate.get("GenerateStringKey")).isEqualTo("secret");
        // The HMAC key must be at least 32 bytes.
        assertThat((Integer) generate.get("PasswordLength")).isGreaterThanOrEqualTo(32);
        assertThat(generate.get("ExcludePunctuation")).isEqualTo(true);
    }

    // ------------------------------------------------------------------ lasting sessions

    @Test
    void onlyTheSessionFunctionAndLoginTouchTheSessionsTableEachWithTheActionsItUses() {
        Object table = Map.of("Fn::GetAtt", List.of(SESSIONS_TABLE, "Arn"));
        Map<String, Set<Grant>> expected = Map.of(
                // Login creates a family and its first token: one transaction of two puts.
                LOGIN, Set.of(new Grant("dynamodb:PutItem", table)),
                // Rotation and revocation: strongly consistent reads, conditional puts and updates;
                // signing out everywhere: a Query of the user -> families index, and of nothing else.
                SESSION, Set.of(new Grant("dynamodb:GetItem", table), new Grant("dynamodb:PutItem", table),
                        new Grant("dynamodb:UpdateItem", table),
                        new Grant("dynamodb:Query", Map.of("Fn::Sub", "${SessionsTable.Arn}/index/ByUser"))),
                // The gate stays stateless.
                GATE, Set.of(),
                MY_CLOUD_FUNCTION, Set.of(),
                PHONE_FUNCTION, Set.of(),
                // Account deletion revokes every family of the user: the index, then an update of each.
                ACCOUNT, Set.of(new Grant("dynamodb:UpdateItem", table),
                        new Grant("dynamodb:Query", Map.of("Fn::Sub", "${SessionsTable.Arn}/index/ByUser"))));
        for (String id : template.functionIds()) {
            // The users table's grants are checked below.
            Object users = Map.of("Fn::GetAtt", List.of(USERS_TABLE, "Arn"));
            Set<Grant> dynamo = grants(id).stream().filter(g -> g.action().startsWith("dynamodb:"))
                    .filter(g -> !g.resource().equals(users)).collect(Collectors.toSet());
            assertThat(dynamo).as(id + ": DynamoDB grants").isEqualTo(expected.get(id));
        }
    }

    @Test
    void onlyLoginAndAccountDeletionTouchTheUsersTableWithTheActionsTheyUse() {
        Object table = Map.of("Fn::GetAtt", List.of(USERS_TABLE, "Arn"));
        // One BatchGetItem per login; new links in one TransactWriteItems, authorised per contained
        // action (conditional puts, an update). No delete: login never removes or moves a link.
        Set<Grant> login = Set.of(new Grant("dynamodb:BatchGetItem", table), new Grant("dynamodb:PutItem", table),
                new Grant("dynamodb:UpdateItem", table));
        // A deletion reads the record and the user, writes the record with the marks (one transaction:
        // a put and updates), deletes the links one by one, and ends with an update and a delete.
        Set<Grant> account = Set.of(new Grant("dynamodb:GetItem", table), new Grant("dynamodb:PutItem", table),
                new Grant("dynamodb:UpdateItem", table), new Grant("dynamodb:DeleteItem", table));
        for (String id : template.functionIds()) {
            Set<Grant> dynamo = grants(id).stream().filter(g -> g.action().startsWith("dynamodb:"))
                    .filter(g -> g.resource().equals(table)).collect(Collectors.toSet());
            assertThat(dynamo).as(id + ": UsersTable grants")
                    .isEqualTo(id.equals(LOGIN) ? login : id.equals(ACCOUNT) ? account : Set.of());
        }
        Set<Object> tables = template.functionIds().stream().flatMap(id -> grants(id).stream())
                .filter(g -> g.action().startsWith("dynamodb:")).map(Grant::resource).collect(Collectors.toSet());
        assertThat(tables).as("tables any function may touch").contains(table)
                .contains(Map.of("Fn::GetAtt", List.of(SESSIONS_TABLE, "Arn"))).hasSize(3);
    }

    @Test
    void theUsersTableIsOnDemandWithPointInTimeRecoveryEncryptionAndKeptOnDeleteAndReplace() {
        Map<String, Object> resource = template.resource(USERS_TABLE);
        // The only place a person's id lives: never deleted with the stack or by a replacement.
        assertThat(resource).containsEntry("DeletionPolicy", "Retain").containsEntry("UpdateReplacePolicy", "Retain");
        Map<String, Object> table = template.properties(USERS_TABLE);
        assertThat(table.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        // The key the code uses (wxlogin.users.UserDirectory): a string partition key "pk", no sort key.
        assertThat(list(table.get("KeySchema"))).containsExactly(Map.of("AttributeName", "pk", "KeyType", "HASH"));
        assertThat(list(table.get("AttributeDefinitions")))
                .containsExactly(Map.of("AttributeName", "pk", "AttributeType", "S"));
        assertThat(map(table.get("PointInTimeRecoverySpecification"))).containsEntry("PointInTimeRecoveryEnabled", true);
        assertThat(map(table.get("SSESpecification"))).containsEntry("SSEEnabled", true);
        // Nothing in it expires; a fixed name would block a second stack in the account.
        assertThat(table).doesNotContainKeys("TableName", "TimeToLiveSpecification");
    }

    @Test
    void theMiniProgramSecretIsCreatedOnlyWithoutAnExistingOneWithTheAppSecretsPlaceholder() throws IOException {
        Map<String, Object> secret = template.resource("MiniProgramSecret");
        String condition = String.valueOf(secret.get("Condition"));
        assertThat(list(map(template.section("Conditions").get(condition)).get("Fn::Equals")))
                .containsExactlyInAnyOrder(ref("ExistingMiniProgramSecretArn"), "");
        Map<String, Object> properties = map(secret.get("Properties"));
        JsonNode placeholder = new ObjectMapper().readTree(String.valueOf(properties.get("SecretString")));
        // The placeholder the function recognises as "not configured" (WeChatCredentials.PLACEHOLDER).
        assertThat(placeholder.get("appid").asText()).isEqualTo(wxlogin.wechat.WeChatCredentials.PLACEHOLDER);
        assertThat(placeholder.get("appsecret").asText()).isEqualTo(wxlogin.wechat.WeChatCredentials.PLACEHOLDER);
        assertThat(map(template.section("Parameters").get("ExistingMiniProgramSecretArn")).get("AllowedPattern"))
                .isEqualTo(map(template.section("Parameters").get("ExistingWeChatAppSecretArn")).get("AllowedPattern"));
    }

    @Test
    void loginsTableAccessAndVariableFollowTheSwitch() {
        Map<String, Object> p = template.section("Parameters");
        assertThat(map(p.get("EnableLastingSessions"))).containsEntry("Type", "String").containsEntry("Default", "true");
        assertThat(list(map(p.get("EnableLastingSessions")).get("AllowedValues"))).containsExactlyInAnyOrder("true", "false");
        String condition = lastingSessionsCondition();
        assertThat(list(map(template.section("Conditions").get(condition)).get("Fn::Equals")))
                .containsExactlyInAnyOrder(ref("EnableLastingSessions"), "true");
        // The PutItem statement of login exists only with the switch on.
        List<Object> statements = new ArrayList<>();
        for (Map<String, Object> document : policyDocuments(LOGIN)) {
            statements.addAll(list(document.get("Statement")));
        }
        assertThat(statements).anySatisfy(s -> {
            List<Object> branches = list(map(s).get("Fn::If"));
            assertThat(branches).hasSize(3);
            assertThat(branches.get(0)).isEqualTo(condition);
            assertThat(map(branches.get(1)).get("Action")).isEqualTo("dynamodb:PutItem");
            assertThat(branches.get(2)).isEqualTo(ref("AWS::NoValue"));
        });
    }

    @Test
    void theSessionsTableIsOnDemandWithTtlPointInTimeRecoveryAndEncryption() {
        Map<String, Object> table = template.properties(SESSIONS_TABLE);
        assertThat(table.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        // The key the code uses (wxlogin.session.DynamoDbSessionStore): a string partition key "pk", no sort key.
        assertThat(list(table.get("KeySchema"))).containsExactly(Map.of("AttributeName", "pk", "KeyType", "HASH"));
        assertThat(list(table.get("AttributeDefinitions"))).containsExactly(
                Map.of("AttributeName", "pk", "AttributeType", "S"), Map.of("AttributeName", "familyUser", "AttributeType", "S"));
        // The sparse user -> families index the code queries (wxlogin.session.SessionItems.BY_USER_INDEX), keys only.
        assertThat(list(table.get("GlobalSecondaryIndexes"))).containsExactly(Map.of("IndexName", "ByUser",
                "KeySchema", List.of(Map.of("AttributeName", "familyUser", "KeyType", "HASH")),
                "Projection", Map.of("ProjectionType", "KEYS_ONLY")));
        assertThat(map(table.get("TimeToLiveSpecification"))).containsEntry("AttributeName", "ttl")
                .containsEntry("Enabled", true);
        assertThat(map(table.get("PointInTimeRecoverySpecification"))).containsEntry("PointInTimeRecoveryEnabled", true);
        assertThat(map(table.get("SSESpecification"))).containsEntry("SSEEnabled", true);
        assertThat(table).doesNotContainKey("TableName");
    }

    // ------------------------------------------------------------------ VPC, parameters, outputs

    @Test
    void onlyTheFunctionThatCallsWeChatMayJoinAVpc() {
        Map<String, Object> vpc = map(template.functionProperties(LOGIN).get("VpcConfig"));
        List<Object> branches = list(vpc.get("Fn::If"));
        assertThat(branches).hasSize(3);
        assertThat(template.section("Conditions")).containsKey(String.valueOf(branches.get(0)));
        assertThat(map(branches.get(1))).containsEntry("SubnetIds", ref("VpcSubnetIds"))
                .containsEntry("SecurityGroupIds", ref("VpcSecurityGroupIds"));
        assertThat(branches.get(2)).isEqualTo(ref("AWS::NoValue"));
        assertThat(template.functionProperties(GATE)).doesNotContainKey("VpcConfig");
        assertThat(template.functionProperties(MY_CLOUD_FUNCTION)).doesNotContainKey("VpcConfig");
        assertThat(template.functionProperties(ACCOUNT)).doesNotContainKey("VpcConfig");
    }

    @Test
    void accountDeletionMayPutEventsOnTheDefaultBusOnly() {
        List<Grant> events = grants(ACCOUNT).stream().filter(g -> g.action().startsWith("events:")).toList();
        assertThat(events).containsExactly(new Grant("events:PutEvents", Map.of("Fn::Sub",
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")));
        for (String id : template.functionIds()) {
            if (!id.equals(ACCOUNT)) {
                assertThat(grants(id)).as(id).noneSatisfy(g -> assertThat(g.action()).startsWith("events:"));
            }
        }
    }

    @Test
    void theLoginRoleIsLambdasOnlyAndGetsTheVpcPolicyOnlyInAVpc() {
        Object role = template.functionProperties(LOGIN).get("Role");
        String roleId = String.valueOf(list(map(role).get("Fn::GetAtt")).get(0));
        Map<String, Object> properties = template.properties(roleId);
        assertThat(template.type(roleId)).isEqualTo("AWS::IAM::Role");
        assertThat(list(map(properties.get("AssumeRolePolicyDocument")).get("Statement"))).singleElement().satisfies(s -> {
            assertThat(map(s)).containsEntry("Effect", "Allow").containsEntry("Action", "sts:AssumeRole");
            assertThat(map(map(s).get("Principal"))).isEqualTo(Map.of("Service", "lambda.amazonaws.com"));
        });
        String vpcCondition = String.valueOf(list(map(template.functionProperties(LOGIN).get("VpcConfig")).get("Fn::If")).get(0));
        assertThat(list(properties.get("ManagedPolicyArns"))).containsExactly(
                Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
                Map.of("Fn::If", List.of(vpcCondition,
                        Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"),
                        ref("AWS::NoValue"))),
                // What SAM gives its own roles when Tracing is Active (AlarmsTest checks it deployed).
                Map.of("Fn::If", List.of("TracingActive",
                        Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess"),
                        ref("AWS::NoValue"))));
        assertThat(properties).doesNotContainKeys("PermissionsBoundary", "Path");
    }

    @Test
    void theCustomDomainIsOptionalAndMappedToTheApi() {
        Map<String, Object> p = template.section("Parameters");
        for (String name : List.of("ApiDomainName", "ApiCertificateArn", "ApiHostedZoneId")) {
            assertThat(map(p.get(name))).as(name).containsEntry("Type", "String").containsEntry("Default", "");
        }
        assertThat(template.resource("ApiDomain")).containsEntry("Condition", "UseCustomDomain");
        assertThat(template.resource("ApiDomainMapping")).containsEntry("Condition", "UseCustomDomain");
        assertThat(template.properties("ApiDomainMapping")).containsEntry("ApiId", ref(API))
                .containsEntry("DomainName", ref("ApiDomain"));
        assertThat(list(template.properties("ApiDomain").get("DomainNameConfigurations"))).singleElement()
                .satisfies(c -> assertThat(map(c)).containsEntry("CertificateArn", ref("ApiCertificateArn"))
                        .containsEntry("EndpointType", "REGIONAL").containsEntry("SecurityPolicy", "TLS_1_2"));
        // The DNS record only with a hosted zone, and only with a domain.
        assertThat(template.resource("ApiDomainRecord").get("Condition")).isEqualTo("CreateDomainRecord");
        assertThat(list(map(template.section("Conditions").get("CreateDomainRecord")).get("Fn::And")))
                .contains(Map.of("Condition", "UseCustomDomain"));
        assertThat(map(template.section("Conditions").get("UseCustomDomain")))
                .isEqualTo(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("ApiDomainName"), "")))));
    }

    @Test
    void parametersHaveTheContractsDefaults() {
        Map<String, Object> p = template.section("Parameters");
        assertThat(map(p.get("SessionTtlSeconds"))).containsEntry("Type", "Number").containsEntry("Default", 7200)
                .containsEntry("MinValue", 60).containsEntry("MaxValue", 604800);
        assertThat(map(p.get("SessionIssuer"))).containsEntry("Default", "weixin-app-login");
        assertThat(map(p.get("GatePolicy"))).containsEntry("Default", "{}");
        assertThat(map(p.get("ExistingWeChatAppSecretArn"))).containsEntry("Default", "");
        assertThat(map(p.get("WeChatApiBaseUrl"))).containsEntry("Default", "https://api.weixin.qq.com");
        assertThat(map(p.get("LogLevel"))).containsEntry("Default", "INFO");
        assertThat(list(map(p.get("LogLevel")).get("AllowedValues"))).containsExactlyInAnyOrder("DEBUG", "INFO", "WARN", "ERROR");
        assertThat(map(p.get("VpcSubnetIds"))).containsEntry("Type", "CommaDelimitedList").containsEntry("Default", "");
        assertThat(map(p.get("VpcSecurityGroupIds"))).containsEntry("Type", "CommaDelimitedList").containsEntry("Default", "");
        assertThat(map(p.get("RefreshTtlSeconds"))).containsEntry("Type", "Number").containsEntry("Default", 2592000);
        assertThat(map(p.get("RefreshReuseIntervalSeconds"))).containsEntry("Type", "Number").containsEntry("Default", 10);
        assertThat(map(p.get("MaxSessionAgeSeconds"))).containsEntry("Type", "Number").containsEntry("Default", 7776000);
    }

    @Test
    void everyParameterIsUsed() {
        Set<String> used = new LinkedHashSet<>();
        walk(template.section("Resources"), node -> collectReferences(node, used));
        walk(template.section("Outputs"), node -> collectReferences(node, used));
        walk(template.section("Conditions"), node -> collectReferences(node, used));
        walk(template.section("Globals"), node -> collectReferences(node, used));
        assertThat(used).containsAll(template.section("Parameters").keySet());
    }

    @Test
    void outputsNameTheApiUrlAndTheSecrets() {
        Map<String, Object> outputs = template.section("Outputs");
        // The custom domain when one is set, else the execute-api domain; either way with the scheme and a trailing slash.
        assertThat(map(map(outputs.get("ApiUrl")).get("Value"))).containsEntry("Fn::If", List.of("UseCustomDomain",
                Map.of("Fn::Sub", "https://${ApiDomainName}/"),
                Map.of("Fn::Sub", "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/")));
        assertThat(map(outputs.get("WeChatAppSecretArn")).get("Value")).isEqualTo(weChatAppSecretArnExpression());
        assertThat(map(outputs.get("SessionKeysSecretArn")).get("Value")).isEqualTo(ref("SessionKeysSecret"));
        assertThat(map(outputs.get("SessionsTableName")).get("Value")).isEqualTo(ref(SESSIONS_TABLE));
        assertThat(map(outputs.get("UsersTableName")).get("Value")).isEqualTo(ref(USERS_TABLE));
        assertThat(map(outputs.get("MiniProgramSecretArn")).get("Value")).isEqualTo(miniProgramSecretArnExpression());
        assertThat(map(outputs.get("SessionFunctionAliasArn")).get("Value")).isEqualTo(ref(SESSION + ".Alias"));
    }

    // ------------------------------------------------------------------ helpers

    /** {@code !If [<created?>, !Ref WeChatAppSecret, !Ref ExistingWeChatAppSecretArn]}. */
    private static Object weChatAppSecretArnExpression() {
        String condition = String.valueOf(template.resource("WeChatAppSecret").get("Condition"));
        return Map.of("Fn::If", List.of(condition, ref("WeChatAppSecret"), ref("ExistingWeChatAppSecretArn")));
    }

    /** {@code !If [<created?>, !Ref MiniProgramSecret, !Ref ExistingMiniProgramSecretArn]}. */
    private static Object miniProgramSecretArnExpression() {
        String condition = String.valueOf(template.resource("MiniProgramSecret").get("Condition"));
        return Map.of("Fn::If", List.of(condition, ref("MiniProgramSecret"), ref("ExistingMiniProgramSecretArn")));
    }

    /** The condition of the lasting-sessions switch (what login's SESSIONS_TABLE depends on). */
    private static String lastingSessionsCondition() {
        Object value = template.properties(LOGIN).get("Environment");
        List<Object> branches = list(map(map(map(value).get("Variables")).get("SESSIONS_TABLE")).get("Fn::If"));
        assertThat(branches).as("CodeExchangeFunction SESSIONS_TABLE is !If [<condition>, ...]").hasSize(3);
        return String.valueOf(branches.get(0));
    }

    record Grant(String action, Object resource) {
    }

    /**
     * The function's policy documents: its own role's inline policies when it names one
     * ({@code Role: !GetAtt <role>.Arn}), else its SAM {@code Policies} (statements and policy templates).
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> policyDocuments(String functionId) {
        Object role = template.functionProperties(functionId).get("Role");
        if (role != null) {
            List<Object> getAtt = list(map(role).get("Fn::GetAtt"));
            assertThat(getAtt).as(functionId + " Role is !GetAtt <role>.Arn").hasSize(2).endsWith("Arn");
            assertThat(template.functionProperties(functionId)).as(functionId + ": Role or Policies").doesNotContainKey("Policies");
            return list(template.properties(String.valueOf(getAtt.get(0))).get("Policies")).stream()
                    .map(p -> map(map(p).get("PolicyDocument"))).toList();
        }
        return list(template.functionProperties(functionId).get("Policies")).stream().map(p -> {
            if (p instanceof String name) {
                fail("%s: managed policy %s grants more than its secrets", functionId, name);
            }
            return (Map<String, Object>) p;
        }).toList();
    }

    /** Every (action, resource) an Allow statement or SAM policy template of the function grants. */
    private static List<Grant> grants(String functionId) {
        List<Grant> grants = new ArrayList<>();
        for (Map<String, Object> p : policyDocuments(functionId)) {
            if (p.containsKey("Statement")) {
                for (Object s : list(p.get("Statement"))) {
                    // A statement behind !If [condition, statement, !Ref AWS::NoValue]: counted as granted.
                    List<Object> conditional = list(map(s).get("Fn::If"));
                    Map<String, Object> statement = conditional.size() == 3 ? map(conditional.get(1)) : map(s);
                    assertThat(statement).as(functionId + " statement").doesNotContainKeys("NotAction", "NotResource");
                    if (!"Allow".equals(statement.get("Effect"))) {
                        continue;
                    }
                    for (Object action : list(statement.get("Action"))) {
                        for (Object resource : list(statement.get("Resource"))) {
                            grants.add(new Grant(String.valueOf(action), resource));
                        }
                    }
                }
            } else if (p.size() == 1 && p.containsKey("AWSSecretsManagerGetSecretValuePolicy")) {
                Object arn = map(p.get("AWSSecretsManagerGetSecretValuePolicy")).get("SecretArn");
                grants.add(new Grant("secretsmanager:GetSecretValue", arn));
            } else {
                fail("%s: unexpected policy %s", functionId, p);
            }
        }
        return grants;
    }

    /** The Default of the parameter a value refers to, or the value itself. */
    private static int defaultOf(Map<String, Object> parameters, Object value) {
        Map<String, Object> m = map(value);
        if (m.containsKey("Ref")) {
            return ((Number) map(parameters.get(String.valueOf(m.get("Ref")))).get("Default")).intValue();
        }
        return ((Number) value).intValue();
    }

    private static void collectReferences(Object node, Set<String> into) {
        if (node instanceof Map<?, ?> m && m.get("Ref") instanceof String r) {
            into.add(r);
        }
        if (node instanceof Map<?, ?> m && m.containsKey("Fn::Sub")) {
            Object sub = m.get("Fn::Sub");
            String text = sub instanceof List<?> l ? String.valueOf(l.get(0)) : String.valueOf(sub);
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\$\\{([A-Za-z0-9:]+)[^}]*}").matcher(text);
            while (matcher.find()) {
                into.add(matcher.group(1));
            }
        }
    }

    private static void walk(Object node, Consumer<Object> visitor) {
        visitor.accept(node);
        if (node instanceof Map<?, ?> m) {
            m.values().forEach(v -> walk(v, visitor));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> walk(v, visitor));
        }
    }

    /**
     * The type arguments of {@code RequestHandler<I, O>} as {@code type} binds them, following
     * superclasses and super-interfaces (e.g. {@code MyCloudFunction extends CloudFunction implements
     * RequestHandler<...>}); null when it is not a RequestHandler.
     */
    static Type[] requestHandlerTypes(Type type, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw;
        Map<TypeVariable<?>, Type> scope = new HashMap<>(bindings);
        if (type instanceof ParameterizedType parameterized) {
            raw = (Class<?>) parameterized.getRawType();
            TypeVariable<?>[] variables = raw.getTypeParameters();
            Type[] arguments = parameterized.getActualTypeArguments();
            for (int i = 0; i < variables.length; i++) {
                Type argument = arguments[i];
                scope.put(variables[i], argument instanceof TypeVariable<?> v ? bindings.getOrDefault(v, v) : argument);
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
        } else {
            return null;
        }
        if (raw == RequestHandler.class) {
            return Stream.of(raw.getTypeParameters()).map(v -> scope.getOrDefault(v, v)).toArray(Type[]::new);
        }
        for (Type parent : raw.getGenericInterfaces()) {
            Type[] found = requestHandlerTypes(parent, scope);
            if (found != null) {
                return found;
            }
        }
        Type superclass = raw.getGenericSuperclass();
        return superclass == null ? null : requestHandlerTypes(superclass, scope);
    }
}
