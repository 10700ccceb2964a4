// Unit: rotation, idempotent retries, reuse detection, expiry, maximum age and logout (one device or all) of refresh-token families, against an in-memory store and a hand-moved clock.
package wxlogin.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.ApiException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.ErrorCodes;
import wxlogin.token.SigningKey;
import wxlogin.token.SigningKeys;
import wxlogin.testing.Concurrently;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class RefreshSessionsTest {

    static final SessionIdentity ALICE = new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", "u-1");
    static final SessionIdentity BOB = new SessionIdentity("user-2", "wxapp", "weixinApp", "o-2", null);
    static final long LIFETIME = 30L * 24 * 3600;
    static final SigningKeys KEYS = SigningKeys.of(new SigningKey("k1",
            "a-signing-key-for-refresh-successors-0123".getBytes(StandardCharsets.UTF_8)));

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

        RefreshSessions.Rotated rotated = rotate(first, deadline());

        assertThat(rotated.identity()).isEqualTo(ALICE);
        String second = rotated.refresh().token();
        assertThat(second).isNotEqualTo(first);
        StoredToken next = store.tokens.get(RefreshTokens.hash(second));
        assertThat(next.familyId()).isEqualTo(store.tokens.get(RefreshTokens.hash(first)).familyId());
        // Sliding lifetime: the new token lives a full lifetime from now.
        assertThat(next.expiresAt()).isEqualTo(clock.instant().getEpochSecond() + LIFETIME);
        assertThat(store.tokens.get(RefreshTokens.hash(first)).rotatedAt()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(rotate(second, deadline()).identity()).isEqualTo(ALICE);
    }

    @Test
    void theSameTokenAgainWithinTheReuseIntervalGetsTheSameSuccessorAndWritesNothing() {
        String first = sessions.start(ALICE, deadline()).token();
        RefreshSessions.Rotated lost = rotate(first, deadline());
        Map<String, StoredToken> tokensBefore = Map.copyOf(store.tokens);
        Map<String, TokenFamily> familiesBefore = Map.copyOf(store.families);
        clock.advance(Duration.ofSeconds(10));

        RefreshSessions.Rotated retried = rotate(first, deadline());

        assertThat(retried.refresh().token()).isEqualTo(lost.refresh().token());
        assertThat(retried.refresh().expiresIn()).isEqualTo(lost.refresh().expiresIn() - 10);
        assertThat(retried.identity()).isEqualTo(ALICE);
        assertThat(store.tokens).isEqualTo(tokensBefore);
        assertThat(store.families).isEqualTo(familiesBefore);
        assertThat(onlyFamily().revoked()).isFalse();
        assertThat(rotate(retried.refresh().token(), deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void theSameTokenAgainAfterItsSuccessorWasUsedIsTheftEvenWithinTheInterval() {
        String first = sessions.start(ALICE, deadline()).token();
        String second = rotate(first, deadline()).refresh().token();
        String third = rotate(second, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(1));

        assertRejected(() -> rotate(first, deadline()));

        assertThat(onlyFamily().revoked()).isTrue();
        assertThat(store.revokedReasons).containsValue("reuse");
        assertRejected(() -> rotate(third, deadline()));
    }

    @Test
    void aSuccessorMadeBeforeASigningKeyRotationIsStillRecognised() {
        String first = sessions.start(ALICE, deadline()).token();
        String lost = rotate(first, deadline()).refresh().token();
        SigningKeys rotated = SigningKeys.of(new SigningKey("k2", "a-newer-signing-key-of-at-least-32-bytes".getBytes()),
                KEYS.signingKey());

        assertThat(sessions.rotate(first, rotated, deadline()).refresh().token()).isEqualTo(lost);
        assertThat(sessions.rotate(lost, rotated, deadline()).refresh().token())
                .isEqualTo(RefreshTokens.successor(lost, rotated.signingKey().secret()));
    }

    @ParameterizedTest(name = "{0} at once")
    @ValueSource(ints = {2, 20})
    void concurrentRefreshesOfOneTokenAllGetOneSuccessorAndTheFamilySurvives(int requests) throws Exception {
        String first = sessions.start(ALICE, deadline()).token();
        Set<String> successors = ConcurrentHashMap.newKeySet();

        Concurrently.run(requests, 1, (thread, i) -> successors.add(rotate(first, deadline()).refresh().token()));

        assertThat(successors).hasSize(1);
        assertThat(onlyFamily().revoked()).isFalse();
        assertThat(onlyFamily().currentHash()).isEqualTo(RefreshTokens.hash(successors.iterator().next()));
        assertThat(store.tokens).hasSize(2);
    }

    @Test
    void accessTokensOfEveryRefreshCarryTheTimeOfTheLogin() {
        long login = clock.instant().getEpochSecond();
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofDays(3));
        RefreshSessions.Rotated second = rotate(first, deadline());
        clock.advance(Duration.ofDays(3));

        assertThat(second.authTime()).isEqualTo(login);
        assertThat(rotate(second.refresh().token(), deadline()).authTime()).isEqualTo(login);
    }

    @Test
    void pastTheMaximumAgeARefreshIsRefusedAndTokensNeverOutliveIt() {
        long maxAge = 40L * 24 * 3600;
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 10, maxAge, clock);
        RefreshSessions.Issued first = sessions.start(ALICE, deadline());
        assertThat(first.expiresIn()).isEqualTo(LIFETIME);
        clock.advance(Duration.ofDays(20));
        RefreshSessions.Rotated second = rotate(first.token(), deadline());
        // 20 days left of the 40, less than a full lifetime of 30.
        assertThat(second.refresh().expiresIn()).isEqualTo(maxAge - Duration.ofDays(20).toSeconds());
        clock.advance(Duration.ofDays(20).minusSeconds(1));
        String third = rotate(second.refresh().token(), deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(1));

        assertRejected(() -> rotate(third, deadline()));
        assertThat(onlyFamily().revoked()).as("too old is not theft").isFalse();
        // A fresh login starts a fresh family.
        assertThat(rotate(sessions.start(ALICE, deadline()).token(), deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void loweringTheMaximumAgeEndsSessionsThatAreAlreadyOlder() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofDays(11));
        String second = rotate(first, deadline()).refresh().token();
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 10, Duration.ofDays(10).toSeconds(), clock);

        assertThatThrownBy(() -> rotate(second, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.REFRESH_TOKEN_REJECTED);
            assertThat(e.clientMessage()).contains("maximum age").contains("Log in again");
        });
        assertThat(onlyFamily().revoked()).isFalse();
    }

    @Test
    void aMaximumAgeShorterThanTheLifetimeCapsTheFirstToken() {
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 10, 3600, clock);
        assertThat(sessions.start(ALICE, deadline()).expiresIn()).isEqualTo(3600);
    }

    @Test
    void signingOutEverywhereRevokesEveryDeviceOfTheUserAndNoOneElse() {
        String phone = sessions.start(ALICE, deadline()).token();
        String tablet = rotate(sessions.start(ALICE, deadline()).token(), deadline()).refresh().token();
        String laptop = sessions.start(ALICE, deadline()).token();
        String bob = sessions.start(BOB, deadline()).token();

        assertThat(sessions.revokeEverywhere(phone, deadline())).isEqualTo(3);

        for (String device : List.of(phone, tablet, laptop)) {
            assertRejected(() -> rotate(device, deadline()));
        }
        assertThat(store.revokedReasons).hasSize(3).containsValues("logout-everywhere");
        assertThat(rotate(bob, deadline()).identity()).isEqualTo(BOB);
        // Its own session is revoked now: it can no longer sign anyone out.
        assertRejected(() -> sessions.revokeEverywhere(phone, deadline()));
        assertRejected(() -> sessions.revokeEverywhere(new RefreshTokens().newToken(), deadline()));
    }

    @Test
    void theSameTokenAfterTheReuseIntervalRevokesTheFamilyAndKillsItsNewestToken() {
        String first = sessions.start(ALICE, deadline()).token();
        String newest = rotate(first, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(11));

        try (LogCapture logs = new LogCapture()) {
            assertRejected(() -> rotate(first, deadline()));
            assertThat(logs.text()).contains("session.reuse_detected").doesNotContain(first).doesNotContain(newest)
                    .doesNotContain(RefreshTokens.hash(first)).doesNotContain(RefreshTokens.hash(newest));
        }
        assertThat(onlyFamily().revoked()).isTrue();
        assertThat(store.revokedReasons).containsValue("reuse");
        assertRejected(() -> rotate(newest, deadline()));
    }

    @Test
    void aZeroReuseIntervalTreatsEveryReuseAsTheft() {
        sessions = new RefreshSessions(store, new RefreshTokens(), LIFETIME, 0, clock);
        String first = sessions.start(ALICE, deadline()).token();
        rotate(first, deadline());

        assertRejected(() -> rotate(first, deadline()));
        assertThat(onlyFamily().revoked()).isTrue();
    }

    @Test
    void anExpiredTokenIsRejectedWithoutRevokingTheFamily() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        String second = rotate(first, deadline()).refresh().token();
        clock.advance(Duration.ofSeconds(LIFETIME));

        assertRejected(() -> rotate(second, deadline()));
        assertThat(onlyFamily().revoked()).isFalse();
    }

    @Test
    void theTokenStillWorksOneSecondBeforeItExpires() {
        String first = sessions.start(ALICE, deadline()).token();
        clock.advance(Duration.ofSeconds(LIFETIME - 1));
        assertThat(rotate(first, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void logoutRevokesTheFamilyWhicheverOfItsTokensIsPresented() {
        String first = sessions.start(ALICE, deadline()).token();
        String second = rotate(first, deadline()).refresh().token();

        sessions.revoke(first, deadline());

        assertThat(onlyFamily().revoked()).isTrue();
        assertThat(store.revokedReasons).containsValue("logout");
        assertRejected(() -> rotate(second, deadline()));
        // Idempotent, and like RFC 7009 nothing to revoke is not an error.
        sessions.revoke(second, deadline());
        sessions.revoke(new RefreshTokens().newToken(), deadline());
    }

    @Test
    void anUnknownTokenIsRejected() {
        assertRejected(() -> rotate(new RefreshTokens().newToken(), deadline()));
    }

    @Test
    void aStoreOutageIsA503WithRetryAfterAndNothingIsIssued() {
        String first = sessions.start(ALICE, deadline()).token();
        Map<String, StoredToken> before = Map.copyOf(store.tokens);
        store.failWith(InMemorySessionStore.unavailable());

        assertThatThrownBy(() -> rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.SESSION_STORE_UNAVAILABLE);
            assertThat(e.retryAfterSeconds()).isNotNull().isLessThan(10);
        });
        store.failWith(InMemorySessionStore.throttled());
        assertThatThrownBy(() -> rotate(first, deadline()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(store.tokens).isEqualTo(before);

        store.failWith(null);
        assertThat(rotate(first, deadline()).refresh().token()).isNotBlank();
    }

    @Test
    void aMissingTableIsA500() {
        String first = sessions.start(ALICE, deadline()).token();
        store.failWith(InMemorySessionStore.misconfigured());

        assertThatThrownBy(() -> rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.errCode()).isEqualTo(ErrorCodes.MISCONFIGURED);
        });
    }

    @Test
    void aRotationLostToAConcurrentOneIsDecidedAgain() {
        String first = sessions.start(ALICE, deadline()).token();
        store.loseNextRotations(RefreshSessions.MAX_ATTEMPTS - 1);

        String second = rotate(first, deadline()).refresh().token();

        assertThat(onlyFamily().currentHash()).isEqualTo(RefreshTokens.hash(second));
        assertThat(onlyFamily().revoked()).isFalse();
    }

    @Test
    void aRotationThatLandsBetweenReadingTheTokenAndItsFamilyIsARetryNotTheft() {
        String first = sessions.start(ALICE, deadline()).token();
        // Another request rotates the token after this one read it (not yet rotated) and before it reads the family.
        store.beforeNextFindFamily(() -> rotate(first, deadline()));

        String mine = rotate(first, deadline()).refresh().token();

        assertThat(mine).isEqualTo(RefreshTokens.successor(first, KEYS.signingKey().secret()));
        assertThat(onlyFamily().revoked()).isFalse();
        assertThat(onlyFamily().currentHash()).isEqualTo(RefreshTokens.hash(mine));
    }

    @Test
    void endlessConflictsEndInA503ThatAsksForARetry() {
        String first = sessions.start(ALICE, deadline()).token();
        store.loseNextRotations(RefreshSessions.MAX_ATTEMPTS);

        assertThatThrownBy(() -> rotate(first, deadline())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfterSeconds()).isNotNull();
        });
        assertThat(rotate(first, deadline()).refresh().token()).isNotBlank();
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

    @Test
    void aSignOutEverywhereThatFailsPartWayIsFinishedByARepeatWithTheSameToken() {
        String phone = sessions.start(ALICE, deadline()).token();
        String tablet = sessions.start(ALICE, deadline()).token();
        store.failAfter(3); // findToken, findFamily, familiesOf; then the first revocation fails

        assertThatThrownBy(() -> sessions.revokeEverywhere(phone, deadline()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        store.failWith(null);

        assertThat(sessions.revokeEverywhere(phone, deadline())).isEqualTo(2);
        assertRejected(() -> rotate(phone, deadline()));
        assertRejected(() -> rotate(tablet, deadline()));
    }

    @Test
    void everySessionOfAUserCanBeRevokedByTheUserIdAlone() {
        String phone = sessions.start(ALICE, deadline()).token();
        String tablet = sessions.start(ALICE, deadline()).token();
        String bob = sessions.start(BOB, deadline()).token();

        assertThat(sessions.revokeAllOf(ALICE.userId(), "account-deleted", deadline())).isEqualTo(2);
        assertThat(sessions.revokeAllOf(ALICE.userId(), "account-deleted", deadline())).as("idempotent").isEqualTo(2);

        assertRejected(() -> rotate(phone, deadline()));
        assertRejected(() -> rotate(tablet, deadline()));
        assertThat(store.revokedReasons.values()).containsOnly("account-deleted");
        assertThat(rotate(bob, deadline()).identity()).isEqualTo(BOB);
    }

    // --- helpers ---

    private RefreshSessions.Rotated rotate(String token, Deadline deadline) {
        return sessions.rotate(token, KEYS, deadline);
    }

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
