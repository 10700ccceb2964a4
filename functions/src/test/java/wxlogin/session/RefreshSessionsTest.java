// Unit: rotation, reuse detection, expiry and logout of refresh-token families, against an in-memory store and a hand-moved clock.
package wxlogin.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wxlogin.common.ApiException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class RefreshSessionsTest {

    static final SessionIdentity ALICE = new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", "u-1");
    static final long LIFETIME = 30L * 24 * 3600;

    private final MutableClock clock = new MutableClock();
    private InMemorySessionStore store;
    private RefreshSessions sessions;

    @BeforeEach
    void setUp() {
        store = InMemorySessionStore.create();
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 10, clock);
    }

    @Test
    void loginStartsAFamilyStoringOnlyTheHashWithExpiryAndIdentity() {
        RefreshSessions.Issued issued = sessions.start(ALICE, deadline());

        assertThat(issued.expiresIn()).isEqualTo(LIFETIME);
        assertThat(issued.toString()).doesNotContain(issued.token());
        assertThat(store.tokens).containsOnlyKeys(RefreshTokens.hash(issued.token()));
        StoredToken stored = store.tokens.get(RefreshTokens.hash(issued.token()));
        assertThat(stored.identity()).isEqualTo(ALICE);
        assertThat(stored.expiresAt()).isEqualTo(clock.instant().getEpochSecond() + LIFETIME);
        assertThat(stored.rotatedAt()).isNull();
        assertThat(store.families.get(stored.familyId()).currentHash()).isEqualTo(stored.hash());
        assertThat(store.tokens.toString() + store.families).doesNotContain(issued.token());
    }

    @Test
    void aRefreshRotatesTheTokenAndKeepsTheIdentity() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofHours(2));

        RefreshSessions.Rotated rotated = sessions.rotate(first, deadline());

        assertThat(rotated.identity()).isEqualTo(ALICE);
        String second = rotated.refresh().token();
        assertThat(second).isNotEqualTo(first);
        StoredToken next = store.tokens.get(RefreshTokens.hash(second));
        assertThat(next.familyId()).isEqualTo(store.tokens.get(RefreshTokens.hash(first)).familyId());
        // Sliding lifetime: the new token lives a full lifetime from now.
        assertThat(next.expiresAt()).isEqualTo(clock.instant().getEpochSecond() + LIFETIME);
        assertThat(store.tokens.get(RefreshTokens.hash(first)).rotatedAt()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(sessions.rotate(second, deadline()).identity()).isEqualTo(ALICE);
    }

    @Test
    void theSameTokenAgainWithinTheReuseIntervalRotatesAgainAndRetiresTheFirstSuccessor() {
        String first = sessions.start(ALICE, deadline()).token();
        String lost = sessions.rotate(first, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(10));

        String retried = sessions.rotate(first, deadline()).refresh().token();

        assertThat(retried).isNotEqualTo(lost);
        TokenFamily family = onlyFamily();
        assertThat(family.revoked()).isFalse();
        assertThat(family.currentHash()).isEqualTo(RefreshTokens.hash(retried));
        assertThat(store.tokens.get(RefreshTokens.hash(lost)).rotatedAt()).isNotNull();
        assertThat(sessions.rotate(retried, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void theSameTokenAfterTheReuseIntervalRevokesTheFamilyAndKillsItsNewestToken() {
        String first = sessions.start(ALICE, deadline()).token();
        String newest = sessions.rotate(first, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(11));

        try (LogCapture logs = new LogCapture()) {
            assertRejected(() -> sessions.rotate(first, deadline()));
            assertThat(logs.text()).contains("session.reuse_detected").doesNotContain(first).doesNotContain(newest)
                    .doesNotContain(RefreshTokens.hash(first)).doesNotContain(RefreshTokens.hash(newest));
        }
        assertThat(onlyFamily().revoked()).isTrue();
        assertThat(store.revokedReasons).containsValue("reuse");
        assertRejected(() -> sessions.rotate(newest, deadline()));
    }

    @Test
    void aZeroReuseIntervalTreatsEveryReuseAsTheft() {
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 0, clock);
        String first = sessions.start(ALICE, deadline()).token();
        sessions.rotate(first, deadline());

        assertRejected(() -> sessions.rotate(first, deadline()));
        assertThat(onlyFamily().revoked()).isTrue();
    }

    @Test
    void anExpiredTokenIsRejectedWithoutRevokingTheFamily() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        String second = sessions.rotate(first, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(LIFETIME));

        assertRejected(() -> sessions.rotate(second, deadline()));
        assertThat(onlyFamily().revoked()).isFalse();
    }

    @Test
    void theTokenStillWorksOneSecondBeforeItExpires() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        assertThat(sessions.rotate(first, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void logoutRevokesTheFamilyWhicheverOfItsTokensIsPresented() {
        String first = sessions.start(ALICE, deadline()).token();
        String second = sessions.rotate(first, deadline()).refresh().token();

        sessions.revoke(first, deadline());

        assertThat(onlyFamily().revoked()).isTrue();
        assertThat(store.revokedReasons).containsValue("logout");
        assertRejected(() -> sessions.rotate(second, deadline()));
        // Idempotent, and like RFC 7009 nothing to revoke is not an error.
        sessions.revoke(second, deadline());
        sessions.revoke(new RefreshTokens().newToken(), deadline());
    }

    @Test
    void anUnknownTokenIsRejected() {
        assertRejected(() -> sessions.rotate(new RefreshTokens().newToken(), deadline()));
    }

    @Test
    void aStoreOutageIsA503WithRetryAfterAndNothingIsIssued() {
        String first = sessions.start(ALICE, deadline()).token();
        Map<String, StoredToken> before = Map.copyOf(store.tokens);
        store.failWith(InMemorySessionStore.unavailable());

        assertThatThrownBy(() -> sessions.rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.SESSION_STORE_UNAVAILABLE);
            assertThat(e.retryAfterSeconds()).isNotNull().isLessThan(10);
        });
        store.failWith(InMemorySessionStore.throttled());
        assertThatThrownBy(() -> sessions.rotate(first, deadline()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(store.tokens).isEqualTo(before);

        store.failWith(null);
        assertThat(sessions.rotate(first, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void aMissingTableIsA500() {
        String first = sessions.start(ALICE, deadline()).token();
        store.failWith(InMemorySessionStore.misconfigured());

        assertThatThrownBy(() -> sessions.rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.MISCONFIGURED);
        });
    }

    @Test
    void aRotationLostToAConcurrentOneIsDecidedAgain() {
        String first = sessions.start(ALICE, deadline()).token();
        store.loseNextRotations(RefreshSessions.MAX_ATTEMPTS - 1);

        String second = sessions.rotate(first, deadline()).refresh().token();

        assertThat(onlyFamily().currentHash()).isEqualTo(RefreshTokens.hash(second));
        assertThat(onlyFamily().revoked()).isFalse();
    }

    @Test
    void aRotationThatLandsBetweenReadingTheTokenAndItsFamilyIsARetryNotTheft() {
        String first = sessions.start(ALICE, deadline()).token();
        // Another request rotates the token after this one read it (not yet rotated) and before it reads the family.
        store.beforeNextFindFamily(() -> sessions.rotate(first, deadline()));

        String mine = sessions.rotate(first, deadline()).refresh().token();

        assertThat(onlyFamily().revoked()).isFalse();
        assertThat(onlyFamily().currentHash()).isEqualTo(RefreshTokens.hash(mine));
    }

    @Test
    void endlessConflictsEndInA503ThatAsksForARetry() {
        String first = sessions.start(ALICE, deadline()).token();
        store.loseNextRotations(RefreshSessions.MAX_ATTEMPTS);

        assertThatThrownBy(() -> sessions.rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfterSeconds()).isNotNull();
        });
        assertThat(sessions.rotate(first, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void loginGetsNoRefreshTokenButNoFailureWhenTheStoreIsDown() {
        store.failWith(InMemorySessionStore.throttled());
        try (LogCapture logs = new LogCapture()) {
            assertThat(sessions.startOrNull(ALICE, deadline())).isNull();
            assertThat(logs.text()).contains("login.refresh_token_not_issued");
        }
        assertThat(store.tokens).isEmpty();
    }

    @Test
    void withoutSessionsTableLoginBuildsNoStoreAtAll() {
        assertThat(RefreshSessions.forLoginOrNull(new Env(Map.of("AWS_REGION", "us-east-1")), Clock.systemUTC())).isNull();
        assertThat(RefreshSessions.forLoginOrNull(new Env(Map.of("SESSIONS_TABLE", " ")), Clock.systemUTC())).isNull();
    }

    // Wired from the environment (the SDK's DynamoDB client, slow to load): RefreshSessionsWiringTest in integration-tests/.

    // --- helpers ---

    private TokenFamily onlyFamily() {
        assertThat(store.families).hasSize(1);
        return store.families.values().iterator().next();
    }

    private Deadline deadline() {
        return Deadline.in(5_000, clock);
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.REFRESH_TOKEN_REJECTED);
            assertThat(e.clientMessage()).contains("Log in again");
        });
    }
}
