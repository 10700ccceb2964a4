// Unit tests (narrow): the REQUEST authorizer on API Gateway v2 fixtures, Secrets Manager replaced by an in-memory SecretSource, hand-moved clock.
package wxlogin.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.utf8;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.testing.SecretLedger;
import wxlogin.common.Env;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;
import wxlogin.token.TestTokens;
import wxlogin.token.TokenVerifier;
import wxlogin.token.TokenVerifier.Denial;

class CallGateHandlerTest {

    private static final String MY_FUNCTION = "events/gate/authorizer-v2-my-cloud-function.json";
    private static final String PROXY_ROUTE = "events/gate/authorizer-v2-proxy-route.json";
    private static final String SECRET_ID = "wxlogin/session-keys";
    private static final Instant START = Instant.ofEpochSecond(1_750_000_000L);

    private static final SigningKey OLD = new SigningKey("2025-01", utf8("TOPSECRET-gate-old-key-0123456789abcdef"));
    private static final SigningKey CURRENT = new SigningKey("2025-06", utf8("TOPSECRET-gate-current-key-0123456789ab"));
    private static final SigningKey NEXT = new SigningKey("2025-12", utf8("TOPSECRET-gate-next-key-0123456789abcde"));
    private static final byte[] WRONG = utf8("not-the-gate-key-but-long-enough-0123456789");


    static {
        // For the one log-secrecy check of the run: tokens signed with these keys are found by signature.
        for (SigningKey key : List.of(OLD, CURRENT, NEXT)) {
            SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(key.secret(), StandardCharsets.UTF_8));
        }
    }

    private final MutableClock clock = new MutableClock(START);
    private final Map<String, String> secrets = new HashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile boolean secretsManagerDown;
    /** Stands in for Secrets Manager: a mutable map, a call counter, and an outage switch. */
    private final SecretSource source = secretId -> {
        fetches.incrementAndGet();
        if (secretsManagerDown) {
            throw new SecretUnavailableException("Secrets Manager unreachable: test outage", null);
        }
        String value = secrets.get(secretId);
        if (value == null) {
            throw new ConfigurationException("secret " + secretId + " cannot be read: ResourceNotFoundException");
        }
        return value;
    };
    private final SessionTokens minter = new SessionTokens(TestTokens.ISSUER, 7200, clock);

    @BeforeEach
    void storeTheCurrentKey() {
        putKeys(CURRENT);
    }

    // ---- helpers ----

    private void putKeys(SigningKey... keys) {
        StringBuilder json = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < keys.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"kid\":\"").append(keys[i].kid()).append("\",\"secret\":\"")
                    .append(new String(keys[i].secret(), StandardCharsets.UTF_8)).append("\"}");
        }
        secrets.put(SECRET_ID, json.append("]}").toString());
    }

    private CallGateHandler handler(String gatePolicy) {
        Map<String, String> env = new HashMap<>();
        env.put("SESSION_KEYS_SECRET_ID", SECRET_ID);
        env.put("SESSION_ISSUER", TestTokens.ISSUER);
        if (gatePolicy != null) {
            env.put("GATE_POLICY", gatePolicy);
        }
        return handler(env, source);
    }

    private CallGateHandler handler(Map<String, String> env, SecretSource secretSource) {
        return new CallGateHandler(CallGateHandler.wire(new Env(env), secretSource, clock));
    }

    private CallGateHandler handler() {
        return handler(null);
    }

    private String token(SigningKey key, String loginType) {
        return minter.mint(key, "user-42", "wxapp-multi-1", loginType, "o-openid-42", "u-unionid-42").token();
    }

    private String token(SigningKey key) {
        return token(key, "weixinApp");
    }

    private static APIGatewayV2CustomAuthorizerEvent load(String fixture) {
        return EventLoader.loadAPIGatewayV2CustomAuthorizerEvent(fixture);
    }

    /** Swaps the Authorization header (null removes it), keeping the fixture's other headers. */
    private static APIGatewayV2CustomAuthorizerEvent withAuthorization(APIGatewayV2CustomAuthorizerEvent event,
                                                                       String value) {
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        headers.remove("authorization");
        if (value != null) {
            headers.put("authorization", value);
        }
        event.setHeaders(headers);
        event.setIdentitySource(value == null ? List.of(event.getRouteKey()) : List.of(value, event.getRouteKey()));
        return event;
    }

    private static SimpleIAMPolicyResponse call(CallGateHandler handler, APIGatewayV2CustomAuthorizerEvent event,
                                                String authorization) {
        return handler.handleRequest(withAuthorization(event, authorization), new FakeContext());
    }

    private static void assertDenied(SimpleIAMPolicyResponse response) {
        assertThat(response.getIsAuthorized()).isFalse();
        assertThat(response.getContext()).isNullOrEmpty();
    }

    // ---- the fixtures ----

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void fixtureLooksLikeAnHttpApiV2RequestAuthorizerEvent(APIGatewayV2CustomAuthorizerEvent event) {
        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getType()).isEqualTo("REQUEST");
        assertThat(event.getRouteKey()).isEqualTo("POST /functions/myCloudFunction");
        assertThat(event.getRawPath()).isEqualTo("/functions/myCloudFunction");
        assertThat(event.getRouteArn()).endsWith("/$default/POST/functions/myCloudFunction");
        assertThat(event.getIdentitySource()).hasSize(2);
        assertThat(event.getHeaders()).containsKey("authorization").allSatisfy((name, value) ->
                assertThat(name).isLowerCase());
        assertThat(event.getRequestContext().getHttp().getSourceIp()).isEqualTo("203.0.113.7");
        assertThat(event.getRequestContext().getRouteKey()).isEqualTo(event.getRouteKey());
    }

    @Test
    void theLambdaJavaRuntimeCanReadTheAuthorizerEvent() throws Exception {
        // The runtime reads event types outside LambdaEventSerializers' list with its plain Jackson POJO
        // serializer, which reflects over RequestContext, whose getTime() returns org.joda.time.DateTime.
        APIGatewayV2CustomAuthorizerEvent event;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(MY_FUNCTION)) {
            event = JacksonFactory.getInstance().getSerializer(APIGatewayV2CustomAuthorizerEvent.class).fromJson(in);
        } catch (NoClassDefFoundError e) {
            throw new AssertionError("joda-time is not on the classpath: the deployed CallGateFunction could not "
                    + "deserialize its event (aws/aws-lambda-java-libs#72)", e);
        }
        assertThat(event.getRouteKey()).isEqualTo("POST /functions/myCloudFunction");
        assertThat(call(handler(), event, "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
    }

    // ---- allow ----

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void validSessionIsAllowedWithItsIdentityAsContext(APIGatewayV2CustomAuthorizerEvent event) {
        SimpleIAMPolicyResponse response = call(handler(), event, "Bearer " + token(CURRENT));

        assertThat(response.getIsAuthorized()).isTrue();
        assertThat(response.getContext()).isEqualTo(Map.of(
                "userId", "user-42",
                "appid", "wxapp-multi-1",
                "loginType", "weixinApp",
                "openid", "o-openid-42",
                "unionid", "u-unionid-42"));
    }

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void absentOpenidAndUnionidAreLeftOutOfTheContext(APIGatewayV2CustomAuthorizerEvent event) {
        String token = minter.mint(CURRENT, "user-43", "wxapp-multi-1", "phoneSms", null, null).token();

        SimpleIAMPolicyResponse response = call(handler(), event, "Bearer " + token);

        assertThat(response.getIsAuthorized()).isTrue();
        assertThat(response.getContext()).isEqualTo(Map.of(
                "userId", "user-43", "appid", "wxapp-multi-1", "loginType", "phoneSms"));
    }

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void answersInTheSimpleResponseShape(APIGatewayV2CustomAuthorizerEvent event) {
        CallGateHandler handler = handler();
        String allowed = json(call(handler, event, "Bearer " + token(CURRENT)));
        String denied = json(call(handler, event, "Bearer " + hs256(CURRENT.kid(), TestTokens.validClaims(
                START.getEpochSecond()), WRONG)));

        assertThat(allowed).contains("\"isAuthorized\":true").contains("\"userId\":\"user-42\"");
        assertThat(denied).contains("\"isAuthorized\":false").doesNotContain("userId");
    }

    private static String json(SimpleIAMPolicyResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(SimpleIAMPolicyResponse.class, CallGateHandlerTest.class.getClassLoader())
                .toJson(response, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---- the Authorization header ----

    static Stream<Arguments> authorizationHeaders() {
        return Stream.of(
                form("Bearer <token>", t -> "Bearer " + t, true),
                form("lower-case scheme", t -> "bearer " + t, true),
                form("upper-case scheme", t -> "BEARER " + t, true),
                // RFC 6750 2.1: credentials = "Bearer" 1*SP b64token
                form("several spaces after the scheme", t -> "Bearer   " + t, true),
                form("missing", t -> null, false),
                form("empty", t -> "", false),
                form("token without scheme", t -> t, false),
                form("Basic scheme", t -> "Basic " + t, false),
                form("Token scheme", t -> "Token " + t, false),
                form("no space after scheme", t -> "Bearer" + t, false),
                form("scheme only", t -> "Bearer", false),
                form("scheme and spaces only", t -> "Bearer    ", false),
                form("two tokens", t -> "Bearer " + t + " " + t, false),
                form("token then junk", t -> "Bearer " + t + " extra", false),
                form("token then comma", t -> "Bearer " + t + ",", false),
                form("quoted token", t -> "Bearer \"" + t + "\"", false),
                form("space inside the signature", t -> "Bearer " + t.substring(0, t.length() - 10) + " "
                        + t.substring(t.length() - 10), false),
                form("space inside the payload", t -> "Bearer " + t.substring(0, t.indexOf('.') + 10) + " "
                        + t.substring(t.indexOf('.') + 10), false),
                form("5000 characters: a token padded with spaces", t -> "Bearer " + t
                        + " ".repeat(5000 - 7 - t.length()), false),
                form("5000 characters of junk", t -> "Bearer " + "a".repeat(4993), false));
    }

    private static Arguments form(String name, Function<String, String> value, boolean allowed) {
        return Arguments.of(name, value, allowed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authorizationHeaders")
    void authorizationHeaderForms(String name, Function<String, String> form, boolean allowed) {
        String header = form.apply(token(CURRENT));
        if (name.startsWith("5000")) {
            assertThat(header).hasSize(5000);
        }

        SimpleIAMPolicyResponse response = call(handler(), load(MY_FUNCTION), header);

        assertThat(response.getIsAuthorized()).isEqualTo(allowed);
        if (!allowed) {
            assertDenied(response);
        }
    }

    @Test
    void headerNameInAnyCasingIsRead() {
        APIGatewayV2CustomAuthorizerEvent event = withAuthorization(load(MY_FUNCTION), null);
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        headers.put("Authorization", "Bearer " + token(CURRENT));
        event.setHeaders(headers);

        assertThat(handler().handleRequest(event, new FakeContext()).getIsAuthorized()).isTrue();
    }

    @Test
    void eventWithoutHeadersIsDenied() {
        APIGatewayV2CustomAuthorizerEvent event = load(MY_FUNCTION);
        event.setHeaders(null);
        assertDenied(handler().handleRequest(event, new FakeContext()));
    }

    // ---- every reason a token is refused ends in a denial, never an exception ----

    private Map<Denial, String> tokenFor() {
        long now = clock.instant().getEpochSecond();
        Map<Denial, String> tokens = new EnumMap<>(Denial.class);
        tokens.put(Denial.MALFORMED, "not-a.jwt");
        tokens.put(Denial.TOO_LONG, "x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 4));
        tokens.put(Denial.NOT_HS256, TestTokens.jose4j(AlgorithmIdentifiers.HMAC_SHA512, CURRENT.kid(), Map.of(),
                TestTokens.validClaims(now).toJson(), new HmacKey(CURRENT.secret())));
        tokens.put(Denial.UNEXPECTED_HEADER, hs256Raw("{\"alg\":\"HS256\",\"kid\":\"" + CURRENT.kid()
                + "\",\"typ\":\"JWT\",\"jku\":\"https://attacker.example/keys\"}",
                TestTokens.validClaims(now).toJson(), CURRENT.secret()));
        tokens.put(Denial.NO_KID, hs256Raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                TestTokens.validClaims(now).toJson(), CURRENT.secret()));
        tokens.put(Denial.UNKNOWN_KID, hs256("2099-01", TestTokens.validClaims(now), CURRENT.secret()));
        tokens.put(Denial.BAD_SIGNATURE, hs256(CURRENT.kid(), TestTokens.validClaims(now), WRONG));
        tokens.put(Denial.WRONG_ISSUER, signed(now, c -> c.setIssuer("another-issuer")));
        tokens.put(Denial.NO_SUBJECT, signed(now, c -> c.unsetClaim("sub")));
        tokens.put(Denial.NO_EXPIRY, signed(now, c -> c.unsetClaim("exp")));
        tokens.put(Denial.EXPIRED, signed(now, c -> {
            c.setIssuedAt(NumericDate.fromSeconds(now - 7300));
            c.setExpirationTime(NumericDate.fromSeconds(now - 100));
        }));
        tokens.put(Denial.NOT_YET_VALID, signed(now, c -> c.setIssuedAt(NumericDate.fromSeconds(now + 3600))));
        tokens.put(Denial.MISSING_CLAIM, signed(now, c -> c.unsetClaim("appid")));
        return tokens;
    }

    private static String signed(long now, java.util.function.Consumer<JwtClaims> change) {
        JwtClaims claims = TestTokens.validClaims(now);
        change.accept(claims);
        return hs256(CURRENT.kid(), claims, CURRENT.secret());
    }

    @ParameterizedTest
    @EnumSource(Denial.class)
    void everyRefusalReasonIsADenialNotAnException(Denial reason) {
        String token = tokenFor().get(reason);
        assertThat(token).as("a token for every Denial value").isNotNull();
        assertThat(("Bearer " + token).length()).isLessThanOrEqualTo(CallGate.MAX_HEADER_LENGTH);
        CallGateHandler handler = handler();

        SimpleIAMPolicyResponse response;
        String logged;
        try (LogCapture log = new LogCapture()) {
            response = call(handler, load(MY_FUNCTION), "Bearer " + token);
            logged = log.text();
            log.assertLogged("gate.denied", "reason", reason.name(), "function", "gate");
        }

        assertDenied(response);
        assertThat(logged).doesNotContain(token);
    }

    // ---- GATE_POLICY ----

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void listedFunctionAdmitsOnlyItsLoginTypes(APIGatewayV2CustomAuthorizerEvent event) {
        CallGateHandler handler = handler("{\"myCloudFunction\":[\"weixinApp\"]}");

        assertThat(call(handler, event, "Bearer " + token(CURRENT, "weixinApp")).getIsAuthorized()).isTrue();
        try (LogCapture log = new LogCapture()) {
            assertDenied(call(handler, event, "Bearer " + token(CURRENT, "phoneSms")));
            log.assertLogged("gate.denied", "reason", "POLICY", "target", "myCloudFunction", "loginType", "phoneSms");
        }
        assertDenied(call(handler, event, "Bearer " + token(CURRENT, "WEIXINAPP")));
    }

    @ParameterizedTest
    @Event(value = PROXY_ROUTE, type = APIGatewayV2CustomAuthorizerEvent.class)
    void unlistedFunctionIsOpenToAnyValidSession(APIGatewayV2CustomAuthorizerEvent event) {
        CallGateHandler handler = handler("{\"myCloudFunction\":[\"weixinApp\"]}");

        assertThat(call(handler, event, "Bearer " + token(CURRENT, "phoneSms")).getIsAuthorized()).isTrue();
        assertThat(call(handler, event, "Bearer " + token(CURRENT, "appleLogin")).getIsAuthorized()).isTrue();
    }

    @ParameterizedTest
    @Event(value = PROXY_ROUTE, type = APIGatewayV2CustomAuthorizerEvent.class)
    void policyAppliesToTheNameTakenFromThePath(APIGatewayV2CustomAuthorizerEvent event) {
        CallGateHandler handler = handler("{\"adminReport\":[\"weixinApp\",\"weixinMiniProgram\"]}");

        assertThat(call(handler, event, "Bearer " + token(CURRENT, "weixinMiniProgram")).getIsAuthorized()).isTrue();
        assertDenied(call(handler, event, "Bearer " + token(CURRENT, "phoneSms")));
    }

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void emptyListClosesTheFunction(APIGatewayV2CustomAuthorizerEvent event) {
        assertDenied(call(handler("{\"myCloudFunction\":[]}"), event, "Bearer " + token(CURRENT, "weixinApp")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[\"myCloudFunction\"]", "{\"myCloudFunction\":\"weixinApp\"}",
            "{\"myCloudFunction\":[1]}", "{\"myCloudFunction\":null}", "{\"myCloudFunction\":{\"weixinApp\":true}}",
            "{\"myCloudFunction\":[\"weixinApp\"]"})
    void malformedGatePolicyFailsAtWiring(String policy) {
        Env env = new Env(Map.of("SESSION_KEYS_SECRET_ID", SECRET_ID, "GATE_POLICY", policy));
        assertThatThrownBy(() -> CallGateHandler.wire(env, source, clock)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aPolicyForAFunctionTheTemplateDoesNotGateFailsAtWiring() {
        Env typo = new Env(Map.of("SESSION_KEYS_SECRET_ID", SECRET_ID, "GATE_POLICY", "{\"myCloudFuncton\":[\"weixinApp\"]}",
                "GATED_FUNCTIONS", "myCloudFunction, payOrder"));
        assertThatThrownBy(() -> CallGateHandler.wire(typo, source, clock)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("myCloudFuncton");
        Env right = new Env(Map.of("SESSION_KEYS_SECRET_ID", SECRET_ID, "GATE_POLICY", "{\"payOrder\":[\"weixinApp\"]}",
                "GATED_FUNCTIONS", "myCloudFunction, payOrder"));
        assertThat(CallGateHandler.wire(right, source, clock)).isNotNull();
    }

    @Test
    void missingSecretIdFailsAtWiring() {
        assertThatThrownBy(() -> CallGateHandler.wire(new Env(Map.of()), source, clock))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SESSION_KEYS_SECRET_ID");
    }

    // ---- the function's name ----

    @ParameterizedTest
    @Event(value = MY_FUNCTION, type = APIGatewayV2CustomAuthorizerEvent.class)
    void functionNameComesFromTheRouteKey(APIGatewayV2CustomAuthorizerEvent event) {
        assertThat(CallGateHandler.functionName(event)).isEqualTo("myCloudFunction");
        event.setRawPath("/functions/adminReport");
        assertThat(CallGateHandler.functionName(event)).as("a path the route cannot have matched is denied").isNull();
    }

    @ParameterizedTest
    @Event(value = PROXY_ROUTE, type = APIGatewayV2CustomAuthorizerEvent.class)
    void functionNameComesFromThePathWhenTheRouteKeyHasAParameter(APIGatewayV2CustomAuthorizerEvent event) {
        assertThat(event.getRouteKey()).contains("{name}");
        assertThat(CallGateHandler.functionName(event)).isEqualTo("adminReport");
    }

    @ParameterizedTest
    @CsvSource({
            "POST /functions/myCloudFunction, /functions/myCloudFunction, myCloudFunction",
            "POST /functions/{name}, /functions/adminReport, adminReport",
            "POST /functions/{name}, /functions/adminReport/extra, adminReport",
            "ANY /functions/{proxy+}, /functions/adminReport/a/b, adminReport",
    })
    void functionNameForms(String routeKey, String rawPath, String expected) {
        APIGatewayV2CustomAuthorizerEvent event = load(PROXY_ROUTE);
        event.setRouteKey(routeKey);
        event.setRawPath(rawPath);
        assertThat(CallGateHandler.functionName(event)).isEqualTo(expected);
    }

    // ---- key rotation ----

    @Test
    void oldKeyStillListedKeepsItsTokensValid() {
        putKeys(OLD);
        CallGateHandler handler = handler();
        String oldToken = token(OLD);
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + oldToken).getIsAuthorized()).isTrue();

        putKeys(CURRENT, OLD);
        clock.advance(CachedSecret.TTL.plusSeconds(1));

        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + oldToken).getIsAuthorized()).isTrue();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void removedKeyIsDeniedOnceTheCacheTtlHasPassed() {
        putKeys(OLD);
        CallGateHandler handler = handler();
        String oldToken = token(OLD);
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + oldToken).getIsAuthorized()).isTrue();

        putKeys(CURRENT);
        clock.advance(CachedSecret.TTL.minusSeconds(1));
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + oldToken).getIsAuthorized())
                .as("still cached").isTrue();
        assertThat(fetches).hasValue(1);

        clock.advance(Duration.ofSeconds(2));
        assertDenied(call(handler, load(MY_FUNCTION), "Bearer " + oldToken));
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
    }

    @Test
    void tokenOfANewlyAddedKidIsAllowedAfterExactlyOneReRead() {
        CallGateHandler handler = handler();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
        assertThat(fetches).hasValue(1);

        putKeys(NEXT, CURRENT);
        String nextToken = token(NEXT);

        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + nextToken).getIsAuthorized()).isTrue();
        assertThat(fetches).hasValue(2);
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + nextToken).getIsAuthorized()).isTrue();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void aFloodOfUnknownKidsCausesAtMostOneReReadPerInterval() {
        CallGateHandler handler = handler();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();
        assertThat(fetches).hasValue(1);
        long now = clock.instant().getEpochSecond();
        APIGatewayV2CustomAuthorizerEvent event = load(MY_FUNCTION); // loaded once: call() swaps the header

        for (int i = 0; i < 100; i++) {
            String forged = hs256(UUID.randomUUID().toString(), TestTokens.validClaims(now), CURRENT.secret());
            assertDenied(call(handler, event, "Bearer " + forged));
            clock.advance(Duration.ofMillis(90));
        }
        assertThat(fetches.get() - 1).as("re-reads within %s", CachedSecret.FORCED_INTERVAL)
                .isLessThanOrEqualTo(1);

        // The limit is per interval, not forever: a key added meanwhile is found after it.
        putKeys(NEXT, CURRENT);
        clock.advance(CachedSecret.FORCED_INTERVAL);
        int before = fetches.get();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(NEXT)).getIsAuthorized()).isTrue();
        assertThat(fetches.get() - before).isEqualTo(1);
    }

    // ---- Secrets Manager down ----

    @Test
    void warmCacheKeepsDecidingWhileSecretsManagerIsDown() {
        CallGateHandler handler = handler();
        String good = token(CURRENT);
        String forged = hs256(CURRENT.kid(), TestTokens.validClaims(clock.instant().getEpochSecond()), WRONG);
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + good).getIsAuthorized()).isTrue();

        secretsManagerDown = true;
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + good).getIsAuthorized()).isTrue();
        assertDenied(call(handler, load(MY_FUNCTION), "Bearer " + forged));
        assertDenied(call(handler, load(MY_FUNCTION), "Bearer " + hs256("2099-01",
                TestTokens.validClaims(clock.instant().getEpochSecond()), CURRENT.secret())));

        // Past the TTL the refresh fails, and the cached keys keep serving within the grace period.
        clock.advance(CachedSecret.TTL.plusMinutes(1));
        int before = fetches.get();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + good).getIsAuthorized()).isTrue();
        assertDenied(call(handler, load(MY_FUNCTION), "Bearer " + forged));
        assertThat(fetches.get()).as("the refresh was attempted").isGreaterThan(before);
    }

    @Test
    void coldCacheWithSecretsManagerDownFailsTheInvocation() {
        secretsManagerDown = true;
        CallGateHandler handler = handler();

        assertThatThrownBy(() -> call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)))
                .isInstanceOf(SecretUnavailableException.class);
        assertThatThrownBy(() -> call(handler, load(MY_FUNCTION), "Bearer " + hs256(CURRENT.kid(),
                TestTokens.validClaims(clock.instant().getEpochSecond()), WRONG)))
                .isInstanceOf(SecretUnavailableException.class);
    }

    @Test
    void cacheBeyondItsGracePeriodFailsTheInvocationWhileSecretsManagerIsDown() {
        CallGateHandler handler = handler();
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();

        secretsManagerDown = true;
        clock.advance(CachedSecret.TTL.plus(CachedSecret.GRACE).plusSeconds(1));

        String fresh = token(CURRENT);
        assertThatThrownBy(() -> call(handler, load(MY_FUNCTION), "Bearer " + fresh))
                .isInstanceOf(SecretUnavailableException.class);

        secretsManagerDown = false;
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + fresh).getIsAuthorized()).isTrue();
    }

    // ---- the invocation's remaining time (issue 19) ----

    /**
     * Secrets Manager hanging, as the SDK meets it: each read waits out the time it was given
     * (its apiCallTimeout comes from the deadline) and then fails; the longest wait is recorded.
     */
    private final class HangingSecretsManager implements SecretSource {
        volatile boolean hanging;
        volatile long longestWaitMillis;

        @Override
        public String fetch(String secretId) {
            throw new AssertionError("the gate reads its keys inside the invocation's deadline");
        }

        @Override
        public String fetch(String secretId, Deadline deadline) {
            fetches.incrementAndGet();
            if (!hanging) {
                return secrets.get(secretId);
            }
            long wait = deadline.remainingMillis();
            longestWaitMillis = Math.max(longestWaitMillis, wait);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SecretUnavailableException("Secrets Manager unreachable: timed out after " + wait + " ms", null);
        }
    }

    private CallGateHandler handlerOn(SecretSource secretSource) {
        return handler(Map.of("SESSION_KEYS_SECRET_ID", SECRET_ID, "SESSION_ISSUER", TestTokens.ISSUER), secretSource);
    }

    @Test
    void aColdGateWithSecretsManagerHangingFailsInsideItsRemainingTime() {
        HangingSecretsManager hanging = new HangingSecretsManager();
        hanging.hanging = true;
        CallGateHandler handler = handlerOn(hanging);
        APIGatewayV2CustomAuthorizerEvent event = withAuthorization(load(MY_FUNCTION), "Bearer " + token(CURRENT));

        long started = System.nanoTime();
        // The contract's one failure: no key at all fails the invocation (API Gateway answers 500), in time.
        assertThatThrownBy(() -> handler.handleRequest(event, new FakeContext(1_200)))
                .isInstanceOf(SecretUnavailableException.class);
        assertThat((System.nanoTime() - started) / 1_000_000).as("inside the 1.2 s the invocation had")
                .isLessThan(1_200);
        assertThat(hanging.longestWaitMillis).as("the read got the remaining time less the answer's reserve")
                .isPositive().isLessThanOrEqualTo(700);
    }

    @Test
    void anUnknownKidsReReadWithSecretsManagerHangingEndsInADenialInsideTheRemainingTime() {
        HangingSecretsManager hanging = new HangingSecretsManager();
        CallGateHandler handler = handlerOn(hanging);
        assertThat(call(handler, load(MY_FUNCTION), "Bearer " + token(CURRENT)).getIsAuthorized()).isTrue();

        hanging.hanging = true;
        String unknownKid = hs256("2099-01", TestTokens.validClaims(clock.instant().getEpochSecond()), NEXT.secret());
        APIGatewayV2CustomAuthorizerEvent event = withAuthorization(load(MY_FUNCTION), "Bearer " + unknownKid);
        long started = System.nanoTime();
        SimpleIAMPolicyResponse decision = handler.handleRequest(event, new FakeContext(1_500));
        assertThat((System.nanoTime() - started) / 1_000_000).as("inside the 1.5 s the invocation had")
                .isLessThan(1_500);
        assertDenied(decision);
        assertThat(hanging.longestWaitMillis).as("the forced re-read got the remaining time less the reserve")
                .isPositive().isLessThanOrEqualTo(1_000);

        // The cached keys keep deciding: a genuine token is still allowed, without waiting.
        assertThat(handler.handleRequest(withAuthorization(load(MY_FUNCTION), "Bearer " + token(CURRENT)),
                new FakeContext(1_500)).getIsAuthorized()).isTrue();
    }

    // ---- logs ----

    @Test
    void tokensNeverAppearInTheLogs() {
        CallGateHandler handler = handler("{\"myCloudFunction\":[\"weixinApp\"]}");
        List<String> tokens = new ArrayList<>(tokenFor().values());
        tokens.add(token(CURRENT));
        tokens.add(token(CURRENT, "phoneSms"));
        tokens.add(hs256Raw(header("../../etc/passwd"), TestTokens.validClaims(clock.instant().getEpochSecond()).toJson(),
                CURRENT.secret()));

        String logged;
        try (LogCapture log = new LogCapture()) {
            for (String token : tokens) {
                call(handler, load(MY_FUNCTION), "Bearer " + token);
                call(handler, load(MY_FUNCTION), "Basic " + token);
            }
            secretsManagerDown = true;
            clock.advance(CachedSecret.TTL.plusSeconds(1));
            for (String token : tokens) {
                call(handler, load(MY_FUNCTION), "Bearer " + token);
            }
            logged = log.text();
        }

        assertThat(logged).as("the capture works").contains("gate.denied").contains("secret.stale");
        for (String token : tokens) {
            assertThat(logged).doesNotContain(token);
            for (String segment : token.split("\\.")) {
                if (segment.length() > 40) {
                    assertThat(logged).doesNotContain(segment);
                }
            }
        }
        assertThat(logged).doesNotContain("TOPSECRET").doesNotContain("../../etc/passwd");
    }
}
