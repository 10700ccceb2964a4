// Integration, in-process: the outage drill - every function against every dependency it has, each fault, warm and cold, through TCP fault proxies: the contract's status, a clean JSON body, inside the deadline, Retry-After, recovery, nothing lost.
package wxlogin.it.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wxlogin.cloudfunction.GetPhoneNumber;
import wxlogin.cloudfunction.MyCloudFunction;
import wxlogin.common.ErrorCodes;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.drill.Drill.Answer;
import wxlogin.it.drill.Drill.Case;
import wxlogin.it.drill.Drill.Dependency;
import wxlogin.it.drill.Drill.FaultKind;
import wxlogin.it.drill.Drill.Function;
import wxlogin.it.drill.Drill.Instance;
import wxlogin.it.drill.Drill.Outcome;
import wxlogin.it.faults.FaultProxy;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.session.handler.SessionHandler;
import wxlogin.testing.LogCapture;
import wxlogin.testing.SecretLedger;

/**
 * The outage drill (issue 19), table-driven by {@link Drill#cases()}: a cold instance is a new
 * handler; a warm one has served a request, then its cached secrets came due (the clock moved past
 * their TTL), so the fault meets a re-read. Run it alone:
 * {@code mvn -B -ntp -pl integration-tests -am verify -Dtest=OutageDrillTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * The table it ran is written to {@code integration-tests/target/reliability/outage-drill.md}.
 */
class OutageDrillTest {

    private static DrillStand stand;
    /** Row text by case position, for the table. */
    private static final Map<Integer, String> ROWS = new ConcurrentSkipListMap<>();
    /** The directory's user ids of the drill's two people: every login after a fault must find the same one (nothing lost). */
    private static String appUserId;
    private static String miniProgramUserId;
    private static final String PHONE_NUMBER = WeChatSandbox.phoneNumberOf(DrillStand.MINI_PROGRAM_PERSON);

    private LogCapture logs;
    /** Values no answer or log line may hold: secrets, codes, tokens. */
    private final List<String> sensitive = new ArrayList<>(List.of(DevelopmentSecrets.APPSECRET,
            DevelopmentSecrets.SIGNING_SECRET, DevelopmentSecrets.MINIPROGRAM_APPSECRET, PHONE_NUMBER));

    @BeforeAll
    static void start() {
        stand = new DrillStand();
        appUserId = stand.setupLogin().json().path("userId").asText();
        miniProgramUserId = stand.setupMiniProgramLogin().json().path("userId").asText();
    }

    @AfterAll
    static void stop() throws IOException {
        stand.close();
        writeTable();
    }

    @BeforeEach
    void begin() {
        stand.heal();
        logs = new LogCapture();
    }

    @AfterEach
    void end() {
        stand.heal();
        String text = logs.text();
        logs.close();
        // jscode2session's session_keys: never in a log line (nor in an answer, checked per case).
        for (String key : stand.wechat.sessionKeysHandedOut()) {
            SecretLedger.register(SecretLedger.Kind.SESSION_KEY, key);
            assertThat(text).as("log lines hold no session_key").doesNotContain(key);
        }
        for (String value : sensitive) {
            assertThat(text).as("log lines hold no secret, code or token").doesNotContain(value);
        }
    }

    static Stream<Case> cases() {
        return Drill.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anOutageAnswersTheContractInsideTheDeadlineAndTheNextRequestSucceeds(Case drill) throws Exception {
        Subject subject = subject(drill.function());
        if (drill.dependency() == Dependency.USERS_TABLE_WRITE) {
            ((MiniProgramLogin) subject).newPerson(drill.fault() == FaultKind.ANSWER_LOST);
        }
        if (drill.instance() == Instance.WARM) {
            subject.warmUp();
            stand.clock.advance(CachedSecret.TTL.plusSeconds(1)); // cached secrets come due: the fault meets a re-read
        }
        FaultProxy proxy = drill.dependency().proxy(stand);
        if (drill.fault() == FaultKind.RESET_MID_POOL) {
            proxy.resetOpenConnections();
        }
        proxy.fail(drill.dependency().operation, drill.dependency().fault(drill.fault()));

        long started = System.nanoTime();
        Answer answer = subject.call(drill.deadlineMillis());
        long millis = (System.nanoTime() - started) / 1_000_000;
        ROWS.put(Drill.cases().indexOf(drill), "| " + drill.function().label + " | " + drill.dependency().label + " | "
                + drill.fault().label + " | " + drill.instance().name().toLowerCase() + " | " + drill.deadlineMillis() / 1000
                + " s | " + answer.summary().replace("|", "\\|") + " |");

        assertThat(millis).as("answered inside the deadline given (%d ms): %s", drill.deadlineMillis(), answer)
                .isLessThan(drill.deadlineMillis());
        assertAnswer(drill, answer);

        // The fault clears and the answer's Retry-After passes: the same instance serves again.
        stand.heal();
        // A warm instance that answered from its cache does not ask again for a while: no window to wait out.
        passRetryAfter(answer, drill.dependency() == Dependency.SECRETS_MANAGER && answer.status() >= 300);
        subject.recover();
    }

    // ------------------------------------------------------------------ assertions

    private void assertAnswer(Case drill, Answer answer) {
        Outcome expected = drill.expected();
        if (expected == Outcome.GATE_FAILS_API_GATEWAY_500) {
            assertThat(answer.invocationFailure()).as("a cold gate with no key fails the invocation (%s)", answer)
                    .isInstanceOf(SecretUnavailableException.class);
            // Lambda logs the message (API Gateway answers its own 500 body): no secret, no trace.
            assertNoSecret(answer.invocationFailure().getMessage());
            assertThat(answer.invocationFailure().getMessage()).doesNotContain("\tat ");
            return;
        }
        assertThat(answer.invocationFailure()).as("the invocation must not fail").isNull();
        if (answer.status() >= 400) {
            assertNoStackTrace(answer.body());
            assertNoSecret(answer.body());
        }
        for (String key : stand.wechat.sessionKeysHandedOut()) {
            assertThat(answer.body()).doesNotContain(key);
        }
        if (drill.function() == Function.GET_PHONE_NUMBER && answer.status() >= 400) {
            // wx.cloud.callFunction's failure shape.
            assertThat(answer.json().path("errMsg").asText()).startsWith("cloud.callFunction:fail ");
            assertThat(answer.json().path("requestID").isTextual()).as(answer.body()).isTrue();
        }
        switch (expected) {
            case OK -> assertThat(answer.status()).as(answer.body())
                    .isEqualTo(drill.function() == Function.LOGOUT ? 204 : 200);
            case OK_WITHOUT_REFRESH_TOKEN -> {
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                assertThat(answer.json().has("token")).isTrue();
                assertThat(answer.json().has("refreshToken")).isFalse();
            }
            case TOO_MANY_REQUESTS_429, BAD_GATEWAY_502, UNAVAILABLE_503, GATEWAY_TIMEOUT_504 -> {
                int status = switch (expected) {
                    case TOO_MANY_REQUESTS_429 -> 429;
                    case BAD_GATEWAY_502 -> 502;
                    case UNAVAILABLE_503 -> 503;
                    default -> 504;
                };
                assertThat(answer.status()).as("%s: %s", answer, answer.body()).isEqualTo(status);
                JsonNode body = answer.json();
                assertThat(body.path("errCode").isIntegralNumber()).as(answer.body()).isTrue();
                assertThat(body.get("errCode").asLong()).isNotZero();
                assertThat(body.path("errMsg").asText()).isNotBlank();
                assertThat(body.has("token")).isFalse();
                if (status == 503) {
                    assertThat(answer.retryAfter()).as("503 carries Retry-After").isNotNull();
                    assertThat(Integer.parseInt(answer.retryAfter())).isBetween(1, 5);
                } else if (status == 429) {
                    assertThat(answer.retryAfter()).as("429 carries Retry-After").isNotNull();
                    assertThat(Integer.parseInt(answer.retryAfter())).isPositive();
                }
            }
            case DIRECTORY_UNAVAILABLE_503 -> {
                assertThat(answer.status()).as("%s: %s", answer, answer.body()).isEqualTo(503);
                JsonNode body = answer.json();
                assertThat(body.path("errCode").asLong()).as(answer.body()).isEqualTo(ErrorCodes.USER_DIRECTORY_UNAVAILABLE);
                assertThat(body.path("errMsg").asText()).contains("new code");
                assertThat(body.has("token")).isFalse();
                // The contract's documented exception to "503 carries Retry-After": WeChat spent this code.
                assertThat(answer.retryAfter()).as("no Retry-After: a retry with this code can only fail").isNull();
            }
            default -> throw new IllegalStateException(expected.name());
        }
    }

    private static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at wxlogin.");
    }

    /** No secret, no code or token (this case's or an earlier one's) in an error answer or a failure's message. */
    private void assertNoSecret(String text) {
        assertThat(text).doesNotContain("session_key");
        for (String value : sensitive) {
            assertThat(text).doesNotContain(value);
        }
    }

    /**
     * Moves the clock past the answer's Retry-After. Secrets Manager's client also keeps a one-second
     * quiet window on the real clock (shorter than any Retry-After it causes): that one is slept.
     */
    private static void passRetryAfter(Answer answer, boolean secretsManagerFailedUs) throws InterruptedException {
        String retryAfter = answer.retryAfter();
        if (retryAfter != null) {
            stand.clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
        }
        if (secretsManagerFailedUs) {
            Thread.sleep(SecretsManagerSource.QUIET_AFTER_FAILURE_MILLIS + 50);
        }
    }

    // ------------------------------------------------------------------ the functions

    /** One instance of a function: a request to warm it, the faulted request, the requests that prove recovery. */
    private interface Subject {
        void warmUp();

        Answer call(int deadlineMillis);

        void recover();
    }

    private Subject subject(Function function) {
        return switch (function) {
            case LOGIN -> new Login(stand.loginHandler());
            case GATE_AND_MY_CLOUD_FUNCTION -> new GatedCall(stand.gateHandler());
            case REFRESH -> new Session(stand.sessionHandler(), false);
            case LOGOUT -> new Session(stand.sessionHandler(), true);
            case LOGIN_MINI_PROGRAM -> new MiniProgramLogin(stand.loginHandler());
            case GET_PHONE_NUMBER -> new PhoneNumber(stand.phoneNumberFunction());
        };
    }

    private final class Login implements Subject {
        private final LoginHandler handler;

        Login(LoginHandler handler) {
            this.handler = handler;
        }

        private Answer login(int deadlineMillis) {
            String code = stand.code();
            return logIn(handler, code, Drill.loginEvent(code), deadlineMillis);
        }

        @Override
        public void warmUp() {
            assertThat(login(15_000).status()).as("warm-up login").isEqualTo(200);
        }

        @Override
        public Answer call(int deadlineMillis) {
            return login(deadlineMillis);
        }

        @Override
        public void recover() {
            Answer answer = login(15_000);
            assertThat(answer.status()).as("login after the fault: %s", answer.body()).isEqualTo(200);
            assertThat(answer.json().has("refreshToken")).as("a lasting session again").isTrue();
            assertThat(answer.json().path("userId").asText()).as("the directory still knows the person (nothing lost)")
                    .isEqualTo(appUserId);
        }
    }

    /**
     * The mini-program build's login (codeType miniProgram). On the directory-write rows the faulted
     * login is a new person's first: its read works, its TransactWriteItems meets the fault.
     */
    private final class MiniProgramLogin implements Subject {
        private final LoginHandler handler;
        private String person = DrillStand.MINI_PROGRAM_PERSON;
        private int directoryItemsBefore = -1;
        private boolean writeTookEffect;

        MiniProgramLogin(LoginHandler handler) {
            this.handler = handler;
        }

        private Answer login(String who, int deadlineMillis) {
            String code = stand.miniProgramCode(who);
            return logIn(handler, code, Drill.miniProgramLoginEvent(code), deadlineMillis);
        }

        /**
         * The directory-write rows: the faulted call is a new person's, and the table is counted before it.
         *
         * @param tookEffect the fault lets the write through (its answer is lost)
         */
        MiniProgramLogin newPerson(boolean tookEffect) {
            person = "p" + UUID.randomUUID().toString().substring(0, 8);
            directoryItemsBefore = stand.directoryItems();
            writeTookEffect = tookEffect;
            return this;
        }

        @Override
        public void warmUp() {
            assertThat(login(DrillStand.MINI_PROGRAM_PERSON, 15_000).status()).as("warm-up login").isEqualTo(200);
        }

        @Override
        public Answer call(int deadlineMillis) {
            return login(person, deadlineMillis);
        }

        @Override
        public void recover() {
            int itemsAfterTheFault = stand.directoryItems();
            if (directoryItemsBefore >= 0 && writeTookEffect) {
                assertThat(itemsAfterTheFault).as("the write took effect, only its answer was lost")
                        .isGreaterThan(directoryItemsBefore);
            } else if (directoryItemsBefore >= 0) {
                assertThat(itemsAfterTheFault).as("the failed write left nothing of the new person")
                        .isEqualTo(directoryItemsBefore);
            }
            Answer answer = login(person, 15_000);
            assertThat(answer.status()).as("login after the fault: %s", answer.body()).isEqualTo(200);
            assertThat(answer.json().has("refreshToken")).as("a lasting session again").isTrue();
            String userId = answer.json().path("userId").asText();
            if (directoryItemsBefore >= 0) {
                assertThat(stand.directoryOwnerOfMiniProgramOpenid(answer.json().path("openid").asText()))
                        .as("the new person is in the directory, linked by the openid").isEqualTo(userId);
                if (writeTookEffect) {
                    assertThat(stand.directoryItems()).as("the login found the user the lost write made: no second one")
                            .isEqualTo(itemsAfterTheFault);
                }
            } else {
                assertThat(userId).as("the directory still knows the person (nothing lost)").isEqualTo(miniProgramUserId);
            }
        }
    }

    /** getPhoneNumber (the openapi sample), with the context the gate gives a mini-program session. */
    private final class PhoneNumber implements Subject {
        private final GetPhoneNumber function;

        PhoneNumber(GetPhoneNumber function) {
            this.function = function;
        }

        @Override
        public void warmUp() {
            assertThat(call(10_000).status()).as("warm-up call").isEqualTo(200);
        }

        @Override
        public Answer call(int deadlineMillis) {
            String code = stand.phoneCode();
            sensitive.add(code);
            return Answer.of(function.handleRequest(Drill.phoneNumberEvent(code), Drill.context(deadlineMillis)));
        }

        @Override
        public void recover() {
            Answer answer = call(10_000);
            assertThat(answer.status()).as("call after the fault: %s", answer.body()).isEqualTo(200);
            assertThat(answer.json().path("result").path("phoneNumber").asText()).isEqualTo(PHONE_NUMBER);
        }
    }

    /** The gate, then (when it allows) myCloudFunction with the gate's context, as API Gateway chains them. */
    private final class GatedCall implements Subject {
        private final CallGateHandler handler;
        private final String token;

        GatedCall(CallGateHandler handler) {
            this.handler = handler;
            this.token = keep(stand.setupLogin().json(), "token");
        }

        @Override
        public void warmUp() {
            assertThat(call(8_000).status()).as("warm-up call").isEqualTo(200);
        }

        @Override
        public Answer call(int deadlineMillis) {
            SimpleIAMPolicyResponse decision;
            try {
                decision = handler.handleRequest(Drill.gateEvent(token), Drill.context(deadlineMillis));
            } catch (RuntimeException e) {
                return Answer.apiGateway500(e);
            }
            if (!decision.getIsAuthorized()) {
                return new Answer(403, Map.of(), "{\"message\":\"Forbidden\"}", null);
            }
            return Answer.of(new MyCloudFunction().handleRequest(Drill.functionEvent(decision.getContext()),
                    Drill.context(10_000)));
        }

        @Override
        public void recover() {
            Answer answer = call(8_000);
            assertThat(answer.status()).as("call after the fault: %s", answer).isEqualTo(200);
            assertThat(answer.json().path("result").path("event").path("drill").asBoolean()).isTrue();
        }
    }

    private final class Session implements Subject {
        private final SessionHandler handler;
        private final boolean logout;
        private String refreshToken;

        Session(SessionHandler handler, boolean logout) {
            this.handler = handler;
            this.logout = logout;
            this.refreshToken = keep(stand.setupLogin().json(), "refreshToken");
        }

        private Answer refresh(int deadlineMillis) {
            Answer answer = Answer.of(handler.handleRequest(Drill.sessionEvent("/session/refresh", refreshToken),
                    Drill.context(deadlineMillis)));
            if (answer.status() == 200) {
                keep(answer.json(), "token");
                refreshToken = keep(answer.json(), "refreshToken");
            }
            return answer;
        }

        private Answer logout(int deadlineMillis) {
            return Answer.of(handler.handleRequest(Drill.sessionEvent("/logout", refreshToken),
                    Drill.context(deadlineMillis)));
        }

        @Override
        public void warmUp() {
            assertThat(refresh(10_000).status()).as("warm-up refresh").isEqualTo(200);
        }

        @Override
        public Answer call(int deadlineMillis) {
            return logout ? logout(deadlineMillis) : refresh(deadlineMillis);
        }

        @Override
        public void recover() {
            if (logout) {
                String loggedOut = refreshToken;
                assertThat(logout(10_000).status()).as("logout after the fault").isEqualTo(204);
                Answer after = refresh(10_000);
                assertThat(after.status()).as("the logout took: %s of the logged-out token", after).isEqualTo(401);
                assertThat(refreshToken).isEqualTo(loggedOut);
            } else {
                Answer answer = refresh(10_000);
                assertThat(answer.status()).as("the refresh token still works after the fault: %s", answer.body())
                        .isEqualTo(200);
            }
        }
    }

    /** A login with {@code code} (kept as sensitive), and the tokens of its 200. */
    private Answer logIn(LoginHandler handler, String code, APIGatewayV2HTTPEvent event, int deadlineMillis) {
        sensitive.add(code);
        Answer answer = Answer.of(handler.handleRequest(event, Drill.context(deadlineMillis)));
        if (answer.status() == 200) {
            keep(answer.json(), "token");
            keep(answer.json(), "refreshToken");
        }
        return answer;
    }

    /** A token of an answer, kept as sensitive. */
    private String keep(JsonNode body, String field) {
        if (!body.has(field)) {
            return null;
        }
        String value = body.get(field).asText();
        sensitive.add(value);
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, value);
        return value;
    }

    /** The drill's table as it ran, for RELIABILITY.md. */
    private static void writeTable() throws IOException {
        StringBuilder table = new StringBuilder(
                "| function | dependency | fault | instance | deadline | answer |\n|---|---|---|---|---|---|\n");
        ROWS.values().forEach(row -> table.append(row).append('\n'));
        Path dir = Path.of(System.getProperty("wxlogin.surefireReports", "integration-tests/target/surefire-reports"))
                .resolveSibling("reliability");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("outage-drill.md"), table);
    }
}
