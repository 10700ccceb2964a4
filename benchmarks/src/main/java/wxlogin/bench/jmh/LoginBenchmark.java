package wxlogin.bench.jmh;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import wxlogin.common.Env;
import wxlogin.http.HttpResponses;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.login.LoginHandler;
import wxlogin.session.SessionBody;
import wxlogin.testing.FakeContext;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;

/**
 * The login handler's warm path with WeChat answered by a canned local server (no code
 * bookkeeping, so the server adds as little as possible). {@link #wechatRoundTrip()} is the same
 * code2verifyinfo GET with a bare JDK HTTP client: the handler's overhead besides the WeChat round
 * trip is {@code login - wechatRoundTrip}. {@link #mintAndAnswer()} is the in-process part alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoginBenchmark {

    static final String ANSWER = "{\"errcode\":0,\"errmsg\":\"ok\",\"login_info\":{\"type\":\"weixinApp\","
            + "\"login_time\":1795528800,\"appid\":\"" + DevelopmentSecrets.APPID + "\"},\"user_info\":{\"user_id\":"
            + "\"sbx-weixinApp-bench\",\"openapp_info\":{\"appid\":\"wxsandboxopenapp01\",\"openid\":\"o_app_bench\","
            + "\"unionid\":\"u_bench\",\"headimgurl\":\"https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox/132\","
            + "\"nickname\":\"Sandbox bench\"}}}";

    private HttpServer wechat;
    private ExecutorService wechatThreads;
    private LoginHandler handler;
    private APIGatewayV2HTTPEvent event;
    private FakeContext context;
    private HttpClient bareClient;
    private HttpRequest bareRequest;
    private SessionTokens tokens;
    private SigningKey key;

    @Setup
    public void setUp() throws IOException {
        // One log line per login (login.ok): formatted as in Lambda, written nowhere.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        wechat = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        wechat.createContext("/", LoginBenchmark::answer);
        wechatThreads = Executors.newFixedThreadPool(2);
        wechat.setExecutor(wechatThreads);
        wechat.start();
        String base = "http://127.0.0.1:" + wechat.getAddress().getPort();
        Map<String, String> env = new HashMap<>();
        env.put("WECHAT_APP_SECRET_ID", DevelopmentSecrets.WECHAT_APP_SECRET_ID);
        env.put("SESSION_KEYS_SECRET_ID", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
        env.put("WECHAT_API_BASE_URL", base);
        // Secrets in memory: a warm login reads none (they are cached), so no endpoint is needed.
        handler = new LoginHandler(LoginHandler.wire(new Env(env), id -> id.equals(DevelopmentSecrets.WECHAT_APP_SECRET_ID)
                ? DevelopmentSecrets.wechatAppSecretJson() : DevelopmentSecrets.sessionKeysJson(), Clock.systemUTC()),
                Clock.systemUTC());
        event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"code\":\"weixinApp.bench.0123456789abcdefghij\"}").withIsBase64Encoded(false).build();
        context = new FakeContext(15_000);
        bareClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        bareRequest = HttpRequest.newBuilder(URI.create(base + "/donut/code2verifyinfo?access_token=sbx_token"
                        + "&appid=" + DevelopmentSecrets.APPID + "&appsecret=" + DevelopmentSecrets.APPSECRET
                        + "&code=weixinApp.bench.0123456789abcdefghij&grant_type=authorization_code"))
                .timeout(Duration.ofSeconds(8)).header("Accept", "application/json").GET().build();
        tokens = new SessionTokens("weixin-app-login", 7200, Clock.systemUTC());
        key = new SigningKey(DevelopmentSecrets.SIGNING_KID, DevelopmentSecrets.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
        if (login().getStatusCode() != 200) {
            throw new IllegalStateException("the benchmark login fails");
        }
    }

    @TearDown
    public void tearDown() {
        wechat.stop(0);
        // Its threads would keep the forked JVM alive: JMH then waits 30 s and dumps them.
        wechatThreads.shutdownNow();
    }

    /** LoginHandler.handleRequest: body, cached secrets and access token, code2verifyinfo, mint, answer. */
    @Benchmark
    public APIGatewayV2HTTPResponse login() {
        return handler.handleRequest(event, context);
    }

    /** The code2verifyinfo round trip alone, with the JDK client the handler uses. */
    @Benchmark
    public byte[] wechatRoundTrip() throws IOException, InterruptedException {
        return bareClient.send(bareRequest, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /** Minting a token and writing the 200 answer: the login's in-process work after WeChat. */
    @Benchmark
    public APIGatewayV2HTTPResponse mintAndAnswer() {
        SessionTokens.Minted minted = tokens.mint(key, "sbx-weixinApp-bench", DevelopmentSecrets.APPID, "weixinApp",
                "o_app_bench", "u_bench");
        return HttpResponses.json(200, new SessionBody(minted.token(), "Bearer", 7200, "sbx-weixinApp-bench", "o_app_bench",
                "u_bench", "weixinApp", null, null).toJson());
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String body = exchange.getRequestURI().getPath().equals("/cgi-bin/stable_token")
                    ? "{\"access_token\":\"sbx_token\",\"expires_in\":7200}" : ANSWER;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; encoding=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
