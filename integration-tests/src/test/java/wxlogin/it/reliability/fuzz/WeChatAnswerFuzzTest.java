// Level: fuzz target (Jazzer; CI replays the kept corpus, RELIABILITY.md has the long run) - arbitrary WeChat answers, over real HTTP from a local server, through the real login handler.
package wxlogin.it.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import wxlogin.common.Env;
import wxlogin.it.reliability.fuzz.FuzzSupport.Answer;
import wxlogin.it.reliability.fuzz.FuzzSupport.CapturedLog;
import wxlogin.it.reliability.fuzz.FuzzSupport.Framing;
import wxlogin.it.reliability.fuzz.FuzzSupport.LocalWeChat;
import wxlogin.testing.SecretLedger;
import wxlogin.login.CodeExchange;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.CachedSecret;
import wxlogin.testing.FakeContext;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKeys;
import wxlogin.wechat.StableAccessToken;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;

/**
 * WeChat's answers are input too. A local server answers {@code cgi-bin/stable_token} and/or
 * {@code donut/code2verifyinfo} with the fuzzer's bytes, status, content type and framing, and the
 * real login handler (real JDK HTTP client, real parsing) turns them into a contract answer. Each
 * input gets a fresh access-token cache, so both answers are parsed every time.
 *
 * <p>Input layout: byte 0 picks the path(s) fuzzed (0: code exchange, 1: stable_token, 2: both,
 * the body split at the first 0xFF), byte 1 the HTTP status, byte 2 the framing (Content-Length,
 * chunked, cut short, dropped), byte 3 the content type; the rest is the body. Invariants: no
 * exception leaves the handler; the status is one the contract names for an upstream's answer
 * (200, 401, 429, 500 only for WeChat's configuration errcodes, 502, 503); never the unexplained
 * 500 (900999); errors carry a non-zero errCode and an errMsg, 429 and 503 a Retry-After; a 200
 * carries a token we signed for exactly the user_id and login type of WeChat's answer; no secret,
 * access token or code reaches a log line; nothing hangs ({@link FuzzSupport#HANG_MILLIS}).
 */
class WeChatAnswerFuzzTest {

    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final int REMAINING_MILLIS = 3_000;
    private static final int[] STATUSES = {200, 200, 200, 200, 204, 301, 400, 404, 429, 500, 502, 503};
    private static final String[] CONTENT_TYPES = {"application/json; encoding=utf-8", "text/plain", "text/html; charset=gbk",
            "application/octet-stream"};
    /** errcodes the contract maps to 500 (our configuration or our bug: LoginErrors.MISCONFIGURATION). */
    private static final Set<Long> CONFIGURATION_ERRCODES = Set.of(10001002L, 10001003L, 10001004L, 10001005L, 43001L,
            40002L, 40013L, 40125L, 40164L, 61004L);
    private static final String GOOD_TOKEN_ANSWER = "{\"access_token\":\"" + FuzzSupport.ACCESS_TOKEN + "\",\"expires_in\":7200}";
    private static final String GOOD_EXCHANGE_ANSWER = "{\"errcode\":0,\"login_info\":{\"type\":\"weixinApp\"},"
            + "\"user_info\":{\"user_id\":\"fuzz-user\",\"openapp_info\":{\"openid\":\"o-fuzz\"}}}";
    private static final AtomicLong REQUESTS = new AtomicLong();

    private static LocalWeChat wechat;
    private static CapturedLog log;
    private static CachedSecret<WeChatCredentials> credentials;
    private static CachedSecret<SigningKeys> keys;
    private static WeChatClient client;
    private static SessionTokens tokens;
    private static final Clock CLOCK = Clock.systemUTC();

    private static volatile Answer tokenAnswer;
    private static volatile Answer exchangeAnswer;

    @BeforeAll
    static void start() {
        wechat = new LocalWeChat();
        wechat.answer("/cgi-bin/stable_token", query -> tokenAnswer);
        wechat.answer("/donut/code2verifyinfo", query -> exchangeAnswer);
        // The same pieces LoginHandler.wire builds, shared across inputs except the access-token cache.
        Env env = new Env(FuzzSupport.environment(wechat.baseUrl()));
        credentials = new CachedSecret<>(FuzzSupport::secret, env.required("WECHAT_APP_SECRET_ID"), WeChatCredentials::parse,
                Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(10), CLOCK);
        keys = new CachedSecret<>(FuzzSupport::secret, env.required("SESSION_KEYS_SECRET_ID"), SigningKeys::parse,
                Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(10), CLOCK);
        client = new WeChatClient(wechat.baseUrl());
        tokens = new SessionTokens("weixin-app-login", 7200, CLOCK);
        log = new CapturedLog();
    }

    @AfterAll
    static void stop() {
        log.close();
        wechat.close();
    }

    @FuzzTest(maxExecutions = 250_000, maxDuration = "30m")
    void fuzzWeChatAnswers(byte[] input) throws Exception {
        FuzzSupport.allowLoopbackOnly();
        int target = byteAt(input, 0) % 3;
        int status = STATUSES[byteAt(input, 1) % STATUSES.length];
        Framing framing = framing(byteAt(input, 2));
        String contentType = CONTENT_TYPES[byteAt(input, 3) % CONTENT_TYPES.length];
        byte[] rest = input.length > 4 ? Arrays.copyOfRange(input, 4, input.length) : new byte[0];
        byte[] tokenBody = GOOD_TOKEN_ANSWER.getBytes(StandardCharsets.UTF_8);
        byte[] exchangeBody = GOOD_EXCHANGE_ANSWER.getBytes(StandardCharsets.UTF_8);
        Answer fuzzedToken = null;
        Answer fuzzedExchange = null;
        if (target == 2) {
            int split = indexOf(rest, (byte) 0xFF);
            tokenBody = split < 0 ? rest : Arrays.copyOfRange(rest, 0, split);
            exchangeBody = split < 0 ? new byte[0] : Arrays.copyOfRange(rest, split + 1, rest.length);
            fuzzedToken = new Answer(status, contentType, tokenBody, framing);
            fuzzedExchange = new Answer(status, contentType, exchangeBody, framing);
        } else if (target == 1) {
            tokenBody = rest;
            fuzzedToken = new Answer(status, contentType, tokenBody, framing);
        } else {
            exchangeBody = rest;
            fuzzedExchange = new Answer(status, contentType, exchangeBody, framing);
        }
        tokenAnswer = fuzzedToken != null ? fuzzedToken : Answer.json(GOOD_TOKEN_ANSWER);
        exchangeAnswer = fuzzedExchange != null ? fuzzedExchange : Answer.json(GOOD_EXCHANGE_ANSWER);

        // A fresh access-token cache: stable_token is asked (and its answer parsed) on every input.
        CodeExchange exchange = new CodeExchange(credentials, keys, new StableAccessToken(client, CLOCK), client, tokens);
        LoginHandler handler = new LoginHandler(exchange, CLOCK);
        long n = REQUESTS.incrementAndGet();
        String code = "fuzz-code-" + n + "-0123456789abcdefghijklmnopqrstuvwxyz";
        long start = System.nanoTime();
        APIGatewayV2HTTPResponse response = handler.handleRequest(loginEvent(code), new FakeContext("fuzz-" + n, REMAINING_MILLIS));
        long millis = (System.nanoTime() - start) / 1_000_000;

        String logged = String.join("", log.take());
        wechat.takeCodes();
        assertThat(response).isNotNull();
        assertThat(millis).as("nothing hangs").isLessThan(FuzzSupport.HANG_MILLIS);
        int answered = response.getStatusCode();
        assertThat(answered).as(response.getBody()).isIn(200, 401, 429, 500, 502, 503);
        JsonNode body = STRICT.readTree(response.getBody());
        if (answered == 200) {
            // Read as the handler reads it: UTF-8 text.
            JsonNode wechatSaid = STRICT.readTree(new String(exchangeBody, StandardCharsets.UTF_8));
            assertThat(body.get("userId").asText()).isEqualTo(wechatSaid.at("/user_info/user_id").asText());
            assertThat(body.get("loginType").asText()).isEqualTo(wechatSaid.at("/login_info/type").asText());
            assertThat(FuzzSupport.signedByUs(body.get("token").asText())).isTrue();
            if (!FuzzSupport.fuzzing()) {
                SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, body.get("token").asText());
            }
        } else {
            long errCode = body.get("errCode").asLong();
            assertThat(errCode).isNotZero().isNotEqualTo(900_999L);
            assertThat(body.get("errMsg").asText()).isNotBlank();
            if (answered == 500) {
                assertThat(errCode).as("a 500 only for our own configuration").matches(c -> CONFIGURATION_ERRCODES.contains(c));
            }
            if (answered == 429 || answered == 503) {
                assertThat(response.getHeaders()).containsKey("Retry-After");
            }
        }
        assertThat(logged).doesNotContain(FuzzSupport.APP_SECRET).doesNotContain(FuzzSupport.SIGNING_KEY)
                .doesNotContain(FuzzSupport.ACCESS_TOKEN).doesNotContain(code);
        assertThat(response.getBody()).doesNotContain(FuzzSupport.APP_SECRET).doesNotContain(FuzzSupport.ACCESS_TOKEN);
    }

    private static APIGatewayV2HTTPEvent loginEvent(String code) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"code\":\"" + code + "\"}").withIsBase64Encoded(false).build();
    }

    private static Framing framing(int b) {
        // Mostly well framed: the parser, not the transport, is the main subject.
        return switch (b % 8) {
            case 5 -> Framing.CHUNKED;
            case 6 -> Framing.SHORT;
            case 7 -> Framing.DROP;
            default -> Framing.LENGTH;
        };
    }

    private static int byteAt(byte[] input, int i) {
        return i < input.length ? input[i] & 0xff : 0;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
