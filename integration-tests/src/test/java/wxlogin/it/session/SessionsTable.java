// Test helper (no tests): a fresh sessions table in the JVM's DynamoDB Local, defined as template.yaml defines SessionsTable.
package wxlogin.it.session;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.common.Env;
import wxlogin.it.template.Template;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.session.DynamoDbSessionStore;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;

/** One table per test class, so classes never see each other's items. */
final class SessionsTable {

    final DynamoDbLocal dynamo = DynamoDbLocal.shared();
    final String name = "sessions-" + UUID.randomUUID();

    SessionsTable() {
        dynamo.createTable(name, Template.load().properties("SessionsTable"));
    }

    /** What a function needs to reach this table: region, endpoint override, SESSIONS_TABLE. */
    Map<String, String> environment() {
        return environment(dynamo.endpoint().toString());
    }

    /** The same, with the SDK pointed at another endpoint (a fault proxy, a closed port). */
    Map<String, String> environment(String endpoint) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
        env.put("SESSIONS_TABLE", name);
        return env;
    }

    /** The production store and domain on this table, with a clock the test moves. */
    RefreshSessions refreshSessions(long lifetimeSeconds, long reuseIntervalSeconds, Clock clock) {
        return new RefreshSessions(DynamoDbSessionStore.fromEnvironment(new Env(environment()), name),
                new RefreshTokens(), lifetimeSeconds, reuseIntervalSeconds, clock);
    }

    /** The same with a maximum session age. */
    RefreshSessions refreshSessions(long lifetimeSeconds, long reuseIntervalSeconds, long maxAgeSeconds, Clock clock) {
        return new RefreshSessions(DynamoDbSessionStore.fromEnvironment(new Env(environment()), name),
                new RefreshTokens(), lifetimeSeconds, reuseIntervalSeconds, maxAgeSeconds, clock);
    }

    DynamoDbClient client() {
        return dynamo.client();
    }

    /** The item of a token, by the token (looked up by its hash, as the store does). */
    Map<String, AttributeValue> tokenItem(String refreshToken) {
        return item("token#" + RefreshTokens.hash(refreshToken));
    }

    Map<String, AttributeValue> familyItem(String familyId) {
        return item("family#" + familyId);
    }

    Map<String, AttributeValue> item(String pk) {
        Map<String, AttributeValue> item = client().getItem(r -> r.tableName(name).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    List<Map<String, AttributeValue>> scan() {
        return client().scan(r -> r.tableName(name).consistentRead(true)).items();
    }
}
