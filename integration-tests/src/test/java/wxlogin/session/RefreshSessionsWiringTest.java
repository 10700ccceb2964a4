// Integration: RefreshSessions wired from the environment as login and the session function build it (the SDK's DynamoDB client included, so slow for functions/'s unit run).
package wxlogin.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wxlogin.common.Env;
import wxlogin.testing.MutableClock;

class RefreshSessionsWiringTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void loginAndTheSessionFunctionShareOneDynamoDbStoreOnTheConfiguredTable() {
        RefreshSessions login = RefreshSessions.forLoginOrNull(new Env(Map.of("SESSIONS_TABLE", "sessions-t",
                "AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")), clock);
        RefreshSessions session = RefreshSessions.fromEnvironment(new Env(Map.of("SESSIONS_TABLE", "sessions-t",
                "AWS_REGION", "eu-west-1")), clock);

        for (RefreshSessions sessions : List.of(login, session)) {
            assertThat(sessions.store()).isInstanceOfSatisfying(DynamoDbSessionStore.class, store -> {
                assertThat(store.table()).isEqualTo("sessions-t");
                assertThat(store.client().serviceClientConfiguration().region().id()).isEqualTo("eu-west-1");
            });
        }
        assertThat(((DynamoDbSessionStore) login.store()).client().serviceClientConfiguration().endpointOverride())
                .hasValueSatisfying(uri -> assertThat(uri).hasToString("http://127.0.0.1:8000"));
    }

    @Test
    void theLifetimeAndReuseIntervalComeFromTheEnvironment() {
        Map<String, String> env = Map.of("SESSIONS_TABLE", "t", "AWS_REGION", "us-east-1",
                "REFRESH_TTL_SECONDS", "3600", "REFRESH_REUSE_INTERVAL_SECONDS", "5");
        assertThat(RefreshSessions.fromEnvironment(new Env(env), clock).lifetimeSeconds()).isEqualTo(3600);
        assertThat(RefreshSessions.forLoginOrNull(new Env(env), clock).lifetimeSeconds()).isEqualTo(3600);
        assertThat(RefreshSessions.fromEnvironment(new Env(Map.of("SESSIONS_TABLE", "t", "AWS_REGION", "us-east-1")),
                clock).lifetimeSeconds()).isEqualTo(RefreshSessionsTest.LIFETIME);
        assertThatThrownBy(() -> RefreshSessions.fromEnvironment(new Env(Map.of("AWS_REGION", "us-east-1")), clock))
                .hasMessageContaining("SESSIONS_TABLE");
        assertThatThrownBy(() -> RefreshSessions.fromEnvironment(new Env(Map.of("SESSIONS_TABLE", "t",
                "REFRESH_TTL_SECONDS", "-1")), clock)).hasMessageContaining("REFRESH_TTL_SECONDS");
    }
}
