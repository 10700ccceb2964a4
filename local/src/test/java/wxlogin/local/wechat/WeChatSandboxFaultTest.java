// Level: component test — WeChatSandbox's injected faults as a real HTTP client sees them.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeChatSandboxFaultTest {

    private static final String APPID = "wxtest00000000001";
    private static final String SECRET = "test-secret";
    private static final String CODE_PATH = WeChatSandbox.CODE2VERIFYINFO_PATH;

    private WeChatSandbox sandbox;
    private SandboxHttp http;
    private String token;

    @BeforeEach
    void start() {
        sandbox = WeChatSandbox.builder().credentials(APPID, SECRET)
                .clock(new AdjustableClock(Instant.parse("2026-11-24T12:00:00Z"))).start();
        http = new SandboxHttp(sandbox, APPID, SECRET);
        token = http.stableToken();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void http500WithHtmlAndTheCodeSurvives() {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.HTTP_500);
        HttpResponse<String> answer = get(code);
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).startsWith("<html>");
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(exchange(code).get("errcode").asInt()).isZero();
    }

    @Test
    void garbage() {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.GARBAGE);
        HttpResponse<String> answer = get(code);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("<html>not json");
        assertThat(exchange(code).get("errcode").asInt()).isZero();
    }

    @Test
    void truncatedJson() {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.TRUNCATED);
        HttpResponse<String> answer = get(code);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("{\"errcode\":0");
        assertThatThrownBy(() -> SandboxHttp.JSON.readTree(answer.body())).isInstanceOf(IOException.class);
        assertThat(exchange(code).get("errcode").asInt()).isZero();
    }

    @Test
    void hugeIsValidJsonOfAboutFiveMegabytes() throws Exception {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.HUGE);
        HttpResponse<byte[]> answer = HttpClient.newHttpClient().send(request(code), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body().length).isGreaterThan(5_000_000);
        assertThat(new String(answer.body(), 0, 20, StandardCharsets.UTF_8)).startsWith("{\"errcode\":0");
        assertThat(SandboxHttp.JSON.readTree(answer.body()).get("padding").asText()).hasSize(WeChatSandbox.HUGE_PADDING_BYTES);
        assertThat(exchange(code).get("errcode").asInt()).isZero();
    }

    @Test
    void slowAnswersNormallyAfterTheDelay() {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.SLOW(300));
        long started = System.nanoTime();
        JsonNode answer = SandboxHttp.json(get(code));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(answer.get("errcode").asInt()).isZero();
        assertThat(exchange(code).get("errcode").asInt()).isEqualTo(10001001);
    }

    @Test
    void errcodeRepeatsForTheGivenTimes() {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 2, Fault.ERRCODE(-1));
        for (int i = 0; i < 2; i++) {
            JsonNode answer = SandboxHttp.json(get(code));
            assertThat(answer.get("errcode").asInt()).isEqualTo(-1);
            assertThat(answer.get("errmsg").asText()).matches("system error rid: [0-9a-f-]{26}");
        }
        assertThat(exchange(code).get("errcode").asInt()).isZero();
        assertThat(sandbox.calls(CODE_PATH)).isEqualTo(3);
    }

    @Test
    void dropClosesTheConnectionWithoutAnyBytes() throws Exception {
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.DROP);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sandbox.port())) {
            socket.setSoTimeout(5_000);
            String target = CODE_PATH + "?" + SandboxHttp.query(http.code2VerifyInfoParams(token, code));
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(sandbox.calls(CODE_PATH)).isEqualTo(1);
        assertThat(exchange(code).get("errcode").asInt()).isZero();
    }

    @Test
    void javaNetHttpRetriesADroppedGetOnceOnItsOwn() {
        // Worth knowing for any backend on java.net.http: an empty reply to a GET is retried
        // silently, so one DROP is invisible to it and costs a second call.
        String code = sandbox.issueCode("weixinApp");
        sandbox.failNext(CODE_PATH, 1, Fault.DROP);
        HttpClient fresh = HttpClient.newHttpClient();
        assertThatCode(() -> fresh.send(request(code), HttpResponse.BodyHandlers.ofString())).doesNotThrowAnyException();
        assertThat(sandbox.calls(CODE_PATH)).isEqualTo(2);

        sandbox.failNext(CODE_PATH, 2, Fault.DROP);
        assertThatThrownBy(() -> fresh.send(request(sandbox.issueCode("weixinApp")), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(sandbox.calls(CODE_PATH)).isEqualTo(4);
    }

    @Test
    void faultsApplyPerPathAndInOrder() {
        sandbox.failNext(WeChatSandbox.STABLE_TOKEN_PATH, 1, Fault.ERRCODE(45009));
        sandbox.failNext(WeChatSandbox.STABLE_TOKEN_PATH, 1, Fault.TRUNCATED);
        assertThat(http.stableTokenAnswer(false).get("errcode").asInt()).isEqualTo(45009);
        HttpResponse<String> truncated = http.post(WeChatSandbox.STABLE_TOKEN_PATH, "{}");
        assertThat(truncated.body()).startsWith("{\"access_token\":").doesNotEndWith("}");
        assertThat(http.stableToken()).isEqualTo(token);

        sandbox.failNext(CODE_PATH, 1, Fault.GARBAGE);
        sandbox.clearFaults();
        assertThat(exchange(sandbox.issueCode("weixinApp")).get("errcode").asInt()).isZero();
    }

    private HttpResponse<String> get(String code) {
        return http.send(request(code));
    }

    private HttpRequest request(String code) {
        return HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + CODE_PATH + "?"
                + SandboxHttp.query(http.code2VerifyInfoParams(token, code)))).timeout(Duration.ofSeconds(5)).build();
    }

    private JsonNode exchange(String code) {
        return http.code2VerifyInfo(http.code2VerifyInfoParams(token, code));
    }
}
