// Integration: SessionHandler (refresh, idempotent retries, theft, maximum age, logout on one or every device) on the production DynamoDB store against DynamoDB Local (in-process, table as template.yaml defines it), with a hand-moved clock.
package wxlogin.it.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.testing.SecretLedger;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class RefreshTokenRotationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SIGNING_SECRET = "signing-key-for-session-integration-0123456789";
    static final long LIFETIME = 30L * 24 * 3600;
    static final long REUSE_INTERVAL = 10;
    static final SessionIdentity ALICE = new SessionIdentity("user-alice", "wxlocal0000000001", "weixinApp",
            "o-alice", "u-alice");
    static final SessionIdentity BOB = new SessionIdentity("user-bob", "wxlocal0000000001", "weixinApp", "o-bob", null);

    private static SessionsTable table;
    private final MutableClock clock = new MutableClock();
    private RefreshSessions sessions;
    private SessionHandler handler;
    private LogCapture logs;
    /** Every refresh token this test saw; none may reach a log line. */
    private final List<String> issued = new ArrayList<>();

    @BeforeAll
    static void createTable() {
        table = new SessionsTable();
    }

    @BeforeEach
    void start() {
        sessions = table.refreshSessions(LIFETIME, REUSE_INTERVAL, clock);
        handler = handler(sessions);
        logs = new LogCapture();
    }

    private SessionHandler handler(RefreshSessions sessions) {
        return new SessionHandler(SessionHandler.wire(new Env(Map.of("SESSION_KEYS_SECRET_ID", "keys")),
                id -> "{\"secret\":\"" + SIGNING_SECRET + "\"}", sessions, clock), clock);
    }

    @AfterEach
    void checkLogs() {
        String text = logs.text();
        logs.close();
        for (String token : issued) {
            // The run-wide log check (RELIABILITY.md) looks for them in every log line too.
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, token);
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, RefreshTokens.hash(token));
            assertThat(text).as("log output must not contain a refresh token or its hash")
                    .doesNotContain(token).doesNotContain(RefreshTokens.hash(token));
        }
    }

    @Test
    void aRefreshRotatesTheTokenAndStoresOnlyHashesWithIdentityExpiryAndTtl() throws Exception {
        String first = login();
        clock.advance(Duration.ofHours(2));

        JsonNode body = refreshOk(first);

        String second = body.get("refreshToken").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(body.get("userId").asText()).isEqualTo("user-alice");
        assertThat(body.get("openid").asText()).isEqualTo("o-alice");
        assertThat(body.get("unionid").asText()).isEqualTo("u-alice");
        assertThat(body.get("refreshExpiresIn").asLong()).isEqualTo(LIFETIME);

        Map<String, AttributeValue> old = table.tokenItem(first);
        Map<String, AttributeValue> next = table.tokenItem(second);
        long now = clock.instant().getEpochSecond();
        assertThat(old.get("rotatedAt").n()).isEqualTo(Long.toString(now));
        assertThat(next).doesNotContainKey("rotatedAt");
        assertThat(next.get("familyId")).isEqualTo(old.get("familyId"));
        assertThat(next.get("userId").s()).isEqualTo("user-alice");
        assertThat(next.get("appid").s()).isEqualTo("wxlocal0000000001");
        assertThat(next.get("loginType").s()).isEqualTo("weixinApp");
        assertThat(next.get("openid").s()).isEqualTo("o-alice");
        assertThat(next.get("unionid").s()).isEqualTo("u-alice");
        assertThat(next.get("expiresAt").n()).isEqualTo(Long.toString(now + LIFETIME));
        // The TTL attribute DynamoDB expires items by (template.yaml: TimeToLiveSpecification).
        assertThat(next.get("ttl").n()).isEqualTo(Long.toString(now + LIFETIME));
        Map<String, AttributeValue> family = table.familyItem(next.get("familyId").s());
        assertThat(family.get("currentHash").s()).isEqualTo(RefreshTokens.hash(second));
        assertThat(family.get("ttl").n()).isEqualTo(Long.toString(now + LIFETIME));
        assertThat(table.client().describeTimeToLive(r -> r.tableName(table.name)).timeToLiveDescription()
                .attributeName()).isEqualTo("ttl");

        // Only hashes are stored: no attribute of any item holds a token.
        String everything = table.scan().toString();
        assertThat(everything).doesNotContain(first).doesNotContain(second);
    }

    @Test
    void aRetryWithinTheReuseIntervalGetsTheSameRefreshTokenAndANewAccessToken() throws Exception {
        String first = login();
        JsonNode lost = refreshOk(first);
        clock.advance(Duration.ofSeconds(REUSE_INTERVAL));

        JsonNode retried = refreshOk(first);

        String successor = lost.get("refreshToken").asText();
        assertThat(retried.get("refreshToken").asText()).isEqualTo(successor);
        assertThat(retried.get("token").asText()).isNotEqualTo(lost.get("token").asText());
        String familyId = table.tokenItem(first).get("familyId").s();
        assertThat(table.familyItem(familyId).get("currentHash").s()).isEqualTo(RefreshTokens.hash(successor));
        assertThat(table.familyItem(familyId)).doesNotContainKey("revokedAt");
        assertThat(table.tokenItem(successor)).doesNotContainKey("rotatedAt");
        assertThat(refreshOk(successor).get("refreshToken").asText()).isNotEqualTo(successor);
    }

    @Test
    void aStolenTokenReplayedAfterTheIntervalStillRevokesTheFamily() throws Exception {
        String first = login();
        // The app refreshed and keeps its successor unused; a thief copied the first token.
        String kept = refreshOk(first).get("refreshToken").asText();
        clock.advance(Duration.ofSeconds(REUSE_INTERVAL + 1));

        assertRejected(refresh(first));

        assertThat(table.familyItem(table.tokenItem(first).get("familyId").s()).get("revokedReason").s())
                .isEqualTo("reuse");
        assertRejected(refresh(kept));
    }

    @Test
    void reuseAfterTheIntervalRevokesTheWholeFamilyAndTheNewestTokenIsDeadToo() throws Exception {
        String first = login();
        String second = refreshOk(first).get("refreshToken").asText();
        String newest = refreshOk(second).get("refreshToken").asText();
        clock.advance(Duration.ofSeconds(REUSE_INTERVAL + 1));

        assertRejected(refresh(first));

        String familyId = table.tokenItem(first).get("familyId").s();
        Map<String, AttributeValue> family = table.familyItem(familyId);
        assertThat(family).containsKey("revokedAt");
        assertThat(family.get("revokedReason").s()).isEqualTo("reuse");
        assertRejected(refresh(newest));
        assertRejected(refresh(second));
        assertThat(logs.text()).contains("session.reuse_detected");
    }

    @ParameterizedTest(name = "{0} at once")
    @ValueSource(ints = {2, 20})
    void concurrentRefreshesOfOneTokenAllReturnOneSuccessorAndTheFamilySurvives(int requests) throws Exception {
        String first = login();
        long familiesBefore = families();
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<APIGatewayV2HTTPResponse>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                Callable<APIGatewayV2HTTPResponse> call = () -> {
                    go.await();
                    return refresh(first);
                };
                answers.add(pool.submit(call));
            }
            go.countDown();
            Set<String> successors = new HashSet<>();
            for (Future<APIGatewayV2HTTPResponse> answer : answers) {
                APIGatewayV2HTTPResponse response = answer.get();
                assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
                successors.add(JSON.readTree(response.getBody()).get("refreshToken").asText());
            }
            issued.addAll(successors);

            assertThat(successors).hasSize(1);
            String successor = successors.iterator().next();
            String familyId = table.tokenItem(first).get("familyId").s();
            Map<String, AttributeValue> family = table.familyItem(familyId);
            assertThat(family).doesNotContainKey("revokedAt");
            assertThat(family.get("currentHash").s()).isEqualTo(RefreshTokens.hash(successor));
            assertThat(families()).as("refreshes never start a family").isEqualTo(familiesBefore);
            assertThat(table.scan()).filteredOn(item -> item.containsKey("familyId")
                    && item.get("familyId").s().equals(familyId)).as("the first token and its one successor").hasSize(2);
            assertThat(refreshOk(successor).get("refreshToken").asText()).isNotBlank();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void signingOutEverywhereSignsOutThreeDevicesOfTheUserAndNobodyElse() throws Exception {
        String phone = refreshOk(login()).get("refreshToken").asText();
        String tablet = login();
        String laptop = refreshOk(refreshOk(login()).get("refreshToken").asText()).get("refreshToken").asText();
        String bob = sessions.start(BOB, Deadline.in(5_000, clock)).token();
        issued.add(bob);

        APIGatewayV2HTTPResponse response = handler.handleRequest(logoutEverywhere(tablet), new FakeContext());

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(204);
        for (String device : List.of(phone, tablet, laptop)) {
            assertRejected(refresh(device));
            assertThat(table.familyItem(table.tokenItem(device).get("familyId").s()).get("revokedReason").s())
                    .isEqualTo("logout-everywhere");
        }
        assertThat(refreshOk(bob).get("userId").asText()).isEqualTo("user-bob");
        assertThat(logs.text()).contains("session.logged_out_everywhere");
    }

    @Test
    void aFamilyStartedBeforeTheIndexJoinsItAtItsNextRefresh() throws Exception {
        String old = login();
        String familyId = table.tokenItem(old).get("familyId").s();
        // As an item written before familyUser existed.
        table.client().updateItem(u -> u.tableName(table.name).key(Map.of("pk", AttributeValue.fromS("family#" + familyId)))
                .updateExpression("REMOVE familyUser"));
        String refreshed = refreshOk(old).get("refreshToken").asText();
        String other = login();

        assertThat(handler.handleRequest(logoutEverywhere(other), new FakeContext()).getStatusCode()).isEqualTo(204);

        assertRejected(refresh(refreshed));
    }

    @Test
    void pastTheMaximumAgeARefreshIsRefusedWhateverTheRefreshesBefore() throws Exception {
        long maxAge = Duration.ofDays(45).toSeconds();
        sessions = table.refreshSessions(LIFETIME, REUSE_INTERVAL, maxAge, clock);
        handler = handler(sessions);
        long login = clock.instant().getEpochSecond();
        String token = login();
        for (int day = 0; day < 44; day += 4) {
            clock.advance(Duration.ofDays(4));
            JsonNode body = refreshOk(token);
            token = body.get("refreshToken").asText();
            assertThat(body.get("refreshExpiresIn").asLong()).isEqualTo(Math.min(LIFETIME,
                    login + maxAge - clock.instant().getEpochSecond()));
        }
        clock.advance(Duration.ofDays(1));

        assertRejected(refresh(token));
        assertThat(table.familyItem(table.tokenItem(token).get("familyId").s())).doesNotContainKey("revokedAt");
    }

    @Test
    void anExpiredTokenIsRejectedWithoutRevokingTheFamily() throws Exception {
        String first = login();
        clock.advance(Duration.ofSeconds(LIFETIME));

        assertRejected(refresh(first));

        assertThat(table.familyItem(table.tokenItem(first).get("familyId").s())).doesNotContainKey("revokedAt");
    }

    @Test
    void aTokenUsedJustBeforeItExpiresLivesAnotherFullLifetime() throws Exception {
        String first = login();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        String second = refreshOk(first).get("refreshToken").asText();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        assertThat(refreshOk(second).get("refreshToken").asText()).isNotBlank();
    }

    @Test
    void logoutEndsTheSessionAndIsIdempotent() throws Exception {
        String first = login();
        String second = refreshOk(first).get("refreshToken").asText();

        APIGatewayV2HTTPResponse logout = handler.handleRequest(event("/logout", second), new FakeContext());

        assertThat(logout.getStatusCode()).isEqualTo(204);
        assertRejected(refresh(second));
        assertThat(table.familyItem(table.tokenItem(second).get("familyId").s()).get("revokedReason").s())
                .isEqualTo("logout");
        assertThat(handler.handleRequest(event("/logout", second), new FakeContext()).getStatusCode()).isEqualTo(204);
        assertThat(handler.handleRequest(event("/logout", new RefreshTokens().newToken()), new FakeContext())
                .getStatusCode()).isEqualTo(204);
    }

    @Test
    void anUnknownTokenIs401() throws Exception {
        assertRejected(refresh(new RefreshTokens().newToken()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"refreshToken\":\"\"}", "{\"refreshToken\":42}", "{\"refreshToken\":\"not-a-token\"}"})
    void aMalformedBodyIs400(String body) throws Exception {
        APIGatewayV2HTTPEvent event = event("/session/refresh", "unused");
        event.setBody(body);
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new FakeContext());
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_003L);
    }

    // --- helpers ---

    private long families() {
        return table.scan().stream().filter(i -> i.get("pk").s().startsWith("family#")).count();
    }

    private String login() {
        String token = sessions.start(ALICE, Deadline.in(5_000, clock)).token();
        issued.add(token);
        return token;
    }

    private APIGatewayV2HTTPResponse refresh(String refreshToken) {
        return handler.handleRequest(event("/session/refresh", refreshToken), new FakeContext());
    }

    private JsonNode refreshOk(String refreshToken) throws Exception {
        APIGatewayV2HTTPResponse response = refresh(refreshToken);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.getBody());
        issued.add(body.get("refreshToken").asText());
        return body;
    }

    private static APIGatewayV2HTTPEvent logoutEverywhere(String refreshToken) {
        APIGatewayV2HTTPEvent event = event("/logout", refreshToken);
        event.setBody("{\"refreshToken\":\"" + refreshToken + "\",\"everywhere\":true}");
        return event;
    }

    private static void assertRejected(APIGatewayV2HTTPResponse response) throws Exception {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(401);
        assertThat(JSON.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_401L);
    }

    static APIGatewayV2HTTPEvent event(String path, String refreshToken) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST " + path)
                .withRawPath(path)
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"refreshToken\":\"" + refreshToken + "\"}")
                .withIsBase64Encoded(false)
                .build();
    }
}
