// Level: integration, static (no AWS, no Docker) - events/*.json are API Gateway-shaped, match the template and carry valid (or deliberately invalid) tokens.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.wechat.Scenario;

class EventsTest {

    static final String SIGNING_KID = "local-dev";
    static final String SIGNING_SECRET = "local-development-signing-key-not-for-deployment-0001";
    static final String ISSUER = "weixin-app-login";
    static final String APPID = "wxlocal0000000001";
    static final long FAR_FUTURE_EXP = 4102444800L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Template template;
    private static Set<String> templateRouteKeys;

    @BeforeAll
    static void load() {
        template = Template.load();
        templateRouteKeys = template.routes().stream().map(Template.Route::routeKey).collect(Collectors.toSet());
    }

    @Test
    void theContractsEventFilesExistAndAllParseAsJsonObjects() throws Exception {
        Set<String> names = ProjectFiles.eventFiles().stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toSet());
        assertThat(names).contains("login.json", "call-gate-allow.json", "call-gate-deny.json",
                "my-cloud-function.json", "env.json");
        for (Path file : ProjectFiles.eventFiles()) {
            assertThat(JSON.readTree(file.toFile()).isObject()).as(file.getFileName().toString()).isTrue();
        }
    }

    @Test
    void theLocalDevelopmentSecretsAreTheOnesTheEventsUse() {
        assertThat(DevelopmentSecrets.SIGNING_KID).isEqualTo(SIGNING_KID);
        assertThat(DevelopmentSecrets.SIGNING_SECRET).isEqualTo(SIGNING_SECRET);
        assertThat(DevelopmentSecrets.APPID).isEqualTo(APPID);
    }

    // ------------------------------------------------------------------ HTTP API events (payload 2.0)

    @ParameterizedTest
    @ValueSource(strings = {"login.json", "login-miniprogram.json", "login-bad-request.json", "my-cloud-function.json",
            "get-phone-number.json", "account-delete.json",
            "session-refresh.json", "logout.json", "logout-everywhere.json"})
    void httpEventsAreShapedLikeApiGatewaysPayload2(String name) throws Exception {
        JsonNode raw = JSON.readTree(ProjectFiles.event(name).toFile());
        assertThat(raw.path("body").isTextual()).as(name + ": body is a string").isTrue();
        assertThat(raw.path("isBase64Encoded").isBoolean()).as(name + ": isBase64Encoded").isTrue();
        assertThat(raw.path("rawQueryString").isTextual()).as(name + ": rawQueryString").isTrue();

        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(ProjectFiles.event(name).toString());
        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getRouteKey()).as(name + ": a route of template.yaml").isIn(templateRouteKeys);
        assertThat(event.getRouteKey()).isEqualTo("POST " + event.getRawPath());
        assertThat(event.getHeaders()).isNotEmpty();
        assertThat(event.getHeaders().keySet()).allSatisfy(h -> assertThat(h).isEqualTo(h.toLowerCase(Locale.ROOT)));
        assertThat(event.getHeaders()).containsEntry("content-type", "application/json")
                .containsEntry("content-length", Integer.toString(event.getBody().getBytes(StandardCharsets.UTF_8).length));
        assertThat(event.getIsBase64Encoded()).isFalse();

        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        assertThat(context.getRouteKey()).isEqualTo(event.getRouteKey());
        assertThat(context.getStage()).isEqualTo("$default");
        assertThat(context.getAccountId()).matches("[0-9]{12}");
        assertThat(context.getApiId()).isNotBlank();
        assertThat(context.getDomainName()).startsWith(context.getApiId() + ".execute-api.");
        assertThat(event.getHeaders().get("host")).isEqualTo(context.getDomainName());
        assertThat(context.getRequestId()).isNotBlank();
        assertThat(context.getTime()).isNotBlank();
        assertThat(context.getTimeEpoch()).isPositive();
        assertThat(context.getHttp().getMethod()).isEqualTo("POST");
        assertThat(context.getHttp().getPath()).isEqualTo(event.getRawPath());
        assertThat(context.getHttp().getProtocol()).isEqualTo("HTTP/1.1");
        assertThat(context.getHttp().getSourceIp()).isNotBlank();
        assertThat(context.getHttp().getUserAgent()).isEqualTo(event.getHeaders().get("user-agent"));
    }

    @Test
    void loginCarriesASandboxCode() throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(ProjectFiles.event("login.json").toString());
        JsonNode body = JSON.readTree(event.getBody());
        assertThat(body.path("code").asText()).isEqualTo("weixinApp.demo");
        // <scenario>.<nonce>, a scenario of the local WeChat sandbox that logs in successfully.
        Scenario scenario = Scenario.byId(body.path("code").asText().split("\\.")[0]).orElseThrow();
        assertThat(scenario.succeeds()).isTrue();
        assertThat(scenario.loginType()).contains("weixinApp");
        // The login route is not gated: no identity in the request.
        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        assertThat(event.getHeaders()).doesNotContainKey("authorization");
    }

    @Test
    void loginMiniProgramCarriesASandboxMiniProgramCodeWithItsCodeType() throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(
                ProjectFiles.event("login-miniprogram.json").toString());
        JsonNode body = JSON.readTree(event.getBody());
        assertThat(body.path("codeType").asText()).isEqualTo("miniProgram");
        // mp.<scenario>.<nonce>: a wx.login code of the sandbox, one whose person has a unionid.
        String[] parts = body.path("code").asText().split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(parts[0]).isEqualTo("mp");
        Scenario scenario = Scenario.byId(parts[1]).orElseThrow();
        assertThat(scenario.succeeds()).isTrue();
        assertThat(scenario.miniProgramErrcode()).isZero();
        assertThat(event.getHeaders().get("content-length")).isEqualTo(String.valueOf(event.getBody().length()));
        assertThat(event.getRequestContext().getAuthorizer()).isNull();
    }

    @Test
    void loginBadRequestHasAMalformedBody() throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(
                ProjectFiles.event("login-bad-request.json").toString());
        assertThat(event.getRouteKey()).isEqualTo("POST /login");
        JsonNode body = JSON.readTree(event.getBody());
        assertThat(body.path("code").asText()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session-refresh.json", "logout.json"})
    void theSessionEventsCarryAWellFormedRefreshTokenThatNoStoreKnows(String name) throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(ProjectFiles.event(name).toString());
        assertThat(event.getRouteKey()).isIn("POST /session/refresh", "POST /logout");
        JsonNode body = JSON.readTree(event.getBody());
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("refreshToken");
        // The shape of an issued token (43 base64url characters), so the handler looks it up: 401 / 204.
        assertThat(body.path("refreshToken").asText()).matches("[A-Za-z0-9_-]{43}").contains("unknown");
        // The refresh token is the credential: no access token, no identity.
        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        assertThat(event.getHeaders()).doesNotContainKey("authorization");
    }

    @Test
    void myCloudFunctionCarriesTheGatesContextAndAForgedIdentityInItsBody() throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent(
                ProjectFiles.event("my-cloud-function.json").toString());
        assertThat(event.getRouteKey()).isEqualTo("POST /functions/myCloudFunction");
        Map<String, Object> lambda = event.getRequestContext().getAuthorizer().getLambda();
        assertThat(lambda).containsOnlyKeys("userId", "appid", "loginType", "openid", "unionid");

        // The context is what the gate gives for the allow event's token.
        JwtClaims claims = verifiedClaims(bearer(event.getHeaders().get("authorization")));
        assertThat(lambda).containsEntry("userId", claims.getSubject())
                .containsEntry("appid", claims.getStringClaimValue("appid"))
                .containsEntry("loginType", claims.getStringClaimValue("login_type"))
                .containsEntry("openid", claims.getStringClaimValue("openid"))
                .containsEntry("unionid", claims.getStringClaimValue("unionid"));

        JsonNode data = JSON.readTree(event.getBody()).path("data");
        assertThat(data.path("hello").asText()).isEqualTo("world");
        // A client-supplied identity, which the function must ignore.
        assertThat(data.path("userInfo").path("openId").asText()).isNotBlank().isNotEqualTo(lambda.get("openid"));
        assertThat(data.path("openid").asText()).isNotBlank().isNotEqualTo(lambda.get("openid"));
    }

    // ------------------------------------------------------------------ authorizer events

    @ParameterizedTest
    @ValueSource(strings = {"call-gate-allow.json", "call-gate-deny.json"})
    void authorizerEventsAreShapedLikeApiGatewaysV2RequestAuthorizerEvents(String name) {
        APIGatewayV2CustomAuthorizerEvent event = EventLoader.loadAPIGatewayV2CustomAuthorizerEvent(
                ProjectFiles.event(name).toString());
        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getType()).isEqualTo("REQUEST");
        assertThat(event.getRouteKey()).isIn(templateRouteKeys).startsWith("POST /functions/");
        assertThat(event.getRouteKey()).isEqualTo("POST " + event.getRawPath());
        assertThat(event.getRouteArn()).matches("arn:aws:execute-api:[a-z0-9-]+:[0-9]{12}:[a-z0-9]+/\\$default/POST/functions/.+")
                .endsWith("/$default/POST" + event.getRawPath());
        assertThat(event.getHeaders().keySet()).allSatisfy(h -> assertThat(h).isEqualTo(h.toLowerCase(Locale.ROOT)));
        // The identity sources in the template's order: the Authorization header, $context.routeKey, $context.path.
        assertThat(event.getIdentitySource()).containsExactly(event.getHeaders().get("authorization"), event.getRouteKey(),
                event.getRawPath());
        assertThat(event.getHeaders().get("authorization")).startsWith("Bearer ");

        APIGatewayV2CustomAuthorizerEvent.RequestContext context = event.getRequestContext();
        assertThat(context.getRouteKey()).isEqualTo(event.getRouteKey());
        assertThat(context.getStage()).isEqualTo("$default");
        assertThat(event.getRouteArn()).contains(":" + context.getAccountId() + ":" + context.getApiId() + "/");
        assertThat(context.getDomainName()).isEqualTo(event.getHeaders().get("host"));
        assertThat(context.getRequestId()).isNotBlank();
        // The library parses time ("dd/MMM/yyyy:HH:mm:ss Z") and timeEpoch (ms): both must be well-formed.
        assertThat(context.getTime()).isNotNull();
        assertThat(context.getTimeEpoch()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(context.getTime().getMillis()).isEqualTo(context.getTimeEpoch().toEpochMilli());
        assertThat(context.getHttp().getMethod()).isEqualTo("POST");
        assertThat(context.getHttp().getPath()).isEqualTo(event.getRawPath());
        assertThat(context.getHttp().getSourceIp()).isNotBlank();
    }

    @Test
    void theAllowTokenVerifiesWithAnotherJoseLibraryAndCarriesTheContractsClaims() throws Exception {
        String token = bearer(authorizerEvent("call-gate-allow.json").getHeaders().get("authorization"));

        JsonWebSignature jws = (JsonWebSignature) JsonWebSignature.fromCompactSerialization(token);
        assertThat(jws.getAlgorithmHeaderValue()).isEqualTo(AlgorithmIdentifiers.HMAC_SHA256);
        assertThat(jws.getKeyIdHeaderValue()).isEqualTo(SIGNING_KID);
        assertThat(jws.getHeader("typ")).isEqualTo("JWT");

        JwtClaims claims = verifiedClaims(token);
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
        assertThat(claims.getSubject()).isNotBlank();
        assertThat(claims.getJwtId()).isNotBlank();
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(FAR_FUTURE_EXP);
        assertThat(claims.getIssuedAt().getValue()).isBetween(1_700_000_000L, Instant.now().getEpochSecond() + 60);
        assertThat(claims.getStringClaimValue("appid")).isEqualTo(APPID);
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("weixinApp");
        assertThat(claims.getStringClaimValue("openid")).isNotBlank();
        assertThat(claims.getStringClaimValue("unionid")).isNotBlank();
        assertThat(claims.getClaimNames()).containsExactlyInAnyOrder(
                "iss", "sub", "iat", "exp", "jti", "appid", "login_type", "openid", "unionid");
    }

    @Test
    void theDenyTokenDoesNotVerify() throws Exception {
        String token = bearer(authorizerEvent("call-gate-deny.json").getHeaders().get("authorization"));
        JsonWebSignature jws = (JsonWebSignature) JsonWebSignature.fromCompactSerialization(token);
        // A known kid, so the refusal is about the signature, not an unknown key.
        assertThat(jws.getKeyIdHeaderValue()).isEqualTo(SIGNING_KID);
        jws.setKey(new HmacKey(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)));
        assertThat(jws.verifySignature()).isFalse();
        assertThatThrownBy(() -> verifiedClaims(token)).isInstanceOf(InvalidJwtException.class);
    }

    // ------------------------------------------------------------------ env.json

    @Test
    void envJsonNamesOnlyFunctionsAndVariablesTheTemplateDeclares() throws Exception {
        JsonNode env = JSON.readTree(ProjectFiles.event("env.json").toFile());
        Set<String> functions = new HashSet<>(template.functionIds());
        env.properties().forEach(function -> {
            assertThat(functions).as("env.json: " + function.getKey() + " is a function of template.yaml")
                    .contains(function.getKey());
            Set<String> declared = template.environment(function.getKey()).keySet();
            function.getValue().properties().forEach(variable -> {
                assertThat(declared).as("env.json: %s.%s is declared in template.yaml", function.getKey(), variable.getKey())
                        .contains(variable.getKey());
                assertThat(variable.getValue().isTextual()).as("env.json values are strings").isTrue();
                assertThat(variable.getKey()).doesNotStartWith("AWS_ENDPOINT_URL");
            });
        });
    }

    @Test
    void envJsonPointsAtTheLocalSecretsAndTheLocalWeChatSandbox() throws Exception {
        JsonNode env = JSON.readTree(ProjectFiles.event("env.json").toFile());
        // Every secret id a function reads is overridden (the template's default is a resource's ARN).
        for (String id : template.functionIds()) {
            template.environment(id).keySet().stream().filter(v -> v.endsWith("_SECRET_ID"))
                    .forEach(v -> assertThat(env.path(id).has(v)).as("env.json sets %s.%s", id, v).isTrue());
        }
        assertThat(env.path("CodeExchangeFunction").path("WECHAT_APP_SECRET_ID").asText())
                .isEqualTo(DevelopmentSecrets.WECHAT_APP_SECRET_ID).isEqualTo("wxlogin/local/wechat-app");
        assertThat(env.path("CodeExchangeFunction").path("SESSION_KEYS_SECRET_ID").asText())
                .isEqualTo(DevelopmentSecrets.SESSION_KEYS_SECRET_ID).isEqualTo("wxlogin/local/session-keys");
        assertThat(env.path("CallGateFunction").path("SESSION_KEYS_SECRET_ID").asText())
                .isEqualTo("wxlogin/local/session-keys");
        assertThat(env.path("CodeExchangeFunction").path("MINIPROGRAM_SECRET_ID").asText())
                .isEqualTo(DevelopmentSecrets.MINIPROGRAM_SECRET_ID).isEqualTo("wxlogin/local/mini-program");
        assertThat(env.path("CodeExchangeFunction").path("WECHAT_API_BASE_URL").asText())
                .isEqualTo("http://host.docker.internal:8081");
    }

    // ------------------------------------------------------------------ helpers

    static APIGatewayV2CustomAuthorizerEvent authorizerEvent(String name) {
        return EventLoader.loadAPIGatewayV2CustomAuthorizerEvent(ProjectFiles.event(name).toString());
    }

    static String bearer(String header) {
        assertThat(header).startsWith("Bearer ");
        return header.substring("Bearer ".length());
    }

    /** jose4j, HS256 only, the local development key, the contract's issuer; throws when invalid. */
    static JwtClaims verifiedClaims(String token) throws InvalidJwtException {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setVerificationKey(new HmacKey(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)))
                .setExpectedIssuer(ISSUER)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .build();
        return consumer.processToClaims(token);
    }
}
