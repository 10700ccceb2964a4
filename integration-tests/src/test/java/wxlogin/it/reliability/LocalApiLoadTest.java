// Level: end to end, load - many concurrent clients against the local HTTP API (template.yaml, the real handlers in Lambda-like instances, the WeChat sandbox, the Secrets Manager endpoint); loopback only.
package wxlogin.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * {@code clients} concurrent apps, each logging in with a fresh sandbox code and then calling
 * myCloudFunction {@code callsPerLogin} times with its token, through the local HTTP API exactly
 * as an app goes through API Gateway: the gate runs on every call (locally nothing is cached),
 * each function has Lambda-like instances (4 each, created on demand).
 *
 * <p>CI runs 500 logins and 2,000 gated calls from 32 clients. The full run (RELIABILITY.md):
 * {@code -Dwxlogin.load.logins=5000} (with the default 4 calls per login: 20,000 calls). Reported:
 * throughput, latency percentiles, errors, cold starts, and the WeChat and Secrets Manager calls.
 * Asserted: no error at all; stable_token at most once per login instance (one token lifetime);
 * the legacy cgi-bin/token never; each code sent to WeChat once; secrets read only on cold starts.
 */
class LocalApiLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = Integer.getInteger("wxlogin.load.clients", 32);
    private static final int LOGINS = Integer.getInteger("wxlogin.load.logins", 500);
    private static final int CALLS_PER_LOGIN = Integer.getInteger("wxlogin.load.callsPerLogin", 4);
    /** false: SESSIONS_TABLE blank, no refresh tokens (separates DynamoDB Local's cost from ours). */
    private static final boolean LASTING_SESSIONS = !"false".equals(System.getProperty("wxlogin.load.lastingSessions"));

    private LocalMain.Stack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void manyClientsLogInAndCallAFunctionWithoutErrorsOrAnAccessTokenStorm() throws Exception {
        stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), false),
                LASTING_SESSIONS ? Map.of() : Map.of("SESSIONS_TABLE", ""));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long[] loginNanos = new long[LOGINS];
        long[] callNanos = new long[LOGINS * CALLS_PER_LOGIN];
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        List<String> firstErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();

        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < LOGINS; i = next.getAndIncrement()) {
                    oneApp(http, i, loginNanos, callNanos, errors, firstErrors);
                }
                return null;
            }));
        }
        for (Future<?> client : running) {
            client.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;

        WeChatSandbox wechat = stack.wechat();
        int loginInstances = stack.api().instancesCreated("CodeExchangeFunction");
        int gateInstances = stack.api().instancesCreated("CallGateFunction");
        long stableTokenCalls = wechat.calls(WeChatSandbox.STABLE_TOKEN_PATH);
        long secretReads = stack.secrets().calls("GetSecretValue");
        String report = String.format(Locale.ROOT, """
                load: %d clients, %d logins + %d gated calls in %.1f s = %.0f requests/s (%.0f logins/s, %.0f calls/s), lasting sessions %s
                load: login latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f; gated call latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f
                load: errors %s; instances: CodeExchangeFunction %d, CallGateFunction %d, MyCloudFunction %d
                load: WeChat stable_token %d, cgi-bin/token %d, code2verifyinfo %d; Secrets Manager GetSecretValue %d
                """, CLIENTS, LOGINS, callNanos.length, seconds, (LOGINS + callNanos.length) / seconds, LOGINS / seconds,
                callNanos.length / seconds, LASTING_SESSIONS && stack.lastingSessions() ? "on" : "off", ms(loginNanos, 50), ms(loginNanos, 90), ms(loginNanos, 99), ms(loginNanos, 100),
                ms(callNanos, 50), ms(callNanos, 90), ms(callNanos, 99), ms(callNanos, 100), errors, loginInstances,
                gateInstances, instances("MyCloudFunction"), stableTokenCalls,
                wechat.calls(WeChatSandbox.LEGACY_TOKEN_PATH), wechat.calls(WeChatSandbox.CODE2VERIFYINFO_PATH), secretReads);
        System.out.print(report);
        write(report);

        assertThat(errors).as("errors; first ones: %s", firstErrors).isEmpty();
        assertThat(stableTokenCalls).as("stable_token: at most one per login instance per token lifetime")
                .isBetween(1L, (long) loginInstances);
        assertThat(wechat.calls(WeChatSandbox.LEGACY_TOKEN_PATH)).as("the legacy token endpoint").isZero();
        assertThat(wechat.calls(WeChatSandbox.CODE2VERIFYINFO_PATH)).as("each code sent once").isEqualTo(LOGINS);
        // Each login instance reads two secrets, each gate instance one; SessionFunction (if any) its own.
        assertThat(secretReads).as("secrets are read on cold starts only")
                .isLessThanOrEqualTo(2L * loginInstances + gateInstances + 2L * instances("SessionFunction"));
    }

    private void oneApp(HttpClient http, int i, long[] loginNanos, long[] callNanos, Map<String, LongAdder> errors,
                        List<String> firstErrors) throws IOException, InterruptedException {
        String code = stack.wechat().issueCode("weixinApp", "load" + i);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        long t = System.nanoTime();
        HttpResponse<String> login = post(http, "/login", "{\"code\":\"" + code + "\"}", null);
        loginNanos[i] = System.nanoTime() - t;
        if (login.statusCode() != 200) {
            error(errors, firstErrors, "login", login);
            return;
        }
        JsonNode session = JSON.readTree(login.body());
        String token = session.get("token").asText();
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, token);
        if (session.hasNonNull("refreshToken")) {
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, session.get("refreshToken").asText());
        }
        for (int k = 0; k < CALLS_PER_LOGIN; k++) {
            t = System.nanoTime();
            HttpResponse<String> call = post(http, "/functions/myCloudFunction", "{\"data\":{\"i\":" + i + ",\"k\":" + k + "}}", token);
            callNanos[i * CALLS_PER_LOGIN + k] = System.nanoTime() - t;
            if (call.statusCode() != 200) {
                error(errors, firstErrors, "call", call);
            } else if (!JSON.readTree(call.body()).at("/result/openid").asText().equals(session.get("openid").asText())) {
                errors.computeIfAbsent("call: another user's identity", key -> new LongAdder()).increment();
            }
        }
    }

    /** Handler instances (cold starts) of a function, 0 when the template has no such function. */
    private int instances(String function) {
        try {
            return stack.api().instancesCreated(function);
        } catch (IllegalArgumentException notInTheTemplate) {
            return 0;
        }
    }

    private HttpResponse<String> post(HttpClient http, String path, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.api().url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void error(Map<String, LongAdder> errors, List<String> firstErrors, String kind,
                              HttpResponse<String> response) {
        errors.computeIfAbsent(kind + " " + response.statusCode(), key -> new LongAdder()).increment();
        if (firstErrors.size() < 5) {
            firstErrors.add(kind + " " + response.statusCode() + " " + response.body());
        }
    }

    /** The p-th percentile in milliseconds (nearest rank); 100 is the maximum. */
    static double ms(long[] nanos, int percentile) {
        long[] sorted = Arrays.stream(nanos).filter(n -> n > 0).sorted().toArray();
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static void write(String report) throws IOException {
        Path dir = Path.of(System.getProperty("wxlogin.surefireReports", "integration-tests/target/surefire-reports"))
                .resolveSibling("reliability");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("load-" + LOGINS + (LASTING_SESSIONS ? "" : "-no-refresh-tokens") + ".txt"), report);
    }
}
