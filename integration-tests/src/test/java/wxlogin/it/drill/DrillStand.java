// Test helper (no tests): the outage drill's stand-ins (WeChat sandbox, Secrets Manager endpoint, DynamoDB Local), each behind a TCP fault proxy, and the production handlers wired to them as Lambda wires them, on one clock the drill can move.
package wxlogin.it.drill;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.aws.AwsClients;
import wxlogin.cloudfunction.GetPhoneNumber;
import wxlogin.cloudfunction.WeChatApi;
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
import wxlogin.users.IdentityKey;
import wxlogin.users.UserDirectory;

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
    /** The user directory (UsersTable) has a proxy of its own, so its faults and SessionsTable's are told apart. */
    final String usersTable = "drill-users-" + UUID.randomUUID();
    final FaultProxy usersProxy;
    /** The sandbox person the drill's mini-program logins (and set-up logins) belong to. */
    static final String MINI_PROGRAM_PERSON = "drill";
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
        dynamo.createTable(usersTable, Template.load().properties("UsersTable"));
        usersProxy = FaultProxy.start(dynamo.endpoint());
        setupLogin = loginHandler(directEnvironment());
    }

    /** Every dependency straight, no proxy: for the drill's set-up. */
    Map<String, String> directEnvironment() {
        Map<String, String> env = new HashMap<>(DevelopmentSecrets.environment(wechat, secrets));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("SESSIONS_TABLE", table);
        env.put("USERS_TABLE", usersTable);
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
        // One DynamoDB endpoint per function in Lambda; here the directory's goes through its own proxy.
        Map<String, String> directoryEnvironment = new HashMap<>(environment);
        if (!environment.get("AWS_ENDPOINT_URL_DYNAMODB").equals(dynamo.endpoint().toString())) {
            directoryEnvironment.put("AWS_ENDPOINT_URL_DYNAMODB", usersProxy.endpoint());
        }
        UserDirectory directory = UserDirectory.fromEnvironment(new Env(directoryEnvironment),
                AwsClients.lambdaCredentials(), clock);
        return new LoginHandler(LoginHandler.wire(env, SecretsManagerSource.fromEnvironment(env), directory, clock),
                RefreshSessions.forLoginOrNull(env, clock), clock);
    }

    /** GetPhoneNumberFunction's handler (the openapi sample), on {@link #clock}. */
    GetPhoneNumber phoneNumberFunction() {
        Env env = new Env(faultableEnvironment());
        return new GetPhoneNumber(WeChatApi.fromEnvironment(env, SecretsManagerSource.fromEnvironment(env), clock));
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

    /** A healthy mini-program login of {@link #MINI_PROGRAM_PERSON} outside the drill's faults: its 200 body. */
    Drill.Answer setupMiniProgramLogin() {
        Drill.Answer answer = Drill.Answer.of(setupLogin.handleRequest(
                Drill.miniProgramLoginEvent(miniProgramCode(MINI_PROGRAM_PERSON)), Drill.context(15_000)));
        if (answer.status() != 200 || !answer.json().has("refreshToken")) {
            throw new IllegalStateException("the drill's set-up mini-program login failed: " + answer);
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

    /** A fresh wx.login code of the mini program for {@code person}, recorded as sensitive. */
    String miniProgramCode(String person) {
        String code = wechat.issueMiniProgramCode("weixinMiniProgram", person);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        return code;
    }

    /** A fresh getPhoneNumber code of {@link #MINI_PROGRAM_PERSON}, recorded as sensitive. */
    String phoneCode() {
        String code = wechat.issuePhoneCode(MINI_PROGRAM_PERSON);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        return code;
    }

    /** Items in the users table: a failed write must leave their number as it was. */
    int directoryItems() {
        return dynamo.client().scan(r -> r.tableName(usersTable).consistentRead(true)).count();
    }

    /** The user id the directory's link of a mini-program openid names, or null. */
    String directoryOwnerOfMiniProgramOpenid(String openid) {
        IdentityKey key = IdentityKey.openid(DevelopmentSecrets.MINIPROGRAM_APPID, openid);
        Map<String, AttributeValue> item = dynamo.client().getItem(r -> r.tableName(usersTable).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("link#" + key.kind() + "#" + key.value())))).item();
        return item == null || item.isEmpty() ? null : item.get("userId").s();
    }

    /** No fault anywhere: ports open again, hung requests dropped. */
    void heal() {
        wechatProxy.heal();
        secretsProxy.heal();
        dynamoProxy.heal();
        usersProxy.heal();
        wechat.clearFaults();
    }

    @Override
    public void close() {
        wechatProxy.close();
        secretsProxy.close();
        dynamoProxy.close();
        usersProxy.close();
        wechat.close();
        secrets.close();
    }
}
