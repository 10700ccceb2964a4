// Unit tests: the cloud-function base and the sample function on HTTP API payload 2.0 fixtures (with authorizer context), no I/O.
package wxlogin.cloudfunction;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.Json;
import wxlogin.testing.FakeContext;

class MyCloudFunctionTest {

    private static final String EVENT = "events/cloudfunction/my-cloud-function.json";
    private static final String FORGED = "events/cloudfunction/my-cloud-function-forged-identity.json";
    private static final String BASE64 = "events/cloudfunction/my-cloud-function-base64.json";
    private static final String NO_AUTHORIZER = "events/cloudfunction/my-cloud-function-no-authorizer.json";
    private static final String PHONE_LOGIN = "events/cloudfunction/my-cloud-function-phone-login.json";
    private static final String REQUEST_ID = "8f7c1e2a-3b4d-4e5f-9a0b-c1d2e3f4a5b6";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loads a fixture the way the Lambda Java runtime reads this event type: its plain Jackson POJO serializer. */
    private static APIGatewayV2HTTPEvent load(String fixture) {
        PojoSerializer<APIGatewayV2HTTPEvent> serializer =
                JacksonFactory.getInstance().getSerializer(APIGatewayV2HTTPEvent.class);
        try (InputStream in = MyCloudFunctionTest.class.getClassLoader().getResourceAsStream(fixture)) {
            assertThat(in).as(fixture).isNotNull();
            return serializer.fromJson(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static APIGatewayV2HTTPResponse invoke(CloudFunction function, APIGatewayV2HTTPEvent event) {
        return function.handleRequest(event, new FakeContext(REQUEST_ID, 10_000));
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws IOException {
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json; charset=utf-8");
        assertThat(response.getIsBase64Encoded()).isFalse();
        return JSON.readTree(response.getBody());
    }

    /** The {@code data} the client sent, read independently from the fixture's body. */
    private static JsonNode sentData(APIGatewayV2HTTPEvent event) throws IOException {
        String text = event.getIsBase64Encoded()
                ? new String(Base64.getDecoder().decode(event.getBody()), StandardCharsets.UTF_8) : event.getBody();
        return JSON.readTree(text).get("data");
    }

    /** What the function receives for object data: the client's, with userInfo the fixture's verified identity. */
    private static JsonNode withVerifiedUserInfo(JsonNode sent) {
        ObjectNode data = ((ObjectNode) sent).deepCopy();
        data.putObject("userInfo").put("appId", "wxapp-multi-1").put("openId", "o-openid-42");
        return data;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A cloud function that records what it was given and does what the test says. */
    static final class Probe extends CloudFunction {
        final AtomicInteger calls = new AtomicInteger();
        JsonNode data;
        WxContext context;
        private final Behaviour behaviour;

        interface Behaviour {
            Object run(JsonNode data, WxContext context) throws Exception;
        }

        Probe(Behaviour behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        protected Object call(JsonNode data, WxContext context) throws Exception {
            calls.incrementAndGet();
            this.data = data;
            this.context = context;
            return behaviour.run(data, context);
        }
    }

    // ---- the fixture ----

    @Test
    void fixtureIsAnHttpApiPayload2EventWithALambdaAuthorizerContext() {
        APIGatewayV2HTTPEvent event = load(EVENT);
        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getRouteKey()).isEqualTo("POST /functions/myCloudFunction");
        assertThat(event.getRequestContext().getAuthorizer().getLambda())
                .containsEntry("userId", "user-42").containsEntry("openid", "o-openid-42");
        assertThat(event.getRequestContext().getHttp().getSourceIp()).isEqualTo("203.0.113.7");
        assertThat(event.getHeaders().get("authorization")).startsWith("Bearer ");
        assertThat(event.getIsBase64Encoded()).isFalse();
        assertThat(load(BASE64).getIsBase64Encoded()).isTrue();
    }

    // ---- 200 ----

    @Test
    void answersTheCallFunctionEnvelope() throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);

        APIGatewayV2HTTPResponse response = invoke(new MyCloudFunction(), event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode body = body(response);
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("result", "requestID", "errMsg");
        assertThat(body.get("requestID").asText()).isEqualTo(REQUEST_ID);
        assertThat(body.get("errMsg").asText()).isEqualTo("cloud.callFunction:ok");
        JsonNode result = body.get("result");
        assertThat(fieldNames(result)).containsExactlyInAnyOrder("event", "openid", "appid", "unionid");
        assertThat(result.get("openid").asText()).isEqualTo("o-openid-42");
        assertThat(result.get("appid").asText()).isEqualTo("wxapp-multi-1");
        assertThat(result.get("unionid").asText()).isEqualTo("u-unionid-42");
    }

    @Test
    void eventIsExactlyTheDataSentAndNeverTheHttpEvent() throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);
        String authorization = event.getHeaders().get("authorization");

        APIGatewayV2HTTPResponse response = invoke(new MyCloudFunction(), event);

        JsonNode echoed = body(response).get("result").get("event");
        assertThat(echoed).isEqualTo(withVerifiedUserInfo(sentData(event)));
        assertThat(echoed.get("greeting").asText()).isEqualTo("\u4f60\u597d");
        assertThat(echoed.get("nested").get("nothing").isNull()).isTrue();
        assertThat(response.getBody())
                .doesNotContain(authorization)
                .doesNotContain(authorization.substring("Bearer ".length()))
                .doesNotContain("Bearer")
                .doesNotContain("requestContext")
                .doesNotContain("rawPath")
                .doesNotContain("x-forwarded-for")
                .doesNotContain("203.0.113.7");
        for (String segment : authorization.substring("Bearer ".length()).split("\\.")) {
            assertThat(response.getBody()).doesNotContain(segment);
        }
    }

    @Test
    void absentOpenidAndUnionidAreNullInTheResult() throws IOException {
        JsonNode result = body(invoke(new MyCloudFunction(), load(PHONE_LOGIN))).get("result");
        assertThat(result.get("openid").isNull()).isTrue();
        assertThat(result.get("unionid").isNull()).isTrue();
        assertThat(result.get("appid").asText()).isEqualTo("wxapp-multi-1");
    }

    // ---- identity comes from the authorizer only ----

    @Test
    void clientForgedIdentityNeverReplacesTheAuthorizersIdentity() throws IOException {
        APIGatewayV2HTTPEvent event = load(FORGED);
        assertThat(event.getHeaders()).containsEntry("x-wx-openid", "o-FORGED-HEADER");

        APIGatewayV2HTTPResponse response = invoke(new MyCloudFunction(), event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode result = body(response).get("result");
        assertThat(result.get("openid").asText()).isEqualTo("o-openid-42");
        assertThat(result.get("appid").asText()).isEqualTo("wxapp-multi-1");
        assertThat(result.get("unionid").asText()).isEqualTo("u-unionid-42");
        // As in WeChat Cloud, data.userInfo is the verified identity, whatever the client put there;
        // the other members the client sent stay data (the identity the function trusts is its WxContext).
        assertThat(result.get("event").get("userInfo"))
                .isEqualTo(JSON.readTree("{\"appId\":\"wxapp-multi-1\",\"openId\":\"o-openid-42\"}"));
        ObjectNode rest = ((ObjectNode) sentData(event)).deepCopy();
        rest.remove("userInfo");
        ObjectNode echoed = ((ObjectNode) result.get("event")).deepCopy();
        echoed.remove("userInfo");
        assertThat(echoed).isEqualTo(rest);
        assertThat(response.getBody()).doesNotContain("FORGED-HEADER").doesNotContain("FORGED-TOP")
                .doesNotContain("FORGED-QUERY");
    }

    @Test
    void wxContextSeenByTheFunctionIgnoresForgedIdentity() {
        Probe probe = new Probe((data, context) -> "ok");

        invoke(probe, load(FORGED));

        assertThat(probe.calls).hasValue(1);
        assertThat(probe.context.userId()).isEqualTo("user-42");
        assertThat(probe.context.openid()).isEqualTo("o-openid-42");
        assertThat(probe.context.appid()).isEqualTo("wxapp-multi-1");
        assertThat(probe.context.unionid()).isEqualTo("u-unionid-42");
        assertThat(probe.context.asWxContext().values()).noneMatch(value -> value.contains("FORGED"));
    }

    @Test
    void subclassReadsTheWxContextKeys() throws IOException {
        Probe probe = new Probe((data, context) -> context.asWxContext());

        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));

        Map<String, String> expected = Map.of(
                "OPENID", "o-openid-42",
                "APPID", "wxapp-multi-1",
                "UNIONID", "u-unionid-42",
                "USERID", "user-42",
                "LOGIN_TYPE", "weixinApp",
                "SOURCE", "aws_http_api",
                "CLIENTIP", "203.0.113.7");
        assertThat(probe.context.asWxContext()).isEqualTo(expected);
        assertThat(probe.context.loginType()).isEqualTo("weixinApp");
        assertThat(JSON.convertValue(body(response).get("result"), Map.class)).isEqualTo(expected);
    }

    @Test
    void wxContextLeavesOutWhatTheSessionLacks() {
        Probe probe = new Probe((data, context) -> null);

        invoke(probe, load(PHONE_LOGIN));

        assertThat(probe.context.asWxContext()).containsOnlyKeys("APPID", "USERID", "LOGIN_TYPE", "SOURCE", "CLIENTIP")
                .containsEntry("LOGIN_TYPE", "phoneSms").containsEntry("USERID", "user-43");
    }

    @Test
    void clientIpComesFromTheRequestContextNotFromHeaders() {
        APIGatewayV2HTTPEvent event = load(EVENT);
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.put("x-forwarded-for", "198.51.100.99");
        headers.put("x-real-ip", "198.51.100.99");
        event.setHeaders(headers);
        Probe probe = new Probe((data, context) -> null);

        invoke(probe, event);

        assertThat(probe.context.clientIp()).isEqualTo("203.0.113.7");
    }

    // ---- the body ----

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[1,2]", "\"data\"", "42", "null", "{\"data\":1,\"data\":2}", "{\"data\":",
            "{\"data\":{\"a\":[{\"k\":1,\"k\":2}]}}", "{\"data\":1} {}", "{\"data\":1}x"})
    void badBodyIs400AndTheFunctionDoesNotRun(String badBody) throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);
        event.setBody(badBody);
        Probe probe = new Probe((data, context) -> "ran");

        APIGatewayV2HTTPResponse response = invoke(probe, event);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertFailureBody(body(response));
        assertThat(probe.calls).hasValue(0);
    }

    @Test
    void aBodyNestedDeeperThanTheMapperReadsIs400() throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);
        event.setBody(deepBody(Json.MAX_DEPTH + 1));
        Probe probe = new Probe((data, context) -> "ran");
        APIGatewayV2HTTPResponse response = invoke(probe, event);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(probe.calls).hasValue(0);
    }

    /** The sample function answers data one level deeper than it came (inside "event"): still a 200, through the stream entry. */
    @Test
    void aBodyNestedAsDeepAsTheMapperReadsIsAnsweredNotA500() throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);
        event.setBody(deepBody(Json.MAX_DEPTH));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MyCloudFunction().handleRequest(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(event)), out,
                new FakeContext(REQUEST_ID, 10_000));

        JsonNode answer = JSON.readTree(out.toByteArray());
        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        // The envelope adds its own level: read it as a client does, without Jackson's default depth bound.
        ObjectMapper client = JsonMapper.builder(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_DEPTH + 10).build()).build()).build();
        JsonNode body = client.readTree(answer.path("body").asText());
        assertThat(body.path("result").path("event")).isEqualTo(JSON.readTree(event.getBody()).get("data"));
    }

    /** {"data": [[...]]} nested {@code depth} containers deep, the body's own object included. */
    private static String deepBody(int depth) {
        return "{\"data\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @Test
    void badBase64BodyIs400() throws IOException {
        APIGatewayV2HTTPEvent event = load(BASE64);
        event.setBody("***not base64***");
        APIGatewayV2HTTPResponse response = invoke(new MyCloudFunction(), event);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertFailureBody(body(response));
    }

    @Test
    void base64BodyIsDecoded() throws IOException {
        APIGatewayV2HTTPEvent event = load(BASE64);
        assertThat(event.getBody()).doesNotContain("{");

        APIGatewayV2HTTPResponse response = invoke(new MyCloudFunction(), event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode echoed = body(response).get("result").get("event");
        assertThat(echoed).isEqualTo(withVerifiedUserInfo(sentData(load(EVENT))));
        assertThat(echoed.get("greeting").asText()).isEqualTo("\u4f60\u597d");
    }

    static Stream<Arguments> noData() {
        return Stream.of(
                Arguments.of("no body", (Consumer<APIGatewayV2HTTPEvent>) e -> e.setBody(null)),
                Arguments.of("empty body", (Consumer<APIGatewayV2HTTPEvent>) e -> e.setBody("")),
                Arguments.of("object without data", (Consumer<APIGatewayV2HTTPEvent>) e -> e.setBody("{}")),
                Arguments.of("data null", (Consumer<APIGatewayV2HTTPEvent>) e -> e.setBody("{\"data\":null}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noData")
    void withoutDataTheEventIsNull(String name, Consumer<APIGatewayV2HTTPEvent> change) throws IOException {
        APIGatewayV2HTTPEvent event = load(EVENT);
        change.accept(event);
        Probe probe = new Probe((data, context) -> Map.of("sawNull", data != null && data.isNull()));

        assertThat(body(invoke(probe, event)).get("result").get("sawNull").asBoolean()).isTrue();
        JsonNode result = body(invoke(new MyCloudFunction(), event)).get("result");
        assertThat(result.has("event")).isTrue();
        assertThat(result.get("event").isNull()).isTrue();
    }

    // ---- failures ----

    @Test
    void unexpectedExceptionIs500WithoutItsMessageOrStack() throws IOException {
        Probe probe = new Probe((data, context) -> {
            throw new IllegalStateException("secret detail", new RuntimeException("secret cause"));
        });

        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertFailureBody(body(response));
        assertThat(response.getBody()).doesNotContain("secret detail").doesNotContain("secret cause")
                .doesNotContain("Exception").doesNotContain("java.").doesNotContain("wxlogin.")
                .doesNotContain("\tat ").doesNotContain("at wxlogin");
    }

    @Test
    void runtimeExceptionIs500WithoutItsMessage() throws IOException {
        Probe probe = new Probe((data, context) -> {
            throw new RuntimeException("secret detail");
        });

        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertFailureBody(body(response));
        assertThat(response.getBody()).doesNotContain("secret detail").doesNotContain("RuntimeException");
    }

    @Test
    void checkedExceptionIs500WithoutItsMessage() throws IOException {
        Probe probe = new Probe((data, context) -> {
            throw new IOException("secret detail");
        });
        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getBody()).doesNotContain("secret detail");
    }

    @Test
    void resultThatCannotBeWrittenIs500() throws IOException {
        Probe probe = new Probe((data, context) -> new Object() {
            public String getValue() {
                throw new IllegalStateException("secret detail");
            }
        });
        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertFailureBody(body(response));
        assertThat(response.getBody()).doesNotContain("secret detail");
    }

    @Test
    void cloudFunctionExceptionGivesItsCodeAndReason() throws IOException {
        Probe probe = new Probe((data, context) -> {
            throw new CloudFunctionException(123, "quota exceeded");
        });

        APIGatewayV2HTTPResponse response = invoke(probe, load(EVENT));

        assertThat(response.getStatusCode()).isEqualTo(500);
        JsonNode body = body(response);
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("errCode", "errMsg", "requestID");
        assertThat(body.get("errCode").isIntegralNumber()).isTrue();
        assertThat(body.get("errCode").asLong()).isEqualTo(123);
        assertThat(body.get("errMsg").asText()).isEqualTo("cloud.callFunction:fail quota exceeded");
        assertThat(body.get("requestID").asText()).isEqualTo(REQUEST_ID);
    }

    static Stream<Arguments> withoutIdentity() {
        return Stream.of(
                Arguments.of("no authorizer", (Consumer<APIGatewayV2HTTPEvent>) e -> { }),
                Arguments.of("authorizer without lambda context", (Consumer<APIGatewayV2HTTPEvent>) e ->
                        e.getRequestContext().setAuthorizer(new APIGatewayV2HTTPEvent.RequestContext.Authorizer())),
                Arguments.of("lambda context without userId", (Consumer<APIGatewayV2HTTPEvent>) e -> {
                    APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer =
                            new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
                    authorizer.setLambda(Map.of("openid", "o-openid-42", "appid", "wxapp-multi-1"));
                    e.getRequestContext().setAuthorizer(authorizer);
                }),
                Arguments.of("no request context", (Consumer<APIGatewayV2HTTPEvent>) e -> e.setRequestContext(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutIdentity")
    void withoutAnAuthorizerContextIs500AndTheFunctionDoesNotRun(String name, Consumer<APIGatewayV2HTTPEvent> change)
            throws IOException {
        APIGatewayV2HTTPEvent event = load(NO_AUTHORIZER);
        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        change.accept(event);
        Probe probe = new Probe((data, context) -> "ran");

        APIGatewayV2HTTPResponse response = invoke(probe, event);

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertFailureBody(body(response));
        assertThat(probe.calls).hasValue(0);
    }

    private static void assertFailureBody(JsonNode body) {
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("errCode", "errMsg", "requestID");
        assertThat(body.get("errCode").isIntegralNumber()).isTrue();
        assertThat(body.get("errCode").asLong()).isNotZero();
        assertThat(body.get("errMsg").asText()).startsWith("cloud.callFunction:fail ")
                .hasSizeGreaterThan("cloud.callFunction:fail ".length());
        assertThat(body.get("requestID").asText()).isEqualTo(REQUEST_ID);
    }

    // ---- userInfo, as WeChat Cloud sets it ----

    @Test
    void nonObjectDataReachesTheFunctionUnchangedEvenWithAUserInfoInside() throws IOException {
        Probe probe = new Probe((data, context) -> data);
        APIGatewayV2HTTPEvent event = load(EVENT);
        for (String data : List.of("[{\"userInfo\":{\"openId\":\"o-FORGED\"}}]", "\"text\"", "42", "null")) {
            event.setBody("{\"data\":" + data + "}");
            APIGatewayV2HTTPResponse response = invoke(probe, event);
            assertThat(response.getStatusCode()).isEqualTo(200);
            assertThat(body(response).get("result")).isEqualTo(JSON.readTree(data));
        }
    }

    @Test
    void aLoginWithoutOpenidGetsUserInfoWithTheAppIdOnly() throws IOException {
        Probe probe = new Probe((data, context) -> data.get("userInfo"));
        APIGatewayV2HTTPEvent event = load(PHONE_LOGIN);
        event.setBody("{\"data\":{\"userInfo\":{\"openId\":\"o-FORGED\"}}}");
        APIGatewayV2HTTPResponse response = invoke(probe, event);
        JsonNode userInfo = body(response).get("result");
        assertThat(fieldNames(userInfo)).containsExactly("appId");
        assertThat(userInfo.get("appId").asText()).isEqualTo(probe.context.appid());
    }

    // ---- typed data ----

    record Order(String sku, int count, List<Line> lines) {
        record Line(String note, boolean gift) {
        }
    }

    static final class TypedProbe extends TypedCloudFunction<Order> {
        final AtomicInteger calls = new AtomicInteger();

        TypedProbe() {
            super(Order.class);
        }

        @Override
        protected Object call(Order data, WxContext context) {
            calls.incrementAndGet();
            return data == null ? "no data" : data.sku() + " x" + data.count() + " lines " + data.lines().size();
        }
    }

    @Test
    void typedDataBindsToTheFunctionsClassIgnoringMembersItDoesNotDeclare() throws IOException {
        TypedProbe probe = new TypedProbe();
        APIGatewayV2HTTPEvent event = load(EVENT);
        event.setBody("{\"data\":{\"sku\":\"A-1\",\"count\":2,\"lines\":[{\"note\":\"n\",\"gift\":true}],\"extra\":1}}");
        APIGatewayV2HTTPResponse response = invoke(probe, event);
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("result").asText()).isEqualTo("A-1 x2 lines 1");

        event.setBody("{}");
        assertThat(body(invoke(probe, event)).get("result").asText()).isEqualTo("no data");
        assertThat(probe.calls).hasValue(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"sku\":\"A\",\"count\":\"many\",\"lines\":[]}                         | data.count",
            "{\"sku\":\"A\",\"count\":1.5,\"lines\":[]}                                | data.count",
            "{\"sku\":\"A\",\"count\":null,\"lines\":[]}                               | data.count",
            "{\"sku\":\"A\",\"count\":1,\"lines\":[{\"gift\":false},{\"gift\":{\"x\":1}}]}  | data.lines[1].gift",
            "{\"sku\":{\"nested\":true},\"count\":1,\"lines\":[]}                        | data.sku",
            "[1,2]                                                                 | data does not",
    })
    void dataOfAnotherShapeIs400NamingTheFieldAndTheFunctionDoesNotRun(String data, String named) throws IOException {
        TypedProbe probe = new TypedProbe();
        APIGatewayV2HTTPEvent event = load(EVENT);
        event.setBody("{\"data\":" + data + "}");
        APIGatewayV2HTTPResponse response = invoke(probe, event);
        assertThat(response.getStatusCode()).isEqualTo(400);
        JsonNode body = body(response);
        assertThat(body.get("errCode").asLong()).isEqualTo(900004);
        assertThat(body.get("errMsg").asText()).startsWith("cloud.callFunction:fail ").contains(named)
                .doesNotContain("many").doesNotContain("Order").doesNotContain("jackson");
        assertThat(body.get("requestID").asText()).isEqualTo(REQUEST_ID);
        assertThat(probe.calls).hasValue(0);
    }
}
