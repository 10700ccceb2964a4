// Test helper (no tests): one login with lasting sessions and one gated call, through the stream entries, run by LoginAndGateClassLoadingTest inside a class loader of its own.
package wxlogin.login;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import wxlogin.common.Env;
import wxlogin.common.Json;
import wxlogin.gate.CallGateHandler;
import wxlogin.session.RefreshSessions;
import wxlogin.testing.FakeContext;

/**
 * SnapStart priming, then one {@code POST /login} through the production wiring of lasting
 * sessions ({@link RefreshSessions#forLoginOrNull}); secrets are handed over directly and the
 * environment points WeChat and DynamoDB at the test's stand-in; then the gate decides on the
 * login's token. Answers both answers' JSON, one per line. Only
 * JDK types cross into and out of it, so it runs in a class loader that records what it loads.
 */
public final class LoginPathProbe implements Function<Map<String, String>, String> {

    private static final String KEYS = "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"probe-signing-key-0123456789-0123456789\"}]}";

    @Override
    public String apply(Map<String, String> environment) {
        Env env = new Env(environment);
        CodeExchange exchange = LoginHandler.wire(env, id -> id.equals("app")
                ? "{\"appid\":\"wxpriming\",\"appsecret\":\"probe-app-secret\"}"
                : KEYS, Clock.systemUTC());
        LoginHandler handler = new LoginHandler(exchange, RefreshSessions.forLoginOrNull(env, Clock.systemUTC()),
                Clock.systemUTC());
        handler.snapStartHook().beforeCheckpoint(null);
        handler.snapStartHook().afterRestore(null);
        // Through the stream entry Lambda calls: the event's JSON in, the answer's JSON out.
        String loginAnswer = stream(handler, "{\"version\":\"2.0\",\"routeKey\":\"POST /login\",\"rawPath\":\"/login\","
                + "\"requestContext\":{\"requestId\":\"probe\",\"http\":{\"method\":\"POST\"}},"
                + "\"body\":\"{\\\"code\\\":\\\"probe-code\\\"}\",\"isBase64Encoded\":false}");
        String body = Json.text(Json.objectOrNull(loginAnswer), "body");
        String token = Json.text(Json.objectOrNull(body), "token");

        CallGateHandler gate = new CallGateHandler(CallGateHandler.wire(env, id -> KEYS, Clock.systemUTC()));
        String gateAnswer = stream(gate, "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"routeKey\":\"POST /functions/myCloudFunction\","
                + "\"rawPath\":\"/functions/myCloudFunction\",\"headers\":{\"authorization\":\"Bearer " + token + "\"},"
                + "\"requestContext\":{\"requestId\":\"probe\"}}");
        return loginAnswer + "\n" + gateAnswer;
    }

    private static String stream(RequestStreamHandler handler, String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new FakeContext());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
