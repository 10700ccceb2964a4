// Test helper (no tests): account deletion's stand-ins (WeChat sandbox, Secrets Manager endpoint, DynamoDB Local with the template's UsersTable and SessionsTable, the EventBridge endpoint), DynamoDB behind a TCP fault proxy, and the production handlers wired to them as Lambda wires them, on one clock a test moves.
package wxlogin.it.account;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.account.AccountHandler;
import wxlogin.aws.AwsClients;
import wxlogin.common.Env;
import wxlogin.common.Json;
import wxlogin.it.faults.FaultProxy;
import wxlogin.it.faults.OffsetClock;
import wxlogin.it.template.Template;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.session.RefreshSessions;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.SecretLedger;
import wxlogin.users.UserDirectory;

/**
 * One stand for a test class. Logins and refreshes go straight to DynamoDB Local; the account
 * function reaches it through {@link #dynamoProxy}, so a fault hits the deletion only.
 */
final class AccountStand implements AutoCloseable {

    final WeChatSandbox wechat;
    final SecretsManagerEndpoint secrets;
    final EventBridgeEndpoint events;
    final DynamoDbLocal dynamo = DynamoDbLocal.shared();
    final String usersTable = "users-" + UUID.randomUUID();
    final String sessionsTable = "sessions-" + UUID.randomUUID();
    final FaultProxy dynamoProxy;
    final FaultProxy wechatProxy;
    final FaultProxy secretsProxy;
    final FaultProxy eventsProxy;
    final OffsetClock clock = new OffsetClock();
    final LoginHandler login;
    final SessionHandler sessions;

    AccountStand() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        wechat = DevelopmentSecrets.sandboxFor();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        events = EventBridgeEndpoint.start();
        dynamo.createTable(usersTable, Template.load().properties("UsersTable"));
        dynamo.createTable(sessionsTable, Template.load().properties("SessionsTable"));
        dynamoProxy = FaultProxy.start(dynamo.endpoint());
        wechatProxy = FaultProxy.start(java.net.URI.create(wechat.baseUrl()));
        secretsProxy = FaultProxy.start(secrets.endpoint());
        eventsProxy = FaultProxy.start(events.endpoint());
        Env env = new Env(directEnvironment());
        login = new LoginHandler(LoginHandler.wire(env, SecretsManagerSource.fromEnvironment(env),
                UserDirectory.fromEnvironment(env, AwsClients.lambdaCredentials(), clock), clock),
                RefreshSessions.forLoginOrNull(env, clock), clock);
        sessions = new SessionHandler(SessionHandler.wire(env, SecretsManagerSource.fromEnvironment(env),
                RefreshSessions.fromEnvironment(env, clock), clock), clock);
    }

    Map<String, String> directEnvironment() {
        Map<String, String> env = new HashMap<>(DevelopmentSecrets.environment(wechat, secrets));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", events.endpoint().toString());
        env.put("SESSIONS_TABLE", sessionsTable);
        env.put("USERS_TABLE", usersTable);
        return env;
    }

    /** AccountFunction's handler as its Lambda constructor wires it, every dependency through its proxy, on {@link #clock}. */
    AccountHandler accountHandler() {
        Map<String, String> env = directEnvironment();
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoProxy.endpoint());
        env.put("WECHAT_API_BASE_URL", wechatProxy.endpoint());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsProxy.endpoint());
        env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", eventsProxy.endpoint());
        return new AccountHandler(new Env(env), clock);
    }

    /** A login of the sandbox's {@code user} with a fresh app code: the 200 body. */
    JsonNode login(String user) {
        String code = wechat.issueCode("weixinApp", user);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        APIGatewayV2HTTPResponse answer = login.handleRequest(post("POST /login", "{\"code\":\"" + code + "\"}", null),
                new FakeContext(15_000));
        if (answer.getStatusCode() != 200) {
            throw new IllegalStateException("login failed: " + answer.getStatusCode() + " " + answer.getBody());
        }
        JsonNode body = Json.parseOrNull(answer.getBody());
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, body.get("token").asText());
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, body.get("refreshToken").asText());
        return body;
    }

    int refresh(String refreshToken) {
        return sessions.handleRequest(post("POST /session/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}", null),
                new FakeContext(15_000)).getStatusCode();
    }

    /** POST /account/delete as API Gateway delivers it behind the gate (the gate's context carries the user). */
    static APIGatewayV2HTTPEvent deleteEvent(JsonNode login) {
        APIGatewayV2HTTPEvent event = post("POST /account/delete", "{}", login.get("token").asText());
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setLambda(Map.of("userId", login.get("userId").asText(), "appid", DevelopmentSecrets.APPID,
                "loginType", login.get("loginType").asText()));
        event.getRequestContext().setAuthorizer(authorizer);
        return event;
    }

    private static APIGatewayV2HTTPEvent post(String routeKey, String body, String token) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (token != null) {
            headers.put("authorization", "Bearer " + token);
        }
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(routeKey)
                .withRawPath(routeKey.substring(routeKey.indexOf(' ') + 1)).withHeaders(headers).withBody(body)
                .withIsBase64Encoded(false).withRequestContext(new APIGatewayV2HTTPEvent.RequestContext()).build();
    }

    Map<String, AttributeValue> user(String pk) {
        Map<String, AttributeValue> item = dynamo.client().getItem(r -> r.tableName(usersTable).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    List<Map<String, AttributeValue>> usersItems() {
        return dynamo.client().scan(r -> r.tableName(usersTable).consistentRead(true)).items();
    }

    /** Faults off everywhere. */
    void heal() {
        dynamoProxy.heal();
        wechatProxy.heal();
        secretsProxy.heal();
        eventsProxy.heal();
        wechat.clearFaults();
        events.clearFaults();
    }

    @Override
    public void close() {
        dynamoProxy.close();
        wechatProxy.close();
        secretsProxy.close();
        eventsProxy.close();
        events.close();
        wechat.close();
        secrets.close();
    }
}
