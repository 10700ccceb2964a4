// Level: end to end, in-process - POST /login through LoginHandler as Lambda wires it (the SDK's DynamoDB and Secrets Manager clients) against DynamoDB Local behind a fault proxy, the local Secrets Manager endpoint and the WeChat sandbox: both builds, the user directory, every jscode2session errcode, directory outages.
package wxlogin.it.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.it.faults.FaultProxy;
import wxlogin.it.template.Template;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.Fault;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.SecretLedger;
import wxlogin.users.IdentityKey;
import wxlogin.users.LoginIdentities;
import wxlogin.users.UserDirectory;

class OnePersonAcrossBuildsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "users-e2e-" + UUID.randomUUID();
    private static final String JSCODE2SESSION = WeChatSandbox.JSCODE2SESSION_PATH;
    private static final String MP_APPID = DevelopmentSecrets.MINIPROGRAM_APPID;
    private static final String OPENAPP_APPID = WeChatSandbox.OPENAPP_APPID;
    private static final List<String> CREDENTIAL_PROPERTIES = List.of("aws.accessKeyId", "aws.secretAccessKey");
    private static final Map<String, String> savedProperties = new HashMap<>();

    private static DynamoDbLocal dynamo;
    private static DynamoDbClient sdk;
    private static WeChatSandbox wechat;
    private static SecretsManagerEndpoint secrets;
    private static FaultProxy directoryProxy;
    private static LoginHandler handler;
    private LogCapture logs;

    @BeforeAll
    static void start() {
        for (String property : CREDENTIAL_PROPERTIES) {
            savedProperties.put(property, System.getProperty(property));
            System.setProperty(property, "local");
        }
        dynamo = DynamoDbLocal.shared();
        // The template's own definition of UsersTable: the key schema that gets deployed.
        dynamo.createTable(TABLE, Template.load().properties("UsersTable"));
        sdk = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .endpointOverride(dynamo.endpoint()).build();
        wechat = DevelopmentSecrets.sandboxFor();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        directoryProxy = FaultProxy.start(dynamo.endpoint());
        handler = new LoginHandler(environment());
    }

    @AfterAll
    static void stop() {
        savedProperties.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
        directoryProxy.close();
        wechat.close();
        secrets.close();
        sdk.close();
    }

    @BeforeEach
    void capture() {
        // Put back what a test changed: the mini program's secret, the sandbox's, the proxy.
        secrets.put(DevelopmentSecrets.MINIPROGRAM_SECRET_ID, DevelopmentSecrets.miniProgramSecretJson());
        wechat.setMiniProgramCredentials(MP_APPID, DevelopmentSecrets.MINIPROGRAM_APPSECRET);
        wechat.clearFaults();
        directoryProxy.heal();
        logs = new LogCapture();
    }

    @AfterEach
    void noSessionKeyAnywhere() {
        logs.close();
        List<String> keys = wechat.sessionKeysHandedOut();
        keys.forEach(key -> SecretLedger.register(SecretLedger.Kind.SESSION_KEY, key));
        for (String key : keys) {
            assertThat(logs.text()).as("a session_key in a log line").doesNotContain(key);
        }
        assertThat(logs.text()).doesNotContain("session_key");
    }

    /** What the template gives CodeExchangeFunction, pointed at the stand-ins (no lasting sessions: only the directory is behind the proxy). */
    private static Map<String, String> environment() {
        Map<String, String> env = DevelopmentSecrets.environment(wechat, secrets);
        env.put("USERS_TABLE", TABLE);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", directoryProxy.endpoint());
        return env;
    }

    // ------------------------------------------------------------------ one person, two builds

    @Test
    void onePersonAcrossBuildsThroughTheUnionid() throws Exception {
        // weixinApp: code2verifyinfo gives openapp_info with the unionid, no miniprogram_info.
        String user = person();
        JsonNode app = ok(appLogin("weixinApp", user));
        JsonNode mini = ok(miniProgramLogin("weixinApp", user));
        assertThat(mini.path("userId").asText()).isEqualTo(app.path("userId").asText())
                .isEqualTo("sbx-weixinApp-" + user);
        // Each token describes its own login; sub is the one user.
        JWTClaimsSet appClaims = claims(app);
        JWTClaimsSet miniClaims = claims(mini);
        assertThat(appClaims.getSubject()).isEqualTo(miniClaims.getSubject()).isEqualTo(app.path("userId").asText());
        assertThat(appClaims.getStringClaim("login_type")).isEqualTo("weixinApp");
        assertThat(appClaims.getStringClaim("appid")).isEqualTo(DevelopmentSecrets.APPID);
        assertThat(appClaims.getStringClaim("openid")).isEqualTo("o_app_weixinApp_" + user);
        assertThat(miniClaims.getStringClaim("login_type")).isEqualTo("miniProgram");
        assertThat(miniClaims.getStringClaim("appid")).isEqualTo(MP_APPID);
        assertThat(miniClaims.getStringClaim("openid")).isEqualTo("o_mp_weixinApp_" + user);
        assertThat(miniClaims.getStringClaim("unionid")).isEqualTo(appClaims.getStringClaim("unionid")).isNotBlank();
        assertThat(mini.path("loginType").asText()).isEqualTo("miniProgram");
        assertThat(mini.path("openid").asText()).isEqualTo("o_mp_weixinApp_" + user);
        // The directory learned the mini program's openid on the second login.
        assertThat(ownerOf(IdentityKey.openid(MP_APPID, "o_mp_weixinApp_" + user))).isEqualTo(app.path("userId").asText());
    }

    @Test
    void onePersonAcrossBuildsThroughTheCode2verifyinfoBindingWithoutAUnionid() throws Exception {
        // The app build first: its miniprogram_info block links the mini program's openid to the user_id.
        String first = person();
        JsonNode app = ok(appLogin("boundNoUnionid", first));
        JsonNode mini = ok(miniProgramLogin("boundNoUnionid", first));
        assertThat(mini.path("unionid").isNull()).isTrue();
        assertThat(mini.path("userId").asText()).isEqualTo(app.path("userId").asText()).isEqualTo("sbx-boundNoUnionid-" + first);

        // The mini-program build first: a new random id, which the later app login joins.
        String second = person();
        JsonNode mini2 = ok(miniProgramLogin("boundNoUnionid", second));
        JsonNode app2 = ok(appLogin("boundNoUnionid", second));
        assertThat(app2.path("userId").asText()).isEqualTo(mini2.path("userId").asText())
                .isNotEqualTo("sbx-boundNoUnionid-" + second).matches("[A-Za-z0-9_-]{22}");
        assertThat(ownerOf(IdentityKey.wechatUser("sbx-boundNoUnionid-" + second))).isEqualTo(mini2.path("userId").asText());
    }

    @Test
    void twoPeopleAreNeverMerged() throws Exception {
        // noUnionid: the app is not bound, so nothing ties its users to the mini program's.
        String carol = person();
        JsonNode app = ok(appLogin("noUnionid", carol));
        JsonNode mini = ok(miniProgramLogin("noUnionid", carol));
        assertThat(mini.path("userId").asText()).isNotEqualTo(app.path("userId").asText());
        // Two bound people stay two, in either build.
        String dan = person();
        String erin = person();
        Set<String> ids = new HashSet<>();
        ids.add(ok(appLogin("bound", dan)).path("userId").asText());
        ids.add(ok(miniProgramLogin("bound", erin)).path("userId").asText());
        ids.add(ok(miniProgramLogin("bound", dan)).path("userId").asText());
        ids.add(ok(appLogin("bound", erin)).path("userId").asText());
        assertThat(ids).hasSize(2);
    }

    @Test
    void aLoginNamingTwoExistingUsersBelongsToTheAuthenticatedIdentitysUserAndMovesNoLink() throws Exception {
        String fay = person();
        String userId = "sbx-boundNoUnionid-" + fay;
        // Before binding, fay's app login knew only her user_id (a user of its own)...
        new UserDirectory(sdk, TABLE, () -> "unused-" + UUID.randomUUID(), Clock.systemUTC())
                .resolve(new LoginIdentities(IdentityKey.wechatUser(userId), Set.of(), userId),
                        Deadline.fromRemaining(5_000, Clock.systemUTC()));
        // ...and the mini program made another user of her openid.
        String miniUser = ok(miniProgramLogin("boundNoUnionid", fay)).path("userId").asText();
        assertThat(miniUser).isNotEqualTo(userId);

        // Now code2verifyinfo names both: the login is the user_id's user's, answered 200.
        JsonNode app = ok(appLogin("boundNoUnionid", fay));
        assertThat(app.path("userId").asText()).isEqualTo(userId);
        assertThat(logs.text()).contains("users.conflict").contains(userId).contains(miniUser);
        // No link moved: the mini program's openid still belongs to the mini program's user.
        assertThat(ownerOf(IdentityKey.openid(MP_APPID, "o_mp_boundNoUnionid_" + fay))).isEqualTo(miniUser);
        assertThat(ok(miniProgramLogin("boundNoUnionid", fay)).path("userId").asText()).isEqualTo(miniUser);
    }

    @Test
    void sixteenConcurrentFirstLoginsHalfFromEachBuildMakeOneUserWithEveryLink() throws Exception {
        String gus = person();
        List<APIGatewayV2HTTPEvent> events = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            events.add(i % 2 == 0 ? appLogin("bound", gus) : miniProgramLogin("bound", gus));
        }
        // One handler per request, as Lambda runs them: one invocation per instance at a time.
        List<LoginHandler> instances = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            instances.add(new LoginHandler(environment()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<APIGatewayV2HTTPResponse>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                LoginHandler instance = instances.get(i);
                APIGatewayV2HTTPEvent event = events.get(i);
                answers.add(pool.submit(() -> {
                    go.await();
                    return instance.handleRequest(event, new FakeContext(15_000));
                }));
            }
            go.countDown();
            Set<String> ids = new HashSet<>();
            for (Future<APIGatewayV2HTTPResponse> answer : answers) {
                ids.add(ok(answer.get()).path("userId").asText());
            }
            // One user, whichever build won the race (the app build's: the user_id; the mini program's: a new id).
            assertThat(ids).hasSize(1);
            String userId = ids.iterator().next();
            for (IdentityKey key : List.of(IdentityKey.wechatUser("sbx-bound-" + gus),
                    IdentityKey.openid(OPENAPP_APPID, "o_app_bound_" + gus),
                    IdentityKey.openid(MP_APPID, "o_mp_bound_" + gus),
                    IdentityKey.unionid(claims(ok(appLogin("bound", gus))).getStringClaim("unionid")))) {
                assertThat(ownerOf(key)).as(key.toString()).isEqualTo(userId);
            }
            assertThat(item("user#" + userId).get("links").ss()).hasSize(4);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ warm cost

    @Test
    void aReturningPersonCostsOneDirectoryReadAndANewIdentityOneWriteMore() throws Exception {
        String hal = person();
        ok(appLogin("weixinApp", hal)); // warms the instance (secrets, access token) and creates the user
        directoryProxy.heal();
        ok(appLogin("weixinApp", hal));
        assertThat(directoryProxy.requests()).as("a returning person: one BatchGetItem, no write").isEqualTo(1);
        directoryProxy.heal();
        ok(miniProgramLogin("weixinApp", hal));
        assertThat(directoryProxy.requests()).as("a new identity (the mini program's openid): the read and one transaction")
                .isEqualTo(2);
        directoryProxy.heal();
        ok(miniProgramLogin("weixinApp", hal));
        assertThat(directoryProxy.requests()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ jscode2session's errcodes

    @ParameterizedTest
    @CsvSource({
            "expired, 401, 40029",
            "invalid, 401, 40029",
            "used, 401, 40163",
            "highRisk, 403, 40226",
            "minuteLimit, 429, 45011",
            "badAppid, 500, 40013"})
    void jscode2sessionErrcodesAreMappedAndNothingIsWritten(String scenario, int status, long errcode) throws Exception {
        APIGatewayV2HTTPResponse response = handler.handleRequest(miniProgramLogin(scenario, person()), new FakeContext(15_000));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.getBody());
        assertThat(body.path("errCode").asLong()).isEqualTo(errcode);
        assertThat(body.path("errMsg").asText()).isNotBlank().doesNotContain("rid");
        if (status == 401) {
            assertThat(body.path("errMsg").asText()).contains("wx.login");
        }
        if (status == 403) {
            assertThat(body.path("errMsg").asText()).contains("high-risk");
        }
        if (status == 429) {
            assertThat(response.getHeaders()).containsEntry("Retry-After", "60");
        }
        assertThat(directoryProxy.requests()).as("no directory call for a refused code").isZero();
    }

    @Test
    void aCodeUsedTwiceIsA401WithWeChats40163() throws Exception {
        APIGatewayV2HTTPEvent event = miniProgramLogin("weixinApp", person());
        ok(handler.handleRequest(event, new FakeContext(15_000)));
        APIGatewayV2HTTPResponse again = handler.handleRequest(event, new FakeContext(15_000));
        assertThat(again.getStatusCode()).isEqualTo(401);
        assertThat(JSON.readTree(again.getBody()).path("errCode").asLong()).isEqualTo(40163);
    }

    @Test
    void busyIsRetriedOnceThenA503() throws Exception {
        wechat.resetCounters();
        APIGatewayV2HTTPResponse response = handler.handleRequest(miniProgramLogin("systemError", person()),
                new FakeContext(15_000));
        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.getBody()).path("errCode").asLong()).isEqualTo(-1);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(wechat.calls(JSCODE2SESSION)).isEqualTo(2);

        // Busy once, then the same code works.
        wechat.resetCounters();
        wechat.failNext(JSCODE2SESSION, 1, Fault.ERRCODE(-1));
        ok(miniProgramLogin("weixinApp", person()));
        assertThat(wechat.calls(JSCODE2SESSION)).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {41002, 41004, 41008})
    void aMissingParameterIsOurBugA500(int errcode) throws Exception {
        wechat.failNext(JSCODE2SESSION, 1, Fault.ERRCODE(errcode));
        APIGatewayV2HTTPResponse response = handler.handleRequest(miniProgramLogin("weixinApp", person()),
                new FakeContext(15_000));
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.getBody()).path("errCode").asLong()).isEqualTo(errcode);
        assertThat(JSON.readTree(response.getBody()).path("errMsg").asText()).contains("misconfigured");
    }

    @Test
    void aRejectedSecretIsRereadOnceAndARotatedOneRetriesTheSameCode() throws Exception {
        // WeChat has a new secret; Secrets Manager still the old one: 40125, re-read, unchanged, 500.
        wechat.setMiniProgramCredentials(MP_APPID, "rotated-miniprogram-secret");
        wechat.resetCounters();
        APIGatewayV2HTTPResponse stale = handler.handleRequest(miniProgramLogin("weixinApp", person()),
                new FakeContext(15_000));
        assertThat(stale.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(stale.getBody()).path("errCode").asLong()).isEqualTo(40125);
        assertThat(wechat.calls(JSCODE2SESSION)).isEqualTo(1);

        // An instance that cached the old secret; then the operator rotates it on both sides: the
        // next 40125 re-reads it and retries the same code once.
        wechat.setMiniProgramCredentials(MP_APPID, DevelopmentSecrets.MINIPROGRAM_APPSECRET);
        LoginHandler instance = new LoginHandler(environment());
        ok(instance.handleRequest(miniProgramLogin("weixinApp", person()), new FakeContext(15_000)));
        wechat.setMiniProgramCredentials(MP_APPID, "rotated-miniprogram-secret");
        secrets.put(DevelopmentSecrets.MINIPROGRAM_SECRET_ID,
                "{\"appid\":\"" + MP_APPID + "\",\"appsecret\":\"rotated-miniprogram-secret\"}");
        wechat.resetCounters();
        ok(instance.handleRequest(miniProgramLogin("weixinApp", person()), new FakeContext(15_000)));
        assertThat(wechat.calls(JSCODE2SESSION)).as("40125, then the same code with the re-read secret").isEqualTo(2);
        assertThat(logs.text()).contains("login.mini_program_secret_rotated");
    }

    // ------------------------------------------------------------------ not configured, bad requests

    @Test
    void withoutTheMiniProgramsSecretOrWithThePlaceholderA400AndNoWeChatCall() throws Exception {
        Map<String, String> unset = environment();
        unset.remove("MINIPROGRAM_SECRET_ID");
        Map<String, String> placeholder = environment();
        placeholder.put("MINIPROGRAM_SECRET_ID", "wxlogin/test/placeholder");
        secrets.put("wxlogin/test/placeholder", "{\"appid\":\"REPLACE_ME\",\"appsecret\":\"REPLACE_ME\"}");
        for (Map<String, String> env : List.of(unset, placeholder)) {
            wechat.resetCounters();
            APIGatewayV2HTTPResponse response = new LoginHandler(env).handleRequest(
                    miniProgramLogin("weixinApp", person()), new FakeContext(15_000));
            assertThat(response.getStatusCode()).isEqualTo(400);
            JsonNode body = JSON.readTree(response.getBody());
            assertThat(body.path("errCode").asLong()).isEqualTo(ErrorCodes.MINI_PROGRAM_NOT_CONFIGURED);
            assertThat(body.path("errMsg").asText()).contains("not configured");
            assertThat(wechat.calls(JSCODE2SESSION)).isZero();
            // Identity codes still work.
            assertThat(new LoginHandler(env).handleRequest(appLogin("weixinApp", person()), new FakeContext(15_000))
                    .getStatusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutTheDirectoryAMiniProgramCodeIsAMisconfigurationAndAnIdentityCodeKeepsTheUserId() throws Exception {
        Map<String, String> env = environment();
        env.remove("USERS_TABLE");
        LoginHandler noDirectory = new LoginHandler(env);
        wechat.resetCounters();
        APIGatewayV2HTTPResponse mini = noDirectory.handleRequest(miniProgramLogin("weixinApp", person()),
                new FakeContext(15_000));
        assertThat(mini.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(mini.getBody()).path("errCode").asLong()).isEqualTo(ErrorCodes.MISCONFIGURED);
        assertThat(wechat.calls(JSCODE2SESSION)).as("the code is not spent").isZero();
        assertThat(logs.text()).contains("USERS_TABLE");
        String ivy = person();
        assertThat(ok(noDirectory.handleRequest(appLogin("noUnionid", ivy), new FakeContext(15_000)))
                .path("userId").asText()).isEqualTo("sbx-noUnionid-" + ivy);
        assertThat(directoryProxy.requests()).isZero();
    }

    @Test
    void anotherCodeTypeIsA400() throws Exception {
        APIGatewayV2HTTPEvent event = appLogin("weixinApp", person());
        event.setBody("{\"code\":\"mp.weixinApp.x.y\",\"codeType\":\"jscode\"}");
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new FakeContext(15_000));
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.getBody()).path("errCode").asLong()).isEqualTo(ErrorCodes.BAD_CODE_TYPE);
    }

    // ------------------------------------------------------------------ the directory failing

    @ParameterizedTest
    @ValueSource(strings = {"throttled", "down", "5xx"})
    void theDirectoryFailingAfterWeChatAcceptedTheCodeIsA503WithoutRetryAfterAskingForANewCode(String how) throws Exception {
        FaultProxy.Fault fault = switch (how) {
            case "throttled" -> FaultProxy.dynamoDbThrottling();
            case "down" -> FaultProxy.refuse();
            default -> FaultProxy.jsonServerError(500, "1.0", "com.amazonaws.dynamodb.v20120810#InternalServerError");
        };
        String jay = person();
        directoryProxy.fail(fault);
        for (APIGatewayV2HTTPEvent event : List.of(appLogin("bound", jay), miniProgramLogin("bound", jay))) {
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, new FakeContext(15_000));
            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(503);
            JsonNode body = JSON.readTree(response.getBody());
            assertThat(body.path("errCode").asLong()).isEqualTo(ErrorCodes.USER_DIRECTORY_UNAVAILABLE);
            assertThat(body.path("errMsg").asText()).contains("new code");
            assertThat(response.getHeaders() == null ? Map.of() : response.getHeaders()).doesNotContainKey("Retry-After");
        }
        directoryProxy.heal();
        assertThat(ownerOf(IdentityKey.wechatUser("sbx-bound-" + jay))).as("nothing written").isNull();
        assertThat(ok(appLogin("bound", jay)).path("userId").asText()).isEqualTo("sbx-bound-" + jay);
    }

    @Test
    void aWriteThatFailsLeavesNothingHalfWritten() throws Exception {
        String kim = person();
        directoryProxy.fail("TransactWriteItems", FaultProxy.dynamoDbThrottling());
        APIGatewayV2HTTPResponse response = handler.handleRequest(appLogin("bound", kim), new FakeContext(15_000));
        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(directoryProxy.faulted("TransactWriteItems")).isPositive();
        directoryProxy.heal();
        for (IdentityKey key : List.of(IdentityKey.wechatUser("sbx-bound-" + kim),
                IdentityKey.openid(OPENAPP_APPID, "o_app_bound_" + kim), IdentityKey.openid(MP_APPID, "o_mp_bound_" + kim))) {
            assertThat(ownerOf(key)).as(key.toString()).isNull();
        }
        assertThat(item("user#sbx-bound-" + kim)).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private static String person() {
        return "p" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static APIGatewayV2HTTPEvent appLogin(String scenario, String user) {
        return event("{\"code\":\"" + code(wechat.issueCode(scenario, user)) + "\"}");
    }

    private static APIGatewayV2HTTPEvent miniProgramLogin(String scenario, String user) {
        return event("{\"code\":\"" + code(wechat.issueMiniProgramCode(scenario, user)) + "\",\"codeType\":\"miniProgram\"}");
    }

    private static String code(String code) {
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        return code;
    }

    private static APIGatewayV2HTTPEvent event(String body) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json")).withBody(body).withIsBase64Encoded(false).build();
    }

    private static JsonNode ok(APIGatewayV2HTTPEvent event) throws Exception {
        return ok(handler.handleRequest(event, new FakeContext(15_000)));
    }

    private static JsonNode ok(APIGatewayV2HTTPResponse response) throws Exception {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        assertThat(response.getBody()).doesNotContain("session_key").doesNotContain("sessionKey");
        for (String key : wechat.sessionKeysHandedOut()) {
            assertThat(response.getBody()).doesNotContain(key);
        }
        JsonNode body = JSON.readTree(response.getBody());
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, body.path("token").asText());
        return body;
    }

    private static JWTClaimsSet claims(JsonNode body) throws Exception {
        return SignedJWT.parse(body.path("token").asText()).getJWTClaimsSet();
    }

    private static Map<String, AttributeValue> item(String pk) {
        Map<String, AttributeValue> item = sdk.getItem(r -> r.tableName(TABLE).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static String ownerOf(IdentityKey key) {
        Map<String, AttributeValue> link = item("link#" + key.kind() + "#" + key.value());
        return link == null ? null : link.get("userId").s();
    }
}
