// Level: fuzz target (Jazzer; CI replays the kept corpus, RELIABILITY.md has the long run) - arbitrary POST /login requests through the real login handler.
package wxlogin.it.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import wxlogin.common.Env;
import wxlogin.it.reliability.fuzz.FuzzSupport.Answer;
import wxlogin.it.reliability.fuzz.FuzzSupport.CapturedLog;
import wxlogin.it.reliability.fuzz.FuzzSupport.LocalWeChat;
import wxlogin.testing.SecretLedger;
import wxlogin.login.LoginHandler;
import wxlogin.testing.FakeContext;

/**
 * Everything a client controls in {@code POST /login} — the body's bytes, the {@code
 * isBase64Encoded} flag, the headers — through the real login handler, whose WeChat is a local
 * server behaving like WeChat for unknown codes (10001001), codes starting with {@code ok}
 * (success) and codes starting with {@code old} (10001000).
 *
 * <p>Input layout: byte 0 holds flags (bit 0: isBase64Encoded; bit 1: base64-encode the rest
 * first; bit 2: no body; bit 3: odd headers; bit 4: the rest is Latin-1, not UTF-8), the rest is
 * the body. Invariants: no exception leaves the handler; the status is 200, 400 or 401 (a client
 * can never cause a 5xx); errors carry a non-zero errCode and an errMsg; a 200 carries a token we
 * signed for WeChat's user; no log line holds a secret, the access token or a code that reached
 * WeChat; nothing hangs (each input ends well within {@link FuzzSupport#HANG_MILLIS}).
 */
class LoginRequestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMAINING_MILLIS = 3_000;
    private static final AtomicLong REQUESTS = new AtomicLong();

    private static LocalWeChat wechat;
    private static LoginHandler handler;
    private static CapturedLog log;

    @BeforeAll
    static void start() {
        wechat = new LocalWeChat();
        wechat.answer("/cgi-bin/stable_token", query ->
                Answer.json("{\"access_token\":\"" + FuzzSupport.ACCESS_TOKEN + "\",\"expires_in\":7200}"));
        wechat.answer("/donut/code2verifyinfo", query -> {
            String code = query.getOrDefault("code", "");
            if (code.startsWith("ok")) {
                return Answer.json("{\"errcode\":0,\"login_info\":{\"type\":\"weixinApp\",\"login_time\":1732443200},"
                        + "\"user_info\":{\"user_id\":\"fuzz-user\",\"openapp_info\":{\"openid\":\"o-fuzz\","
                        + "\"session_key\":\"fuzz-session-key-0123456789\"}}}");
            }
            int errcode = code.startsWith("old") ? 10001000 : 10001001;
            return Answer.json("{\"errcode\":" + errcode + ",\"errmsg\":\"code error rid: fuzz-0001\"}");
        });
        SecretLedger.register(SecretLedger.Kind.SESSION_KEY, "fuzz-session-key-0123456789");
        Clock clock = Clock.systemUTC();
        handler = new LoginHandler(LoginHandler.wire(new Env(FuzzSupport.environment(wechat.baseUrl())),
                FuzzSupport::secret, clock), clock);
        log = new CapturedLog();
    }

    @AfterAll
    static void stop() {
        log.close();
        wechat.close();
    }

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "30m")
    void fuzzLoginRequest(byte[] input) throws Exception {
        FuzzSupport.allowLoopbackOnly();
        int flags = input.length == 0 ? 0 : input[0] & 0xff;
        byte[] rest = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        String body;
        if ((flags & 0b100) != 0) {
            body = null;
        } else if ((flags & 0b10) != 0) {
            body = Base64.getEncoder().encodeToString(rest);
        } else {
            body = new String(rest, (flags & 0b1_0000) != 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        if ((flags & 0b1000) != 0) {
            headers.put("content-type", "text/plain; charset=\u0000");
            headers.put("content-length", "-1");
            headers.put("x-forwarded-for", new String(rest, StandardCharsets.ISO_8859_1));
        }
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login")
                .withRawPath("/login").withHeaders(headers).withBody(body)
                .withIsBase64Encoded((flags & 0b1) != 0).build();

        long start = System.nanoTime();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event,
                new FakeContext("fuzz-" + REQUESTS.incrementAndGet(), REMAINING_MILLIS));
        long millis = (System.nanoTime() - start) / 1_000_000;

        List<String> lines = log.take();
        List<String> codes = wechat.takeCodes();
        assertThat(response).isNotNull();
        assertThat(millis).as("nothing hangs").isLessThan(FuzzSupport.HANG_MILLIS);
        assertThat(response.getStatusCode()).as("a client's input: %s", response.getBody()).isIn(200, 400, 401);
        JsonNode answer = JSON.readTree(response.getBody());
        if (response.getStatusCode() == 200) {
            String token = answer.get("token").asText();
            assertThat(FuzzSupport.signedByUs(token)).isTrue();
            assertThat(answer.get("userId").asText()).isEqualTo("fuzz-user");
            if (!FuzzSupport.fuzzing()) {
                SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, token);
            }
            assertThat(String.join("", lines)).doesNotContain(token);
        } else {
            assertThat(answer.get("errCode").asLong()).isNotZero();
            assertThat(answer.get("errMsg").asText()).isNotBlank();
        }
        String logged = String.join("", lines);
        assertThat(logged).doesNotContain(FuzzSupport.APP_SECRET).doesNotContain(FuzzSupport.SIGNING_KEY)
                .doesNotContain(FuzzSupport.ACCESS_TOKEN).doesNotContain("fuzz-session-key");
        for (String code : codes) {
            // Shorter strings could be the log's own words ("stage=code2verifyinfo", "weixinApp").
            if (code.length() >= 32) {
                assertThat(logged).as("a code that reached WeChat is logged").doesNotContain(code);
                if (!FuzzSupport.fuzzing()) {
                    SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
                }
            }
        }
        assertThat(response.getBody()).doesNotContain(FuzzSupport.APP_SECRET).doesNotContain(FuzzSupport.ACCESS_TOKEN)
                .doesNotContain("fuzz-session-key");
    }
}
