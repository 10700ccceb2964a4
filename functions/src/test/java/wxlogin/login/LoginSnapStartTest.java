package wxlogin.login;

// Integration (fast): the login handler's SnapStart hooks, called directly, with WeChat answered by a canned local server.

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wxlogin.common.Env;
import wxlogin.secrets.SecretSource;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class LoginSnapStartTest {

    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> wechatCalls = new ConcurrentHashMap<>();
    private final SecretSource secrets = id -> {
        reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        return id.equals("app")
                ? "{\"appid\":\"wxapp\",\"appsecret\":\"app-secret\"}"
                : "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"snapstart-login-signing-key-0123456789\"}]}";
    };
    private HttpServer wechat;
    private LoginHandler handler;

    @BeforeEach
    void start() throws IOException {
        wechat = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        wechat.createContext("/", this::answer);
        wechat.start();
        Map<String, String> env = new HashMap<>();
        env.put("WECHAT_APP_SECRET_ID", "app");
        env.put("SESSION_KEYS_SECRET_ID", "keys");
        env.put("WECHAT_API_BASE_URL", "http://127.0.0.1:" + wechat.getAddress().getPort());
        handler = new LoginHandler(LoginHandler.wire(new Env(env), secrets, Clock.systemUTC()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        wechat.stop(0);
    }

    @Test
    void primingRunsALoginAgainstItsOwnLoopbackEndpointNeverTheFunctionsServices() throws Exception {
        try (LogCapture log = new LogCapture()) {
            handler.snapStartHook().beforeCheckpoint(null);

            assertThat(log.text()).as("priming ran the whole login").contains("snapstart.primed")
                    .contains("login.ok").doesNotContain("priming_failed");
        }
        assertThat(reads).as("no secret of the function read before the snapshot").isEmpty();
        assertThat(wechatCalls).as("no call to the function's WeChat before the snapshot").isEmpty();
        assertThat(login()).isEqualTo(200);
    }

    @Test
    void afterARestoreTheNextLoginReReadsBothSecretsAndTheAccessToken() throws Exception {
        assertThat(login()).isEqualTo(200);
        assertThat(login()).isEqualTo(200);
        assertThat(count(reads, "app")).isEqualTo(1);
        assertThat(count(reads, "keys")).isEqualTo(1);
        assertThat(count(wechatCalls, "/cgi-bin/stable_token")).isEqualTo(1);

        handler.snapStartHook().afterRestore(null);

        assertThat(login()).isEqualTo(200);
        assertThat(count(reads, "app")).as("re-read after restore").isEqualTo(2);
        assertThat(count(reads, "keys")).as("re-read after restore").isEqualTo(2);
        assertThat(count(wechatCalls, "/cgi-bin/stable_token")).as("the snapshot's access token is dropped").isEqualTo(2);
        assertThat(login()).isEqualTo(200);
        assertThat(count(reads, "app")).isEqualTo(2);
        assertThat(count(wechatCalls, "/donut/code2verifyinfo")).isEqualTo(4);
    }

    private int login() {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRouteKey("POST /login").withRawPath("/login")
                .withBody("{\"code\":\"code-" + wechatCalls.size() + "\"}").withIsBase64Encoded(false).build();
        return handler.handleRequest(event, new FakeContext()).getStatusCode();
    }

    private static int count(Map<String, AtomicInteger> counts, String key) {
        AtomicInteger value = counts.get(key);
        return value == null ? 0 : value.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            wechatCalls.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            String body = path.equals("/cgi-bin/stable_token")
                    ? "{\"access_token\":\"token-" + count(wechatCalls, path) + "\",\"expires_in\":7200}"
                    : LoginPriming.SAMPLE_ANSWER;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
