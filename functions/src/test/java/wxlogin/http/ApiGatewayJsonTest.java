// Unit tests: the stream handlers' JSON boundary reads events exactly as the runtime's own serializer does, and writes answers API Gateway reads.
package wxlogin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.cloudfunction.MyCloudFunction;
import wxlogin.testing.FakeContext;

class ApiGatewayJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ApiGatewayJsonTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The event as the Lambda Java runtime maps it for a typed handler: its own Jackson POJO serializer. */
    private static <T> T asTheRuntimeReadsIt(byte[] json, Class<T> type) {
        PojoSerializer<T> serializer = JacksonFactory.getInstance().getSerializer(type);
        return serializer.fromJson(new ByteArrayInputStream(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-cloud-function.json", "my-cloud-function-base64.json",
            "my-cloud-function-forged-identity.json", "my-cloud-function-no-authorizer.json",
            "my-cloud-function-phone-login.json"})
    void readsHttpEventsExactlyAsTheRuntimeDoes(String name) throws IOException {
        byte[] json = resource("events/cloudfunction/" + name);
        APIGatewayV2HTTPEvent ours = ApiGatewayJson.readHttpEvent(new ByteArrayInputStream(json));
        APIGatewayV2HTTPEvent runtime = asTheRuntimeReadsIt(json, APIGatewayV2HTTPEvent.class);
        assertThat(ours).isEqualTo(runtime);
        // Not equal by accident of both being empty:
        assertThat(ours.getHeaders()).isNotEmpty();
        assertThat(ours.getRequestContext().getRequestId()).isNotBlank();
        assertThat(ours.getBody()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"authorizer-v2-my-cloud-function.json", "authorizer-v2-proxy-route.json"})
    void readsAuthorizerEventsExactlyAsTheRuntimeDoes(String name) throws IOException {
        byte[] json = resource("events/gate/" + name);
        APIGatewayV2CustomAuthorizerEvent ours = ApiGatewayJson.readAuthorizerEvent(new ByteArrayInputStream(json));
        APIGatewayV2CustomAuthorizerEvent runtime = asTheRuntimeReadsIt(json, APIGatewayV2CustomAuthorizerEvent.class);
        assertThat(ours).isEqualTo(runtime);
        assertThat(ours.getHeaders()).containsKey("authorization");
        assertThat(ours.getRouteKey()).startsWith("POST /functions/");
    }

    @Test
    void theLambdaAuthorizersContextKeepsItsValueTypes() throws IOException {
        String event = "{\"version\":\"2.0\",\"requestContext\":{\"authorizer\":{\"lambda\":"
                + "{\"userId\":\"u1\",\"n\":7,\"flag\":true}},\"timeEpoch\":1795528800000},\"isBase64Encoded\":true}";
        APIGatewayV2HTTPEvent ours = ApiGatewayJson.readHttpEvent(stream(event));
        assertThat(ours.getRequestContext().getAuthorizer().getLambda())
                .containsExactlyInAnyOrderEntriesOf(Map.of("userId", "u1", "n", 7L, "flag", true));
        assertThat(ours.getRequestContext().getTimeEpoch()).isEqualTo(1795528800000L);
        assertThat(ours.getIsBase64Encoded()).isTrue();
        assertThat(ours.getBody()).isNull();
        assertThat(ours.getHeaders()).isNull();
    }

    @Test
    void writesTheHttpAnswerApiGatewayReadsAndNoNullMembers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Retry-After", "1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ApiGatewayJson.writeHttpResponse(APIGatewayV2HTTPResponse.builder().withStatusCode(503).withHeaders(headers)
                .withBody("{\"errCode\":900503,\"errMsg\":\"caf\u00e9 \\\"quoted\\\"\"}").build(), out);
        JsonNode json = JSON.readTree(out.toByteArray());
        assertThat(json.path("statusCode").asInt()).isEqualTo(503);
        assertThat(json.path("headers").path("Retry-After").asText()).isEqualTo("1");
        assertThat(json.path("body").asText()).isEqualTo("{\"errCode\":900503,\"errMsg\":\"caf\u00e9 \\\"quoted\\\"\"}");
        assertThat(json.path("isBase64Encoded").isBoolean()).isTrue();
        assertThat(json.has("cookies")).isFalse();
        assertThat(json.has("multiValueHeaders")).isFalse();

        ByteArrayOutputStream noBody = new ByteArrayOutputStream();
        ApiGatewayJson.writeHttpResponse(HttpResponses.noContent(), noBody);
        JsonNode empty = JSON.readTree(noBody.toByteArray());
        assertThat(empty.path("statusCode").asInt()).isEqualTo(204);
        assertThat(empty.has("body")).isFalse();
    }

    @Test
    void writesTheSimpleAuthorizerAnswer() throws IOException {
        ByteArrayOutputStream allow = new ByteArrayOutputStream();
        ApiGatewayJson.writeSimpleResponse(SimpleIAMPolicyResponse.builder().withIsAuthorized(true)
                .withContext(Map.of("userId", "u1", "openid", "o1")).build(), allow);
        JsonNode allowed = JSON.readTree(allow.toByteArray());
        assertThat(allowed.path("isAuthorized").asBoolean()).isTrue();
        assertThat(allowed.path("context").path("userId").asText()).isEqualTo("u1");
        assertThat(allowed.path("context").path("openid").asText()).isEqualTo("o1");

        ByteArrayOutputStream deny = new ByteArrayOutputStream();
        ApiGatewayJson.writeSimpleResponse(SimpleIAMPolicyResponse.builder().withIsAuthorized(false).build(), deny);
        JsonNode denied = JSON.readTree(deny.toByteArray());
        assertThat(denied.path("isAuthorized").isBoolean()).isTrue();
        assertThat(denied.path("isAuthorized").asBoolean()).isFalse();
        assertThat(denied.has("context")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json eyJhbGciOi.secret-code", "[1,2]", "[]", "[[\"body\",\"x\"]]", "\"a string\"", "{\"body\":",
            "{\"body\":\"a\",\"body\":\"b\"}", "{} {}"})
    void somethingThatIsNotAnEventIsRefusedWithoutQuotingIt(String input) {
        assertThatThrownBy(() -> ApiGatewayJson.readHttpEvent(stream(input)))
                .isInstanceOf(ApiGatewayJson.NotAnEventException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-code").doesNotContain("eyJ"));
        assertThatThrownBy(() -> ApiGatewayJson.readAuthorizerEvent(stream(input)))
                .isInstanceOf(ApiGatewayJson.NotAnEventException.class);
    }

    @Test
    void anEventLargerThanApiGatewayCanSendIsRefused() {
        byte[] big = new byte[ApiGatewayJson.MAX_EVENT_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        assertThatThrownBy(() -> ApiGatewayJson.readHttpEvent(new ByteArrayInputStream(big)))
                .isInstanceOf(ApiGatewayJson.NotAnEventException.class)
                .hasMessageContaining("larger than");
    }

    @Test
    void theStreamEntryAnswersWhatTheTypedEntryAnswers() throws IOException {
        byte[] json = resource("events/cloudfunction/my-cloud-function.json");
        MyCloudFunction function = new MyCloudFunction();
        FakeContext context = new FakeContext("stream-vs-typed", 10_000);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(json), out, context);
        APIGatewayV2HTTPResponse typed = function.handleRequest(asTheRuntimeReadsIt(json, APIGatewayV2HTTPEvent.class), context);

        JsonNode streamed = JSON.readTree(out.toByteArray());
        assertThat(streamed.path("statusCode").asInt()).isEqualTo(typed.getStatusCode()).isEqualTo(200);
        assertThat(JSON.readTree(streamed.path("body").asText())).isEqualTo(JSON.readTree(typed.getBody()));
        assertThat(JSON.convertValue(streamed.path("headers"), Map.class)).isEqualTo(typed.getHeaders());
        assertThat(JSON.readTree(typed.getBody()).path("result").path("openid").asText()).isNotBlank();
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
