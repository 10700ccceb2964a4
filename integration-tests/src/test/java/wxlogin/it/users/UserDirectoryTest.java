// Integration: UserDirectory on the SDK's DynamoDB client against DynamoDB Local (in-process): linking across builds, conflicts, races, outages.
package wxlogin.it.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.RandomIds;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.users.DirectoryUser;
import wxlogin.users.IdentityKey;
import wxlogin.users.LoginIdentities;
import wxlogin.users.UserDirectory;
import wxlogin.users.UserDirectoryUnavailableException;

class UserDirectoryTest {

    static final String MP_APPID = "wxminiprogram0001";
    static final String APP_APPID = "wxmobileapp000001";

    private static final DynamoDbLocal DYNAMO = DynamoDbLocal.shared();
    private static final String TABLE = "users-" + UUID.randomUUID();
    private static DynamoDbClient sdk;
    private static UserDirectory directory;
    private static final RandomIds IDS = new RandomIds();

    @BeforeAll
    static void createTable() {
        DYNAMO.createTable(TABLE, Map.of(
                "AttributeDefinitions", List.of(Map.of("AttributeName", "pk", "AttributeType", "S")),
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"))));
        sdk = client(DYNAMO.endpoint());
        directory = new UserDirectory(sdk, TABLE, () -> IDS.next(16), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        sdk.close();
    }

    static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(500)).build())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(2)))
                .build();
    }

    static Deadline deadline() {
        return Deadline.in(10_000, Clock.systemUTC());
    }

    /** A code2verifyinfo login: user_id authenticated; the bound blocks' openids and the unionid named with it. */
    static LoginIdentities appLogin(String userId, String appOpenid, String mpOpenid, String unionid) {
        Set<IdentityKey> others = new HashSet<>();
        if (appOpenid != null) others.add(IdentityKey.openid(APP_APPID, appOpenid));
        if (mpOpenid != null) others.add(IdentityKey.openid(MP_APPID, mpOpenid));
        if (unionid != null) others.add(IdentityKey.unionid(unionid));
        return new LoginIdentities(IdentityKey.wechatUser(userId), others, userId);
    }

    /** A jscode2session login: the mini program's (appid, openid) authenticated, the unionid named with it. */
    static LoginIdentities miniProgramLogin(String openid, String unionid) {
        return new LoginIdentities(IdentityKey.openid(MP_APPID, openid),
                unionid == null ? Set.of() : Set.of(IdentityKey.unionid(unionid)), null);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Map<String, AttributeValue> item(String pk) {
        Map<String, AttributeValue> item = sdk.getItem(r -> r.tableName(TABLE).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    String ownerOf(IdentityKey key) {
        Map<String, AttributeValue> link = item("link#" + key.kind() + "#" + key.value());
        return link == null ? null : link.get("userId").s();
    }

    @Test
    void aPersonFirstSeenThroughCode2verifyinfoKeepsTheUserIdAndComesBackWithoutAWrite() {
        String userId = unique("mtuser");
        DirectoryUser first = directory.resolve(appLogin(userId, unique("oapp"), null, unique("u")), deadline());
        assertThat(first.userId()).isEqualTo(userId);
        assertThat(first.created()).isTrue();
        assertThat(first.linksAdded()).isEqualTo(3);

        DirectoryUser again = directory.resolve(appLogin(userId, null, null, null), deadline());
        assertThat(again).isEqualTo(new DirectoryUser(userId, false, 0, null));
        assertThat(item("user#" + userId).get("links").ss()).hasSize(3);
    }

    @Test
    void oneUserAcrossBuildsThroughTheUnionid() {
        String unionid = unique("u");
        DirectoryUser mini = directory.resolve(miniProgramLogin(unique("omp"), unionid), deadline());
        assertThat(mini.created()).isTrue();
        assertThat(mini.userId()).matches("[A-Za-z0-9_-]{22}");

        String mtUserId = unique("mtuser");
        DirectoryUser app = directory.resolve(appLogin(mtUserId, unique("oapp"), null, unionid), deadline());
        assertThat(app.userId()).isEqualTo(mini.userId());
        assertThat(app.created()).isFalse();
        assertThat(app.linksAdded()).isEqualTo(2);
        assertThat(ownerOf(IdentityKey.wechatUser(mtUserId))).isEqualTo(mini.userId());
        assertThat(item("user#" + mtUserId)).as("no second user under the multi-terminal id").isNull();
    }

    @Test
    void oneUserAcrossBuildsThroughTheBoundMiniProgramOpenidWithoutUnionid() {
        String mtUserId = unique("mtuser");
        String mpOpenid = unique("omp");
        DirectoryUser app = directory.resolve(appLogin(mtUserId, unique("oapp"), mpOpenid, null), deadline());
        DirectoryUser mini = directory.resolve(miniProgramLogin(mpOpenid, null), deadline());
        assertThat(mini.userId()).isEqualTo(app.userId()).isEqualTo(mtUserId);
        assertThat(mini.linksAdded()).isZero();
    }

    @Test
    void twoPeopleWithNothingInCommonAreNeverMerged() {
        DirectoryUser app = directory.resolve(appLogin(unique("mtuser"), unique("oapp"), null, null), deadline());
        DirectoryUser mini = directory.resolve(miniProgramLogin(unique("omp"), null), deadline());
        assertThat(mini.userId()).isNotEqualTo(app.userId());
        assertThat(mini.created()).isTrue();
    }

    @Test
    void identitiesOfTwoExistingUsersGoToTheAuthenticatedOnesUserAndNoLinkMoves() {
        String unionid = unique("u");
        String mpOpenid = unique("omp");
        DirectoryUser viaUnionid = directory.resolve(miniProgramLogin(unique("omp"), unionid), deadline());
        DirectoryUser viaMiniProgram = directory.resolve(miniProgramLogin(mpOpenid, null), deadline());
        assertThat(viaUnionid.userId()).isNotEqualTo(viaMiniProgram.userId());

        // A mini-program login of mpOpenid that now also names the unionid: two users.
        DirectoryUser login = directory.resolve(miniProgramLogin(mpOpenid, unionid), deadline());
        assertThat(login.userId()).isEqualTo(viaMiniProgram.userId());
        assertThat(login.conflictingUserId()).isEqualTo(viaUnionid.userId());
        assertThat(ownerOf(IdentityKey.unionid(unionid))).isEqualTo(viaUnionid.userId());

        // An app login whose own user_id is new, naming both: the unionid's user, not a third one.
        String mtUserId = unique("mtuser");
        DirectoryUser app = directory.resolve(appLogin(mtUserId, null, mpOpenid, unionid), deadline());
        assertThat(app.userId()).isEqualTo(viaUnionid.userId());
        assertThat(ownerOf(IdentityKey.wechatUser(mtUserId))).isEqualTo(viaUnionid.userId());
        assertThat(ownerOf(IdentityKey.openid(MP_APPID, mpOpenid))).isEqualTo(viaMiniProgram.userId());
    }

    @Test
    void aUserIdTheContractCannotCarryOrThatWasUsedBeforeGetsARandomId() {
        String tooLong = "x".repeat(65);
        assertThat(directory.resolve(appLogin(tooLong, null, null, null), deadline()).userId())
                .isNotEqualTo(tooLong).matches("[A-Za-z0-9_-]{22}");
        assertThat(directory.resolve(appLogin("has/slash+" + unique("a"), null, null, null), deadline()).userId())
                .matches("[A-Za-z0-9_-]{22}");

        // An id never comes back: a user item left behind (a deleted person's) keeps it taken.
        String used = unique("mtuser");
        sdk.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("user#" + used),
                "userId", AttributeValue.fromS(used))));
        DirectoryUser fresh = directory.resolve(appLogin(used, null, null, null), deadline());
        assertThat(fresh.userId()).isNotEqualTo(used);
        assertThat(ownerOf(IdentityKey.wechatUser(used))).isEqualTo(fresh.userId());
    }

    @Test
    void sixteenConcurrentFirstLoginsFromBothBuildsEndAsOneUserWithEveryLink() throws Exception {
        String mtUserId = unique("mtuser");
        String appOpenid = unique("oapp");
        String mpOpenid = unique("omp");
        String unionid = unique("u");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<DirectoryUser>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                LoginIdentities login = i % 2 == 0 ? appLogin(mtUserId, appOpenid, mpOpenid, unionid)
                        : miniProgramLogin(mpOpenid, unionid);
                Callable<DirectoryUser> task = () -> {
                    start.await();
                    return directory.resolve(login, deadline());
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            AtomicInteger created = new AtomicInteger();
            for (Future<DirectoryUser> result : results) {
                DirectoryUser user = result.get();
                ids.add(user.userId());
                if (user.created()) created.incrementAndGet();
            }
            assertThat(ids).hasSize(1);
            assertThat(created.get()).isEqualTo(1);
            String userId = ids.iterator().next();
            for (IdentityKey key : List.of(IdentityKey.wechatUser(mtUserId), IdentityKey.openid(APP_APPID, appOpenid),
                    IdentityKey.openid(MP_APPID, mpOpenid), IdentityKey.unionid(unionid))) {
                assertThat(ownerOf(key)).as(key.toString()).isEqualTo(userId);
            }
            assertThat(item("user#" + userId).get("links").ss()).hasSize(4);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnreachableDirectoryIsUnavailableAndAMissingTableIsMisconfiguration() {
        try (DynamoDbClient closed = client(URI.create("http://127.0.0.1:1"))) {
            UserDirectory down = new UserDirectory(closed, TABLE, () -> IDS.next(16), Clock.systemUTC());
            assertThatThrownBy(() -> down.resolve(miniProgramLogin(unique("omp"), null), deadline()))
                    .isInstanceOf(UserDirectoryUnavailableException.class)
                    .hasMessageContaining("unreachable");
        }
        UserDirectory missing = new UserDirectory(sdk, "no-such-table", () -> IDS.next(16), Clock.systemUTC());
        assertThatThrownBy(() -> missing.resolve(miniProgramLogin(unique("omp"), null), deadline()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no-such-table");
    }

    @Test
    void noTimeLeftIsUnavailableWithoutACall() {
        assertThatThrownBy(() -> directory.resolve(miniProgramLogin(unique("omp"), null),
                Deadline.in(0, Clock.systemUTC())))
                .isInstanceOf(UserDirectoryUnavailableException.class);
    }
}
