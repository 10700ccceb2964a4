// Integration: login's one DynamoDB write (the session store the session function uses) against DynamoDB Local, through the TCP fault proxy: the items, the failures, and a login-started family refreshes.
package wxlogin.it.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.it.faults.FaultProxy;
import wxlogin.session.DynamoDbSessionStore;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.session.SessionStoreUnavailableException;
import wxlogin.session.StoredToken;
import wxlogin.session.TokenFamily;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;
import wxlogin.testing.SecretLedger;

class LoginStartedSessionsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long LIFETIME = 30L * 24 * 3600;
    static final SessionIdentity ALICE = new SessionIdentity("user-alice", "wxlocal0000000001", "weixinApp",
            "o-alice", "u-alice");
    static final SessionIdentity BOB = new SessionIdentity("user-bob", "wxlocal0000000001", "phoneSms", null, null);

    private static SessionsTable table;
    private static FaultProxy proxy;
    private final MutableClock clock = new MutableClock();
    private final RefreshTokens tokens = new RefreshTokens();
    private LogCapture logs;
    /** Tokens and hashes this test made; none may reach a log line. */
    private final List<String> sensitive = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        table = new SessionsTable();
        proxy = FaultProxy.start(table.dynamo.endpoint());
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @BeforeEach
    void captureLogs() {
        proxy.heal();
        logs = new LogCapture();
    }

    @AfterEach
    void checkLogs() {
        String text = logs.text();
        logs.close();
        for (String value : sensitive) {
            SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, value);
            assertThat(text).as("log output must not contain a refresh token or its hash").doesNotContain(value);
        }
    }

    // ------------------------------------------------------------------ what login writes, refresh reads

    @Test
    void aFamilyStartedAtLoginIsReadBackAndRefreshesThroughTheSessionHandler() throws Exception {
        for (SessionIdentity identity : List.of(ALICE, BOB)) {
            String first = sensitive(loginSessions(table.environment()).start(identity, deadline()).token());
            long now = clock.instant().getEpochSecond();

            DynamoDbSessionStore sdk = store(table.environment(), table.name);
            String hash = RefreshTokens.hash(first);
            StoredToken token = sdk.findToken(hash, deadline());
            assertThat(token).isEqualTo(new StoredToken(hash, token.familyId(), identity, now, now + LIFETIME, null));
            assertThat(sdk.findFamily(token.familyId(), deadline()))
                    .isEqualTo(new TokenFamily(token.familyId(), hash, identity.userId(), now, now + LIFETIME, null));

            clock.advance(Duration.ofHours(2));
            APIGatewayV2HTTPResponse refreshed = sessionHandler().handleRequest(
                    RefreshTokenRotationTest.event("/session/refresh", first), new FakeContext());

            assertThat(refreshed.getStatusCode()).as(refreshed.getBody()).isEqualTo(200);
            JsonNode body = JSON.readTree(refreshed.getBody());
            String second = sensitive(body.get("refreshToken").asText());
            assertThat(body.get("userId").asText()).isEqualTo(identity.userId());
            assertThat(body.get("openid").isNull()).isEqualTo(identity.openid() == null);
            assertThat(table.tokenItem(first)).containsKey("rotatedAt");
            assertThat(table.familyItem(token.familyId()).get("currentHash").s()).isEqualTo(RefreshTokens.hash(second));
        }
    }

    // ------------------------------------------------------------------ failures

    @Test
    void startingAFamilyWhoseIdOrTokenExistsFailsAsBeforeAndChangesNothing() {
        String familyId = tokens.newFamilyId();
        String hash = sensitive(RefreshTokens.hash(sensitive(tokens.newToken())));
        DynamoDbSessionStore store = store(table.environment(), table.name);
        store.create(family(familyId, hash, ALICE), token(familyId, hash, ALICE), deadline());
        Map<String, AttributeValue> before = table.familyItem(familyId);
        String otherHash = sensitive(RefreshTokens.hash(sensitive(tokens.newToken())));
        String otherFamily = tokens.newFamilyId();

        // The same family with another token; another family with the same token.
        for (Runnable create : List.<Runnable>of(
                () -> store.create(family(familyId, otherHash, ALICE), token(familyId, otherHash, ALICE), deadline()),
                () -> store.create(family(otherFamily, hash, ALICE), token(otherFamily, hash, ALICE), deadline()))) {
            assertThatThrownBy(create::run)
                    .isInstanceOfSatisfying(SessionStoreUnavailableException.class, e -> assertThat(e.throttled()).isFalse())
                    .hasMessage("new family or token already exists");
        }
        assertThat(table.familyItem(familyId)).isEqualTo(before);
        assertThat(table.item("token#" + otherHash)).as("both puts or neither").isNull();
        assertThat(table.familyItem(otherFamily)).isNull();
    }

    @Test
    void aMissingTableIsAConfigurationErrorThatNamesIt() {
        assertThatThrownBy(() -> create(store(table.environment(), "no-such-table"), ALICE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DynamoDB table no-such-table not found (TransactWriteItems)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"throttling", "500-json", "500-text", "reset"})
    void aThrottledOrFailingStoreIsUnavailableAfterOneRetryAndNothingIsWritten(String fault) {
        proxy.fail("TransactWriteItems", SessionStoreFailuresTest.fault(fault));
        String familyId = tokens.newFamilyId();
        String hash = sensitive(RefreshTokens.hash(sensitive(tokens.newToken())));

        assertThatThrownBy(() -> store(table.environment(proxy.endpoint()), table.name)
                .create(family(familyId, hash, ALICE), token(familyId, hash, ALICE), deadline()))
                .isInstanceOfSatisfying(SessionStoreUnavailableException.class,
                        e -> assertThat(e.throttled()).isEqualTo(fault.equals("throttling")));
        assertThat(proxy.faulted("TransactWriteItems")).as("one retry, no more").isEqualTo(2);
        assertThat(table.familyItem(familyId)).isNull();
    }

    @Test
    void aRetryAfterALostAnswerFindsTheTransactionDoneAndSucceeds() {
        proxy.fail("TransactWriteItems", FaultProxy.loseAnswer(), 1);
        String familyId = tokens.newFamilyId();
        String hash = sensitive(RefreshTokens.hash(sensitive(tokens.newToken())));

        store(table.environment(proxy.endpoint()), table.name)
                .create(family(familyId, hash, ALICE), token(familyId, hash, ALICE), deadline());

        assertThat(proxy.faulted("TransactWriteItems")).as("the first answer was lost").isEqualTo(1);
        assertThat(table.familyItem(familyId).get("currentHash").s()).isEqualTo(hash);
        assertThat(table.item("token#" + hash).get("familyId").s()).isEqualTo(familyId);
    }

    @Test
    void anUnreachableStoreIsUnavailableWellInsideTheLoginsTime() throws IOException {
        String closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = "http://127.0.0.1:" + socket.getLocalPort();
        }

        long started = System.nanoTime();
        assertThatThrownBy(() -> create(store(table.environment(closed), table.name), ALICE))
                .isInstanceOf(SessionStoreUnavailableException.class)
                .hasMessageStartingWith("TransactWriteItems unreachable or timed out: ");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(4_000);
    }

    // --- helpers ---

    private String sensitive(String value) {
        sensitive.add(value);
        return value;
    }

    /** Login's production wiring on this table (the lifetime as the template's default). */
    private RefreshSessions loginSessions(Map<String, String> env) {
        return RefreshSessions.forLoginOrNull(new Env(env), clock);
    }

    private static DynamoDbSessionStore store(Map<String, String> env, String tableName) {
        return DynamoDbSessionStore.fromEnvironment(new Env(env), tableName);
    }

    private SessionHandler sessionHandler() {
        return new SessionHandler(SessionHandler.wire(new Env(Map.of("SESSION_KEYS_SECRET_ID", "keys")),
                id -> "{\"secret\":\"" + RefreshTokenRotationTest.SIGNING_SECRET + "\"}",
                table.refreshSessions(LIFETIME, 10, clock), clock), clock);
    }

    /**
     * Starts a family of the identity with fixed times through the store and answers its two
     * items merged, with the parts that differ between families (ids, hash) taken out.
     */
    private Map<String, AttributeValue> create(DynamoDbSessionStore store, SessionIdentity identity) {
        String familyId = tokens.newFamilyId();
        String hash = sensitive(RefreshTokens.hash(sensitive(tokens.newToken())));
        store.create(family(familyId, hash, identity), token(familyId, hash, identity), deadline());
        Map<String, AttributeValue> items = new HashMap<>();
        table.familyItem(familyId).forEach((name, value) -> items.put("family." + name, value));
        table.item("token#" + hash).forEach((name, value) -> items.put("token." + name, value));
        assertThat(items.remove("family.pk").s()).isEqualTo("family#" + familyId);
        assertThat(items.remove("family.currentHash").s()).isEqualTo(hash);
        assertThat(items.remove("token.pk").s()).isEqualTo("token#" + hash);
        assertThat(items.remove("token.familyId").s()).isEqualTo(familyId);
        return items;
    }

    private static TokenFamily family(String familyId, String hash, SessionIdentity identity) {
        return new TokenFamily(familyId, hash, identity.userId(), 1_795_528_800L, 1_795_528_800L + LIFETIME, null);
    }

    private static StoredToken token(String familyId, String hash, SessionIdentity identity) {
        return new StoredToken(hash, familyId, identity, 1_795_528_800L, 1_795_528_800L + LIFETIME, null);
    }

    private Deadline deadline() {
        return Deadline.in(5_000, Clock.systemUTC());
    }
}
