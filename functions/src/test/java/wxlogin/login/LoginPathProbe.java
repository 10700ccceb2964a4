// Test helper (no tests): one login with lasting sessions, run by LoginLoadsNoDynamoDbClientTest inside a class loader of its own.
package wxlogin.login;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import wxlogin.common.Env;
import wxlogin.session.RefreshSessions;
import wxlogin.testing.FakeContext;

/**
 * SnapStart priming, then one {@code POST /login} through the production wiring of lasting
 * sessions ({@link RefreshSessions#forLoginOrNull}); secrets are handed over directly and the
 * environment points WeChat and DynamoDB at the test's stand-in. Answers the response body. Only
 * JDK types cross into and out of it, so it runs in a class loader that records what it loads.
 */
public final class LoginPathProbe implements Function<Map<String, String>, String> {

    @Override
    public String apply(Map<String, String> environment) {
        Env env = new Env(environment);
        CodeExchange exchange = LoginHandler.wire(env, id -> id.equals("app")
                ? "{\"appid\":\"wxpriming\",\"appsecret\":\"probe-app-secret\"}"
                : "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"probe-signing-key-0123456789-0123456789\"}]}", Clock.systemUTC());
        LoginHandler handler = new LoginHandler(exchange, RefreshSessions.forLoginOrNull(env, Clock.systemUTC()),
                Clock.systemUTC());
        handler.snapStartHook().beforeCheckpoint(null);
        handler.snapStartHook().afterRestore(null);
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRouteKey("POST /login").withRawPath("/login")
                .withBody("{\"code\":\"probe-code\"}").withIsBase64Encoded(false).build();
        return handler.handleRequest(event, new FakeContext()).getBody();
    }
}
