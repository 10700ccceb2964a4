package wxlogin.bench.jmh;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.gate.CallGate;
import wxlogin.gate.CallGateHandler;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.testing.FakeContext;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;
import wxlogin.token.SigningKeys;
import wxlogin.token.TokenVerifier;

/**
 * The gate's warm path with the signing keys cached (no outbound call): verifying a token, the
 * whole decision, and the handler with its typed event (without the runtime's JSON mapping).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GateBenchmark {

    private TokenVerifier verifier;
    private SigningKeys keys;
    private String token;
    private String authorization;
    private CallGate gate;
    private CallGateHandler handler;
    private APIGatewayV2CustomAuthorizerEvent event;
    private FakeContext context;
    private SigningKeys twoKeys;
    private String[] twoHeaders;
    private int next;

    @Setup
    public void setUp() {
        // The gate logs only denials; keep any stray line off the benchmark's output.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        Clock clock = Clock.systemUTC();
        SigningKey key = new SigningKey(DevelopmentSecrets.SIGNING_KID,
                DevelopmentSecrets.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
        keys = SigningKeys.of(key);
        token = new SessionTokens("weixin-app-login", 7200, clock)
                .mint(key, "sbx-weixinApp-bench", DevelopmentSecrets.APPID, "weixinApp", "o_app_bench", "u_bench").token();
        authorization = "Bearer " + token;
        verifier = new TokenVerifier("weixin-app-login", clock);
        gate = CallGateHandler.wire(new Env(Map.of("SESSION_KEYS_SECRET_ID", DevelopmentSecrets.SESSION_KEYS_SECRET_ID,
                "GATE_POLICY", "{\"myCloudFunction\":[\"weixinApp\",\"weixinMiniProgram\"]}")),
                id -> DevelopmentSecrets.sessionKeysJson(), clock);
        handler = new CallGateHandler(gate);
        event = APIGatewayV2CustomAuthorizerEvent.builder().withVersion("2.0").withType("REQUEST")
                .withRouteKey("POST /functions/myCloudFunction").withRawPath("/functions/myCloudFunction")
                .withHeaders(Map.of("authorization", authorization, "content-type", "application/json")).build();
        context = new FakeContext();
        // Two kids, so two header segments: TokenVerifier parses the header again whenever it changes.
        SigningKey other = new SigningKey("bench-other", "another-benchmark-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        twoKeys = SigningKeys.of(key, other);
        twoHeaders = new String[] {token, new SessionTokens("weixin-app-login", 7200, clock)
                .mint(other, "sbx-weixinApp-bench", DevelopmentSecrets.APPID, "weixinApp", "o_app_bench", "u_bench").token()};
        if (!verifier.verify(twoHeaders[1], twoKeys).valid() || gate.decide(authorization, "myCloudFunction", Deadline.in(6_000, Clock.systemUTC())) == null || !handler.handleRequest(event, context).getIsAuthorized()) {
            throw new IllegalStateException("the benchmark token is not accepted");
        }
    }

    /** TokenVerifier.verify with the keys at hand: parse, HS256 check, claims. */
    @Benchmark
    public TokenVerifier.Result verify() {
        return verifier.verify(token, keys);
    }

    /** TokenVerifier.verify with the header segment changing on every call (two kids in turn): no header reuse. */
    @Benchmark
    public TokenVerifier.Result verifyHeaderChanges() {
        next ^= 1;
        return verifier.verify(twoHeaders[next], twoKeys);
    }

    /** CallGate.decide: header, cached keys, verification, policy, context. */
    @Benchmark
    public Map<String, String> decide() {
        return gate.decide(authorization, "myCloudFunction", Deadline.in(6_000, Clock.systemUTC()));
    }

    /** CallGateHandler.handleRequest on a typed event. */
    @Benchmark
    public Object handler() {
        return handler.handleRequest(event, context);
    }
}
