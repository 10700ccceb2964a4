// Component level: the local API over real HTTP on 127.0.0.1, running test handlers in-process.
package wxlogin.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import wxlogin.local.api.fixtures.TestAuthorizer;

class LocalApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalApi api;

    @BeforeAll
    static void start() {
        api = LocalApi.builder()
                .template(SamTemplateTest.testTemplate())
                .port(0)
                .environment("*", Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:1", "SESSION_ISSUER", "from-star"))
                .environment("CodeExchangeFunction", Map.of("SESSION_ISSUER", "from-function", "SESSIONS_TABLE_ARN", "local-table"))
                .parameter("SessionTtlSeconds", "60")
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(api.url() + pathAndQuery));
    }

    /** The echo handler's answer: {event, env, instance, functionName, ...}. */
    private static JsonNode echo(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void buildsThePayload2Event() throws Exception {
        HttpResponse<String> response = send(request("/echo/a/b%20c?b=2&a=1&a=3&enc=%20x&flag")
                .header("X-Custom-Header", "Value")
                .header("X-Multi", "one").header("X-Multi", "two")
                .header("Cookie", "c1=v1; c2=v2")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"abc\"}")));
        JsonNode out = echo(response);
        JsonNode event = out.get("event");
        assertThat(event.get("version").asText()).isEqualTo("2.0");
        assertThat(event.get("routeKey").asText()).isEqualTo("ANY /echo/{proxy+}");
        assertThat(event.get("rawPath").asText()).isEqualTo("/echo/a/b%20c");
        assertThat(event.get("rawQueryString").asText()).isEqualTo("b=2&a=1&a=3&enc=%20x&flag");
        assertThat(event.get("queryStringParameters").get("a").asText()).isEqualTo("1,3");
        assertThat(event.get("queryStringParameters").get("enc").asText()).isEqualTo(" x");
        assertThat(event.get("queryStringParameters").get("flag").asText()).isEmpty();
        assertThat(event.get("pathParameters").get("proxy").asText()).isEqualTo("a/b c");
        JsonNode headers = event.get("headers");
        assertThat(headers.get("x-custom-header").asText()).isEqualTo("Value");
        assertThat(headers.get("x-multi").asText()).isEqualTo("one,two");
        assertThat(headers.has("cookie")).isFalse();
        headers.fieldNames().forEachRemaining(name -> assertThat(name).isEqualTo(name.toLowerCase()));
        assertThat(event.get("cookies")).extracting(JsonNode::asText).containsExactly("c1=v1", "c2=v2");
        assertThat(event.get("body").asText()).isEqualTo("{\"code\":\"abc\"}");
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();

        JsonNode ctx = event.get("requestContext");
        assertThat(ctx.get("routeKey").asText()).isEqualTo("ANY /echo/{proxy+}");
        assertThat(ctx.get("stage").asText()).isEqualTo("$default");
        assertThat(ctx.get("accountId").asText()).isEqualTo("000000000000");
        assertThat(ctx.get("apiId").asText()).isEqualTo("local");
        assertThat(ctx.get("domainName").asText()).isEqualTo("127.0.0.1:" + api.port());
        assertThat(ctx.get("http").get("method").asText()).isEqualTo("POST");
        assertThat(ctx.get("http").get("path").asText()).isEqualTo("/echo/a/b%20c");
        assertThat(ctx.get("http").get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(ctx.get("http").get("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(ctx.get("time").asText()).matches("\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000");
        assertThat(ctx.get("timeEpoch").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(ctx.has("authorizer")).isFalse();

        String secondId = echo(send(request("/echo/x"))).get("event").get("requestContext").get("requestId").asText();
        assertThat(ctx.get("requestId").asText()).isNotBlank().isNotEqualTo(secondId);
    }

    @Test
    void binaryBodiesArriveBase64Encoded() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        JsonNode event = echo(send(request("/echo/bin").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)))).get("event");
        assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(event.get("body").asText()).isEqualTo("AAEC/w==");

        JsonNode form = echo(send(request("/echo/form").header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString("a=1")))).get("event");
        assertThat(form.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(form.get("body").asText()).isEqualTo("a=1");
        assertThat(LocalApi.isText("application/problem+json")).isTrue();
        assertThat(LocalApi.isText("image/png")).isFalse();
    }

    @Test
    void mapsTheResponseAndTheContext() throws Exception {
        HttpResponse<String> response = send(request("/login").POST(HttpRequest.BodyPublishers.ofString("{}")));
        JsonNode out = echo(response);
        assertThat(response.headers().firstValue("x-echo")).contains("yes");
        assertThat(response.headers().firstValue("content-type")).contains("application/json"); // default
        assertThat(response.headers().allValues("set-cookie")).containsExactly("session=abc; HttpOnly", "theme=dark");
        assertThat(out.get("event").get("routeKey").asText()).isEqualTo("POST /login");
        assertThat(out.get("functionName").asText()).isEqualTo("CodeExchangeFunction");
        assertThat(out.get("invokedFunctionArn").asText())
                .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:CodeExchangeFunction:live");
        assertThat(out.get("memoryLimitInMB").asInt()).isEqualTo(1024);
        assertThat(out.get("remainingTimeInMillis").asInt()).isBetween(15_000, 20_000);
    }

    @Test
    void environmentMergesTemplateGlobalsAndOverrides() throws Exception {
        JsonNode env = echo(send(request("/login").POST(HttpRequest.BodyPublishers.ofString("{}")))).get("env");
        assertThat(env.get("SESSION_ISSUER").asText()).isEqualTo("from-function"); // function override > "*" > template
        assertThat(env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER").asText()).isEqualTo("http://127.0.0.1:1"); // "*" adds
        assertThat(env.get("SESSIONS_TABLE_ARN").asText()).isEqualTo("local-table"); // fills an unresolvable value
        assertThat(env.get("SESSION_TTL_SECONDS").asText()).isEqualTo("60"); // parameter override
        assertThat(env.get("SESSION_KEYS_SECRET_ID").asText()).isEqualTo("SessionKeysSecret"); // Globals
        assertThat(env.get("WECHAT_APP_SECRET_ID").asText()).isEqualTo("WeChatAppSecret");
        assertThat(env.get("AWS_REGION").asText()).isEqualTo("us-east-1");

        assertThat(api.environment("MyCloudFunction")).containsEntry("SESSION_ISSUER", "from-star")
                .doesNotContainKey("SESSIONS_TABLE_ARN");
        assertThat(api.warnings()).anyMatch(w -> w.contains("MISSING")).noneMatch(w -> w.contains("SESSIONS_TABLE_ARN"));
    }

    @Test
    void missingIdentityHeaderIs401WithoutCallingTheAuthorizer() throws Exception {
        long gateCalls = api.invocations("CallGateFunction");
        long fnCalls = api.invocations("MyCloudFunction");
        HttpResponse<String> response = send(request("/functions/myCloudFunction").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(api.invocations("CallGateFunction")).isEqualTo(gateCalls);
        assertThat(api.invocations("MyCloudFunction")).isEqualTo(fnCalls);
    }

    @Test
    void deniedIs403AndTheFunctionIsNotCalled() throws Exception {
        long gateCalls = api.invocations("CallGateFunction");
        long fnCalls = api.invocations("MyCloudFunction");
        HttpResponse<String> response = send(request("/functions/myCloudFunction").header("Authorization", "Bearer bad")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"message\":\"Forbidden\"}");
        assertThat(api.invocations("CallGateFunction")).isEqualTo(gateCalls + 1);
        assertThat(api.invocations("MyCloudFunction")).isEqualTo(fnCalls);
    }

    @Test
    void authorizerFailureOrTimeoutIs500() throws Exception {
        HttpResponse<String> boom = send(request("/functions/myCloudFunction").header("Authorization", "Bearer boom")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");

        HttpResponse<String> slow = send(request("/functions/myCloudFunction").header("Authorization", "Bearer slow")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(slow.statusCode()).isEqualTo(500); // the gate's Timeout is 1 s
    }

    @Test
    void allowedContextReachesTheFunction() throws Exception {
        HttpResponse<String> response = send(request("/functions/myCloudFunction?x=1").header("Authorization", "Bearer good")
                .header("Cookie", "k=v").POST(HttpRequest.BodyPublishers.ofString("{\"data\":1}")));
        JsonNode event = echo(response).get("event");
        assertThat(event.get("requestContext").get("authorizer").get("lambda").get("userId").asText()).isEqualTo("u1");
        assertThat(event.get("routeKey").asText()).isEqualTo("POST /functions/myCloudFunction"); // literal beats {name}

        var seen = TestAuthorizer.lastEvent;
        assertThat(seen.getVersion()).isEqualTo("2.0");
        assertThat(seen.getType()).isEqualTo("REQUEST");
        assertThat(seen.getRouteArn())
                .isEqualTo("arn:aws:execute-api:us-east-1:000000000000:local/$default/POST/functions/myCloudFunction");
        assertThat(seen.getIdentitySource()).containsExactly("Bearer good", "POST /functions/myCloudFunction");
        assertThat(seen.getRouteKey()).isEqualTo("POST /functions/myCloudFunction");
        assertThat(seen.getRawQueryString()).isEqualTo("x=1");
        assertThat(seen.getHeaders()).containsEntry("authorization", "Bearer good").doesNotContainKey("cookie");
        assertThat(seen.getCookies()).containsExactly("k=v");
        assertThat(seen.getRequestContext().getRequestId()).isNotBlank();
        assertThat(seen.getRequestContext().getHttp().getSourceIp()).isEqualTo("127.0.0.1");
        assertThat(seen.getRequestContext().getTime()).isNotNull(); // joda parses our time format
        assertThat(seen.getRequestContext().getTimeEpoch().toEpochMilli())
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));

        JsonNode named = echo(send(request("/functions/other").header("Authorization", "Bearer good")
                .POST(HttpRequest.BodyPublishers.ofString("{}")))).get("event");
        assertThat(named.get("routeKey").asText()).isEqualTo("POST /functions/{name}");
        assertThat(named.get("pathParameters").get("name").asText()).isEqualTo("other");
        assertThat(TestAuthorizer.lastEvent.getIdentitySource()).containsExactly("Bearer good", "POST /functions/{name}");
    }

    @Test
    void routeWithAuthNoneSkipsTheAuthorizer() throws Exception {
        long gateCalls = api.invocations("CallGateFunction");
        HttpResponse<String> response = send(request("/login").header("Authorization", "Bearer bad")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(api.invocations("CallGateFunction")).isEqualTo(gateCalls);
    }

    @Test
    void gatewayAnswersForNoRouteTooLargeAndHandlerFailure() throws Exception {
        HttpResponse<String> none = send(request("/nope"));
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(send(request("/login")).statusCode()).isEqualTo(404); // GET on a POST route

        HttpResponse<String> tooLarge = send(request("/login")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[LocalApi.MAX_BODY_BYTES + 1])));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).isEqualTo("{\"message\":\"Request Entity Too Large\"}");

        HttpResponse<String> thrown = send(request("/throw"));
        assertThat(thrown.statusCode()).isEqualTo(500);
        assertThat(thrown.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(api.invocations("ThrowingFunction")).isEqualTo(1);
    }

    @Test
    void otherHandlerShapes() throws Exception {
        HttpResponse<String> plain = send(request("/plain"));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("content-type")).contains("application/json");
        assertThat(JSON.readTree(plain.body())).isEqualTo(JSON.readTree("{\"routeKey\":\"GET /plain\",\"ok\":true}"));

        HttpResponse<String> stream = send(request("/stream").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hi", StandardCharsets.UTF_8)));
        assertThat(stream.statusCode()).isEqualTo(201);
        assertThat(stream.headers().firstValue("content-type")).contains("text/plain");
        assertThat(stream.body()).isEqualTo("stream POST /stream hi");
    }

    @Test
    void routesArePrintable() {
        assertThat(api.routes()).extracting(Object::toString)
                .contains("POST /login -> CodeExchangeFunction (no authorizer)",
                        "POST /functions/myCloudFunction -> MyCloudFunction (authorizer CallGate -> CallGateFunction)");
    }
}
