package wxlogin.gate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import wxlogin.aws.AwsClients;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Invocation;
import wxlogin.common.SnapStartHook;
import wxlogin.http.ApiGatewayJson;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.token.SigningKeys;
import wxlogin.token.TokenVerifier;

/**
 * The HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses) on every
 * {@code /functions/*} route (CallGateFunction). Reads the header and the route, asks
 * {@link CallGate}, answers {@code isAuthorized} with the caller's identity as context.
 *
 * <p>A stream handler: Lambda calls {@link #handleRequest(InputStream, OutputStream, Context)} (the
 * overload with the most parameters), which reads the event with {@link ApiGatewayJson}, the project's
 * one strict mapper, rather than the runtime client's own copy of Jackson. Java callers use the typed
 * {@link #handleRequest(APIGatewayV2CustomAuthorizerEvent, Context)}; both run the same decision.
 */
public final class CallGateHandler implements RequestStreamHandler {

    /** The function's name in logs and metrics. */
    static final String FUNCTION = "gate";

    static {
        Invocation.startedAs(FUNCTION);
    }

    private final CallGate gate;
    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;

    /** Used by Lambda. */
    public CallGateHandler() {
        this(System.getenv());
    }

    /** Used by the local API and tests: the same wiring with a given environment. */
    public CallGateHandler(Map<String, String> environment) {
        this(wire(new Env(environment), SecretsManagerSource.fromEnvironment(new Env(environment)), Clock.systemUTC()));
    }

    public CallGateHandler(CallGate gate) {
        this.gate = gate;
        // Priming: a gated call against a loopback endpoint by a handler of its own, see GatePriming;
        // the real keys are read on the first request after restore.
        this.snapStartHook = SnapStartHook.register(GatePriming::run, () -> {
            AwsClients.forgetCredentials();
            gate.refreshAfterRestore();
        });
    }

    /** The SnapStart hooks, for tests. */
    SnapStartHook snapStartHook() {
        return snapStartHook;
    }

    /** Builds the gate from the environment; a malformed GATE_POLICY fails start-up loudly. */
    public static CallGate wire(Env env, SecretSource secrets, Clock clock) {
        CachedSecret<SigningKeys> keys = CachedSecret.of(secrets, env.required("SESSION_KEYS_SECRET_ID"),
                SigningKeys::parse, clock);
        return new CallGate(keys,
                new TokenVerifier(env.optional("SESSION_ISSUER", "weixin-app-login"), clock),
                GatePolicy.parse(env.optional("GATE_POLICY", "{}"), gatedFunctions(env)));
    }

    /** {@code GATED_FUNCTIONS}: the comma-separated names of the gated functions; null when unset. */
    static Set<String> gatedFunctions(Env env) {
        String names = env.optional("GATED_FUNCTIONS", null);
        if (names == null || names.isBlank()) {
            return null;
        }
        Set<String> set = new HashSet<>();
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                set.add(name.trim());
            }
        }
        return set;
    }

    /** Lambda's entry point: the authorizer event in, the simple answer out. */
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ApiGatewayJson.writeSimpleResponse(handleRequest(ApiGatewayJson.readAuthorizerEvent(input), context), output);
    }

    /** The decision for one authorizer event. */
    public SimpleIAMPolicyResponse handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        try (Invocation.Scope invocation = Invocation.begin(FUNCTION, context.getAwsRequestId())) {
            Map<String, String> allowed = gate.decide(header(event.getHeaders(), "authorization"), functionName(event),
                    Deadline.fromRemaining(context.getRemainingTimeInMillis(), Clock.systemUTC()));
            return allowed == null
                    ? SimpleIAMPolicyResponse.builder().withIsAuthorized(false).build()
                    : SimpleIAMPolicyResponse.builder().withIsAuthorized(true).withContext(allowed).build();
        }
    }

    /** The cloud function's name as API Gateway routed it; null for a path spelled non-canonically. */
    static String functionName(APIGatewayV2CustomAuthorizerEvent event) {
        return FunctionRoute.name(event.getRouteKey(), event.getRawPath());
    }

    /** API Gateway lower-cases header names in payload 2.0; accept any casing anyway. */
    private static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        String value = headers.get(name);
        if (value != null) {
            return value;
        }
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (name.equalsIgnoreCase(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }
}
