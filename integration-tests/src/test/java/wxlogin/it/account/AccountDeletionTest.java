// End to end: POST /account/delete through AccountHandler as Lambda wires it, against DynamoDB Local (the template's UsersTable and SessionsTable), the WeChat sandbox's unregisteruser and the EventBridge endpoint; logins and refreshes through their own handlers.
package wxlogin.it.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import wxlogin.account.AccountHandler;
import wxlogin.account.UserDeletedEvents;
import wxlogin.common.Json;
import wxlogin.it.faults.FaultProxy;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.local.wechat.Fault;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class AccountDeletionTest {

    private static final String JSON_10 = "application/x-amz-json-1.0";
    private static AccountStand stand;
    private static int people;
    private LogCapture logs;
    private final List<String> sensitive = new ArrayList<>();

    @BeforeAll
    static void start() {
        stand = new AccountStand();
    }

    @AfterAll
    static void stop() {
        stand.close();
    }

    @BeforeEach
    void capture() {
        stand.heal();
        logs = new LogCapture();
        sensitive.add(DevelopmentSecrets.APPSECRET);
        sensitive.add(DevelopmentSecrets.SIGNING_SECRET);
    }

    @AfterEach
    void noSecretInTheLogs() {
        String text = logs.text();
        logs.close();
        for (String value : sensitive) {
            assertThat(text).as("no secret, token or code in a log line").doesNotContain(value);
        }
    }

    /** A new sandbox person, logged in on three devices: the three login bodies. */
    private List<JsonNode> personOnThreeDevices() {
        String user = "acct" + (++people) + "x" + System.nanoTime() % 100_000;
        List<JsonNode> devices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode body = stand.login(user);
            sensitive.add(body.get("token").asText());
            sensitive.add(body.get("refreshToken").asText());
            devices.add(body);
        }
        assertThat(devices.stream().map(d -> d.get("userId").asText()).distinct()).as("one person, one user").hasSize(1);
        return devices;
    }

    private APIGatewayV2HTTPResponse delete(JsonNode login) {
        return stand.accountHandler().handleRequest(AccountStand.deleteEvent(login), new FakeContext(15_000));
    }

    private String userIdOf(JsonNode login) {
        return login.get("userId").asText();
    }

    private List<EventBridgeEndpoint.Event> deletedEvents(String userId) {
        return stand.events.events().stream().filter(e -> e.detail().path("userId").asText().equals(userId)).toList();
    }

    /** The link items (pk) that point at the user. */
    private Set<String> linksOf(String userId) {
        return stand.usersItems().stream()
                .filter(i -> i.get("pk").s().startsWith("link#") && userId.equals(i.get("userId").s()))
                .map(i -> i.get("pk").s()).collect(Collectors.toSet());
    }

    private void assertDeletedCompletely(String userId, List<JsonNode> devices) {
        assertThat(linksOf(userId)).as("no link left").isEmpty();
        Map<String, AttributeValue> tombstone = stand.user("user#" + userId);
        assertThat(tombstone).as("a tombstone keeps the id from being reused").isNotNull();
        assertThat(tombstone.keySet()).containsExactlyInAnyOrder("pk", "userId", "deletedAt");
        assertThat(stand.user("deletion#" + userId)).as("the deletion record goes last").isNull();
        for (JsonNode device : devices) {
            assertThat(stand.refresh(device.get("refreshToken").asText())).as("every device's refresh").isEqualTo(401);
        }
        assertThat(stand.wechat.unregisteredUserIds()).as("the multi-terminal user_id unregistered").contains(userId);
        List<EventBridgeEndpoint.Event> events = deletedEvents(userId);
        assertThat(events).as("user.deleted put").isNotEmpty();
        assertThat(events.get(0).source()).isEqualTo(UserDeletedEvents.SOURCE);
        assertThat(events.get(0).detailType()).isEqualTo("user.deleted");
    }

    @Test
    void deletesTheDirectoryEntrySessionsAndWeChatUserAndPutsTheEventThenARepeatIs204() {
        List<JsonNode> devices = personOnThreeDevices();
        String userId = userIdOf(devices.get(0));
        assertThat(linksOf(userId)).isNotEmpty();

        APIGatewayV2HTTPResponse answer = delete(devices.get(1));

        assertThat(answer.getStatusCode()).as(String.valueOf(answer.getBody())).isEqualTo(204);
        assertDeletedCompletely(userId, devices);
        assertThat(deletedEvents(userId)).hasSize(1);
        assertThat(deletedEvents(userId).get(0).detail().toString()).isEqualTo("{\"userId\":\"" + userId + "\"}");

        long unregisterCalls = stand.wechat.calls(WeChatSandbox.UNREGISTER_USER_PATH);
        assertThat(delete(devices.get(2)).getStatusCode()).as("a repeat after success").isEqualTo(204);
        assertThat(stand.wechat.calls(WeChatSandbox.UNREGISTER_USER_PATH)).as("nothing left to unregister")
                .isEqualTo(unregisterCalls);
        assertThat(deletedEvents(userId)).as("no second event after success").hasSize(1);
    }

    @Test
    void aLaterLoginOfTheSamePersonIsANewUser() {
        List<JsonNode> devices = personOnThreeDevices();
        String userId = userIdOf(devices.get(0));
        assertThat(delete(devices.get(0)).getStatusCode()).isEqualTo(204);

        String user = userId.substring(userId.lastIndexOf('-') + 1);
        JsonNode again = stand.login(userId.replaceFirst("^sbx-weixinApp-", ""));
        sensitive.add(again.get("token").asText());

        assertThat(userIdOf(again)).as("a new user id (" + user + ")").isNotEqualTo(userId);
        assertThat(stand.user("user#" + userId).keySet()).as("the old id stays a tombstone").contains("deletedAt");
        assertThat(linksOf(userIdOf(again))).isNotEmpty();
    }

    @Test
    void aLoginOlderThanTenMinutesIsToldToLogInAgainThenTheDeletionWorks() throws Exception {
        List<JsonNode> devices = personOnThreeDevices();
        String userId = userIdOf(devices.get(0));
        stand.clock.advance(Duration.ofMinutes(10).plusSeconds(5));
        try {
            APIGatewayV2HTTPResponse old = delete(devices.get(0));
            assertThat(old.getStatusCode()).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(old.getBody()).get("errCode").asLong()).isEqualTo(900410);
            assertThat(linksOf(userId)).as("nothing deleted").isNotEmpty();
            assertThat(stand.user("deletion#" + userId)).isNull();

            // A refresh keeps auth_time: only a new login counts.
            JsonNode relogin = stand.login(userId.replaceFirst("^sbx-weixinApp-", ""));
            sensitive.add(relogin.get("token").asText());
            assertThat(userIdOf(relogin)).isEqualTo(userId);
            assertThat(delete(relogin).getStatusCode()).isEqualTo(204);
            assertDeletedCompletely(userId, devices);
        } finally {
            stand.clock.advance(Duration.ofMinutes(-10).minusSeconds(5));
        }
    }

    /** Each step of the deletion failing once: 503 with Retry-After, and the next request finishes the job. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"begin", "revoke", "unregister", "unregisterTokenError", "event", "links", "revokeAgain",
            "finish"})
    void aFailureAtAnyStepAnswers503AndARepeatFinishes(String step) throws Exception {
        List<JsonNode> devices = personOnThreeDevices();
        String userId = userIdOf(devices.get(0));
        boolean recordFirst = false;
        switch (step) {
            case "begin" -> stand.dynamoProxy.fail("GetItem", FaultProxy.plainServerError(500));
            case "revoke" -> stand.dynamoProxy.fail("Query", FaultProxy.reset());
            case "unregister" -> stand.wechat.failNext(WeChatSandbox.UNREGISTER_USER_PATH, 1, Fault.ERRCODE(-1));
            case "unregisterTokenError" -> stand.wechat.invalidateAccessTokens();
            case "event" -> stand.events.failEntriesNext(1);
            case "links" -> stand.dynamoProxy.fail("DeleteItem", FaultProxy.plainServerError(500));
            case "revokeAgain" -> {
                // The first revocation's query finds nothing (as a lagging index would); the second one fails.
                stand.dynamoProxy.fail("Query", FaultProxy.answer(200, JSON_10, "{\"Count\":0,\"Items\":[],\"ScannedCount\":0}"), 1);
                stand.dynamoProxy.fail("Query", FaultProxy.reset());
            }
            case "finish" -> {
                // Stop once at the links, then the resumed attempt's only transaction is the last one.
                stand.dynamoProxy.fail("DeleteItem", FaultProxy.plainServerError(500));
                assertThat(delete(devices.get(0)).getStatusCode()).isEqualTo(503);
                stand.heal();
                stand.dynamoProxy.fail("TransactWriteItems", FaultProxy.plainServerError(500));
                recordFirst = true;
            }
            default -> throw new IllegalArgumentException(step);
        }

        APIGatewayV2HTTPResponse failed = delete(devices.get(0));

        if (step.equals("unregisterTokenError")) {
            // WeChat's 40001 is retried once with a fresh token within the same request.
            assertThat(failed.getStatusCode()).isEqualTo(204);
            assertDeletedCompletely(userId, devices);
            return;
        }
        assertThat(failed.getStatusCode()).as(failed.getBody()).isEqualTo(503);
        assertThat(Integer.parseInt(failed.getHeaders().get("Retry-After"))).isBetween(1, 5);
        assertThat(Json.MAPPER.readTree(failed.getBody()).get("errCode").asLong()).isEqualTo(900507);
        boolean begun = !step.equals("begin");
        JsonNode during = null;
        assertThat(stand.user("deletion#" + userId) != null).as("the record stands once written").isEqualTo(begun || recordFirst);
        if (begun) {
            // From the record on, a login of this person is someone new.
            during = stand.login(userId.replaceFirst("^sbx-weixinApp-", ""));
            sensitive.add(during.get("token").asText());
            assertThat(userIdOf(during)).isNotEqualTo(userId);
        }

        stand.heal();
        APIGatewayV2HTTPResponse repeat = delete(devices.get(0));

        assertThat(repeat.getStatusCode()).as(String.valueOf(repeat.getBody())).isEqualTo(204);
        assertDeletedCompletely(userId, devices);
        if (during != null) {
            assertThat(linksOf(userIdOf(during))).as("the links the new user took over stay its own").isNotEmpty();
            assertThat(stand.refresh(during.get("refreshToken").asText())).as("the new user's session lives").isEqualTo(200);
        }
        assertThat(delete(devices.get(1)).getStatusCode()).isEqualTo(204);
    }

    @Test
    void aLoginRacingTheDeletionNeverResurrectsTheDeletedLinks() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                List<JsonNode> devices = personOnThreeDevices();
                String userId = userIdOf(devices.get(0));
                String user = userId.replaceFirst("^sbx-weixinApp-", "");
                List<Callable<Object>> racers = new ArrayList<>();
                racers.add(() -> delete(devices.get(0)).getStatusCode());
                for (int i = 0; i < 3; i++) {
                    racers.add(() -> userIdOf(stand.login(user)));
                }
                List<Object> results = new ArrayList<>();
                for (Future<Object> f : pool.invokeAll(racers)) {
                    results.add(f.get());
                }
                if (!Integer.valueOf(204).equals(results.get(0))) {
                    assertThat(results.get(0)).as("a deletion contended by logins may ask for a repeat").isEqualTo(503);
                    assertThat(delete(devices.get(0)).getStatusCode()).isEqualTo(204);
                }

                assertThat(linksOf(userId)).as("no link of the deleted user survives or comes back").isEmpty();
                assertThat(stand.user("user#" + userId).keySet()).contains("deletedAt");
                // Every link points at a live user, and a login after the deletion is a new user.
                for (Map<String, AttributeValue> item : stand.usersItems()) {
                    if (item.get("pk").s().startsWith("link#")) {
                        Map<String, AttributeValue> owner = stand.user("user#" + item.get("userId").s());
                        assertThat(owner).as("the owner of " + item.get("pk").s()).isNotNull();
                        assertThat(owner).as("a link of a deleted user: " + item.get("pk").s()).doesNotContainKey("deletedAt");
                    }
                }
                JsonNode after = stand.login(user);
                sensitive.add(after.get("token").asText());
                assertThat(userIdOf(after)).isNotEqualTo(userId);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeletionStartedByOneRequestIsFinishedByAnother() {
        List<JsonNode> devices = personOnThreeDevices();
        String userId = userIdOf(devices.get(0));
        stand.events.failEntriesNext(1);
        assertThat(delete(devices.get(0)).getStatusCode()).isEqualTo(503);

        // Another device of the same person (any instance: a new handler) finishes it.
        AccountHandler another = stand.accountHandler();
        assertThat(another.handleRequest(AccountStand.deleteEvent(devices.get(2)), new FakeContext(15_000))
                .getStatusCode()).isEqualTo(204);
        assertDeletedCompletely(userId, devices);
    }
}
