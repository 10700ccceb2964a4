// Test helper (no tests): the outage drill's stand-ins (WeChat sandbox, Secrets Manager endpoint, DynamoDB Local), each behind a TCP fault proxy, and the production handlers wired to them as Lambda wires them, on one clock the drill can move.
package wxlogin.it.drill;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import wxlogin.common.Env;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.faults.FaultProxy;
import wxlogin.it.faults.OffsetClock;
import wxlogin.it.template.Template;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.session.RefreshSessions;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.SecretLedger;

/**
 * One set of stand-ins for the whole drill. Handlers under test reach every dependency through its
 * {@link FaultProxy}; the drill's own set-up (logins that start sessions and mint tokens) goes
 * straight to the stand-ins, so a fault never breaks the set-up.
 */
final class DrillStand implements AutoCloseable {

    final WeChatSandbox wechat;
    final SecretsManagerEndpoint secrets;
    final DynamoDbLocal dynamo = DynamoDbLocal.shared();
    final String table = "drill-sessions-" + UUID.randomUUID();
    final FaultProxy wechatProxy;
    final FaultProxy secretsProxy;
    final FaultProxy dynamoProxy;
    final OffsetClock clock = new OffsetClock();
    private final LoginHandler setupLogin;

    DrillStand() {
        // The JDK HTTP server behind the sandbox and the Secrets Manager endpoint answers without
        // Nagle's 40 ms stalls (read when its first server starts; the fuzz replay sets it the same way).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        wechat = DevelopmentSecrets.sandboxFor();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        dynamo.createTable(table, Template.load().properties("SessionsTable"));
        wechatProxy = FaultProxy.start(java.net.URI.create(wechat.baseUrl()));
        secretsProxy = FaultProxy.start(secrets.endpoint());
        dynamoProxy = FaultProxy.start(dynamo.endpoint());
        setupLogin = loginHandler(directEnvironment());
    }

    /** Every dependency straight, no proxy: for the drill's set-up. */
    Map<String, String> directEnvironment() {
        Map<String, String> env = new HashMap<>(DevelopmentSecrets.environment(wechat, secrets));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("SESSIONS_TABLE", table);
        return env;
    }

    /** Every dependency through its fault proxy: for the handlers under test. */
    Map<String, String> faultableEnvironment() {
        Map<String, String> env = directEnvironment();
        env.put("WECHAT_API_BASE_URL", wechatProxy.endpoint());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsProxy.endpoint());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoProxy.endpoint());
        return env;
    }

    /** CodeExchangeFunction's handler, wired as its Lambda constructor wires it, on {@link #clock}. */
    LoginHandler loginHandler() {
        return loginHandler(faultableEnvironment());
    }

    private LoginHandler loginHandler(Map<String, String> environment) {
        Env env = new Env(environment);
        return new LoginHandler(LoginHandler.wire(env, SecretsManagerSource.fromEnvironment(env), clock),
                RefreshSessions.forLoginOrNull(env, clock), clock);
    }

    /** CallGateFunction's handler, on {@link #clock}. */
    CallGateHandler gateHandler() {
        Env env = new Env(faultableEnvironment());
        return new CallGateHandler(CallGateHandler.wire(env, SecretsManagerSource.fromEnvironment(env), clock));
    }

    /** SessionFunction's handler, on {@link #clock}. */
    SessionHandler sessionHandler() {
        Env env = new Env(faultableEnvironment());
        return new SessionHandler(SessionHandler.wire(env, SecretsManagerSource.fromEnvironment(env),
                RefreshSessions.fromEnvironment(env, clock), clock), clock);
    }

    /** A healthy login outside the drill's faults: the body of its 200 (token, refreshToken...). */
    Drill.Answer setupLogin() {
        Drill.Answer answer = Drill.Answer.of(setupLogin.handleRequest(Drill.loginEvent(code()), Drill.context(15_000)));
        if (answer.status() != 200 || !answer.json().has("refreshToken")) {
            throw new IllegalStateException("the drill's set-up login failed: " + answer);
        }
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, answer.json().get("token").asText());
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, answer.json().get("refreshToken").asText());
        return answer;
    }

    /** A fresh code of WeChat's own user, recorded as sensitive. */
    String code() {
        String code = wechat.issueCode("weixinApp");
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        return code;
    }

    /** No fault anywhere: ports open again, hung requests dropped. */
    void heal() {
        wechatProxy.heal();
        secretsProxy.heal();
        dynamoProxy.heal();
        wechat.clearFaults();
    }

    @Override
    public void close() {
        wechatProxy.close();
        secretsProxy.close();
        dynamoProxy.close();
        wechat.close();
        secrets.close();
    }
}
