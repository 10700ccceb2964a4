// Level: fuzz target (Jazzer; CI replays the kept corpus, RELIABILITY.md has the long run) - arbitrary Authorization headers, route keys and paths through the real gate handler.
package wxlogin.it.reliability.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import wxlogin.common.Env;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.reliability.fuzz.FuzzSupport.CapturedLog;
import wxlogin.testing.SecretLedger;
import wxlogin.testing.FakeContext;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;

/**
 * What reaches CallGateFunction from a client: the Authorization header (any bytes, any casing
 * of its name, duplicated, absent, or built around a genuine token the fuzzer may mangle) and the
 * path; plus route keys as API Gateway would send them. GATE_POLICY closes {@code closed} and
 * limits {@code restricted} to mini program sessions.
 *
 * <p>Input layout: byte 0 holds flags (bit 0: no headers at all; bit 1: splice the genuine app
 * token; bit 2: splice the genuine mini program token; bit 3: header name in another casing;
 * bit 4: a second Authorization header; bit 5: no route key; bit 6: no path), byte 1 picks the
 * route key, the rest is split at 0x00 into: text before the token, text after it, a raw route key
 * (route choice 7) and the path. Invariants: no exception; an allow only for a header whose bearer
 * token is exactly a genuine one, with that token's identity as context, and never against the
 * policy; at most one log line per decision, never holding a token; bounded time.
 */
class GateHeaderFuzzTest {

    private static final String[] ROUTE_KEYS = {"POST /functions/myCloudFunction", "POST /functions/restricted",
            "POST /functions/closed", "POST /functions/{name}", "POST /functions/{proxy+}", "$default", "ANY /{proxy+}"};
    private static final AtomicLong REQUESTS = new AtomicLong();

    private static CallGateHandler gate;
    private static CapturedLog log;
    private static String appToken;
    private static String miniProgramToken;

    @BeforeAll
    static void start() {
        Clock clock = Clock.systemUTC();
        gate = new CallGateHandler(CallGateHandler.wire(new Env(FuzzSupport.environment("http://127.0.0.1:9")),
                FuzzSupport::secret, clock));
        SessionTokens tokens = new SessionTokens("weixin-app-login", 7200, clock);
        SigningKey key = new SigningKey("k1", FuzzSupport.SIGNING_KEY.getBytes(StandardCharsets.UTF_8));
        appToken = tokens.mint(key, "user-app", FuzzSupport.APPID, "weixinApp", "o-app", null).token();
        miniProgramToken = tokens.mint(key, "user-mp", FuzzSupport.APPID, "weixinMiniProgram", "o-mp", "u-mp").token();
        if (!FuzzSupport.fuzzing()) {
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, appToken);
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, miniProgramToken);
        }
        log = new CapturedLog();
    }

    @AfterAll
    static void stop() {
        log.close();
    }

    @FuzzTest(maxExecutions = 2_000_000, maxDuration = "30m")
    void fuzzAuthorizerEvent(byte[] input) {
        int flags = input.length > 0 ? input[0] & 0xff : 0;
        int route = input.length > 1 ? (input[1] & 0xff) % (ROUTE_KEYS.length + 1) : 0;
        List<String> parts = split(input.length > 2 ? new String(input, 2, input.length - 2, StandardCharsets.UTF_8) : "");
        String before = parts.get(0);
        String after = parts.get(1);
        String token = (flags & 0b100) != 0 ? miniProgramToken : (flags & 0b10) != 0 ? appToken : "";
        String authorization = before + token + after;

        Map<String, String> headers = null;
        if ((flags & 0b1) == 0) {
            headers = new HashMap<>();
            headers.put((flags & 0b1000) != 0 ? "AuThOrIzAtIoN" : "authorization", authorization);
            if ((flags & 0b1_0000) != 0) {
                headers.put("Authorization", after + before);
            }
            headers.put("content-type", "application/json");
        }
        String routeKey = (flags & 0b10_0000) != 0 ? null : route < ROUTE_KEYS.length ? ROUTE_KEYS[route] : parts.get(2);
        String rawPath = (flags & 0b100_0000) != 0 ? null : parts.get(3);
        APIGatewayV2CustomAuthorizerEvent event = APIGatewayV2CustomAuthorizerEvent.builder().withVersion("2.0")
                .withType("REQUEST").withRouteKey(routeKey).withRawPath(rawPath).withHeaders(headers).build();

        long start = System.nanoTime();
        SimpleIAMPolicyResponse answer = gate.handleRequest(event, new FakeContext("fuzz-" + REQUESTS.incrementAndGet(), 8_000));
        long millis = (System.nanoTime() - start) / 1_000_000;

        List<String> lines = log.take();
        assertThat(answer).isNotNull();
        assertThat(millis).as("nothing hangs").isLessThan(FuzzSupport.HANG_MILLIS);
        assertThat(lines.size()).as("one line per decision at most").isLessThanOrEqualTo(1);
        for (String line : lines) {
            assertThat(line.indexOf('\n')).as("a log line cannot be split by client input").isEqualTo(line.length() - 1);
            assertThat(line).doesNotContain(appToken).doesNotContain(miniProgramToken);
        }
        if (answer.getIsAuthorized()) {
            String presented = null;
            for (Map.Entry<String, String> header : headers.entrySet()) {
                String bearer = bearer(header.getKey(), header.getValue());
                if (appToken.equals(bearer) || miniProgramToken.equals(bearer)) {
                    presented = bearer;
                }
            }
            assertThat(presented).as("allowed without a genuine token").isNotNull();
            boolean miniProgram = presented.equals(miniProgramToken);
            assertThat(answer.getContext()).containsEntry("userId", miniProgram ? "user-mp" : "user-app")
                    .containsEntry("loginType", miniProgram ? "weixinMiniProgram" : "weixinApp");
            String function = functionName(routeKey, rawPath);
            assertThat(function).as("a closed function").isNotEqualTo("closed");
            if ("restricted".equals(function)) {
                assertThat(miniProgram).as("the policy of 'restricted'").isTrue();
            }
        } else {
            assertThat(answer.getContext()).isNullOrEmpty();
        }
    }

    /** RFC 6750 as the contract reads it: "Bearer" in any casing, one space, the token, surrounding blanks ignored. */
    private static String bearer(String name, String value) {
        if (!name.equalsIgnoreCase("authorization") || value == null) {
            return null;
        }
        String trimmed = value.trim();
        if (trimmed.length() < 8 || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return trimmed.substring(7).trim();
    }

    /** The contract: the function's name from the route key, or from the path when the route key has a parameter. */
    private static String functionName(String routeKey, String rawPath) {
        String path = routeKey == null ? null : routeKey.substring(routeKey.indexOf(' ') + 1);
        if (path == null || path.contains("{")) {
            path = rawPath;
        }
        if (path == null || !path.startsWith("/functions/")) {
            return path;
        }
        String name = path.substring("/functions/".length());
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>(List.of(text.split("\u0000", 4)));
        while (parts.size() < 4) {
            parts.add("");
        }
        return parts;
    }
}
