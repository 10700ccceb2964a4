// Level: integration, in-process - the real login and gate handlers and the real AWS SDK client against the local Secrets Manager endpoint, behind the TCP fault proxy, with injected faults (no AWS, no Docker).
package wxlogin.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wxlogin.it.reliability.StandIns.CODE_EXCHANGE;
import static wxlogin.it.reliability.StandIns.GATE_TIMEOUT_MILLIS;
import static wxlogin.it.reliability.StandIns.LOGIN_TIMEOUT_MILLIS;
import static wxlogin.it.reliability.StandIns.body;
import static wxlogin.it.reliability.StandIns.gateEvent;
import static wxlogin.it.reliability.StandIns.loginEvent;
import static wxlogin.it.reliability.StandIns.tokenOf;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import wxlogin.common.ConfigurationException;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.faults.FaultProxy;
import wxlogin.testing.SecretLedger;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.aws.AwsFault;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.SecretsManagerSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

/**
 * Secrets Manager failing in each way the issue lists, cold (nothing cached: the caller gets a
 * clear error) and warm (a cached value: service continues and the log says why). Every login
 * answers inside the time Lambda gives CodeExchangeFunction (template.yaml: 15 s) and every gate
 * decision inside CallGateFunction's 8 s.
 *
 * <p>Already covered elsewhere, not repeated here: Secrets Manager down on a cold and on a warm
 * login, and a missing secret on a cold login (LoginEndToEndTest); a warm and a cold gate with
 * Secrets Manager down (GatedCallEndToEndTest); malformed secrets against WireMock
 * (LoginHandlerTest); cache rules in isolation (CachedSecretTest).
 */
class SecretsManagerFailuresTest {

    /** Past the 5-minute TTL of both handlers' secret caches. */
    private static final Duration PAST_TTL = Duration.ofMinutes(6);
    private static final String UNAVAILABLE = "The login service is temporarily unavailable. Retry in a few seconds.";

    /** How Secrets Manager fails to answer; enough faults queued to outlast the SDK's own retries. */
    enum Outage {
        THROTTLING, INTERNAL_ERROR, SLOWER_THAN_THE_SDK_TIMEOUTS;

        void inject(StandIns standIns) {
            switch (this) {
                case THROTTLING -> standIns.secrets.failNext(20, AwsFault.THROTTLING);
                case INTERNAL_ERROR -> standIns.secrets.failNext(20, AwsFault.INTERNAL);
                // Socket timeout 3 s, API call timeout 6 s (SecretsManagerSource): two attempts at most.
                case SLOWER_THAN_THE_SDK_TIMEOUTS -> standIns.secrets.failNext(4, AwsFault.SLOW(7_000));
            }
        }
    }

    /** What an operator may store by mistake. */
    enum BadValue {
        MALFORMED_JSON("is not a JSON object"),
        MISSING_FIELDS("needs non-empty"),
        KEY_SHORTER_THAN_32_BYTES("is shorter than 32 bytes");

        final String logSays;

        BadValue(String logSays) {
            this.logSays = logSays;
        }

        /** Stores the bad value; returns its secret part, which must appear in no log line. */
        String store(StandIns standIns) {
            return switch (this) {
                case MALFORMED_JSON -> put(standIns, DevelopmentSecrets.WECHAT_APP_SECRET_ID,
                        "{\"appid\":\"" + DevelopmentSecrets.APPID + "\",appsecret:malformed-secret-0123456789}",
                        "malformed-secret-0123456789");
                case MISSING_FIELDS -> put(standIns, DevelopmentSecrets.WECHAT_APP_SECRET_ID,
                        "{\"appid\":\"" + DevelopmentSecrets.APPID + "\",\"secret\":\"wrong-member-name-0123456789\"}",
                        "wrong-member-name-0123456789");
                case KEY_SHORTER_THAN_32_BYTES -> put(standIns, DevelopmentSecrets.SESSION_KEYS_SECRET_ID,
                        "{\"keys\":[{\"kid\":\"short\",\"secret\":\"only-twenty-six-bytes-long\"}]}",
                        "only-twenty-six-bytes-long");
            };
        }

        private static String put(StandIns standIns, String id, String value, String secretPart) {
            SecretLedger.register(SecretLedger.Kind.APP_SECRET, secretPart);
            standIns.secrets.put(id, value);
            return secretPart;
        }
    }

    private StandIns standIns;
    private LogCapture logs;

    @BeforeEach
    void start() {
        standIns = new StandIns();
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        logs.close();
        standIns.close();
    }

    // ------------------------------------------------------------------ login, cold

    @ParameterizedTest
    @EnumSource(Outage.class)
    void aColdLoginAnswers503WithRetryAfterAndTheCodeStaysUsable(Outage outage) {
        LoginHandler handler = standIns.loginHandler();
        String code = standIns.code("weixinApp");
        outage.inject(standIns);

        Timed<APIGatewayV2HTTPResponse> login = timed(() -> handler.handleRequest(loginEvent(code), loginContext()));

        assertThat(login.millis()).as("inside the Lambda's remaining time").isLessThan(LOGIN_TIMEOUT_MILLIS);
        assertThat(login.value().getStatusCode()).isEqualTo(503);
        assertThat(login.value().getHeaders()).containsEntry("Retry-After", "5");
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(900_504);
        assertThat(body(login.value()).get("errMsg").asText()).isEqualTo(UNAVAILABLE);
        logs.assertLogged("login.rejected", "status", 503, "errCode", 900504);
        assertThat(logs.text()).contains("secret " + DevelopmentSecrets.WECHAT_APP_SECRET_ID + " unavailable: Secrets Manager");
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).as("the code never reached WeChat").isZero();

        // The app retries after Retry-After with the same code, and it works.
        standIns.secrets.clearFaults();
        pauseLongerThan(SecretsManagerSource.QUIET_AFTER_FAILURE_MILLIS);
        assertThat(tokenOf(handler.handleRequest(loginEvent(code), loginContext()))).isNotNull();
    }

    /** Faults at the connection and HTTP level, from the fault proxy, by name. */
    static FaultProxy.Fault proxyFault(String name) {
        return switch (name) {
            case "500-text" -> FaultProxy.plainServerError(500);
            case "502-html" -> FaultProxy.answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>");
            case "503-json" -> FaultProxy.jsonServerError(503, "1.1", "ServiceUnavailableException");
            case "throttling" -> FaultProxy.secretsManagerThrottling();
            case "429" -> FaultProxy.tooManyRequests();
            case "reset" -> FaultProxy.reset();
            case "reset-mid-answer" -> FaultProxy.resetMidAnswer();
            case "refused" -> FaultProxy.refuse();
            case "hang" -> FaultProxy.hang();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500-text", "502-html", "503-json", "throttling", "429", "reset", "reset-mid-answer", "refused", "hang"})
    void aColdLoginAnswers503ForEveryTransportAndServiceFaultAndTheNextTrySucceeds(String fault) {
        // Issue 19: a 5xx whose body is not JSON once answered 500 (a NullPointerException).
        LoginHandler handler = standIns.loginHandler();
        String code = standIns.code("weixinApp");
        standIns.secretsProxy.fail(proxyFault(fault));

        Timed<APIGatewayV2HTTPResponse> login = timed(() -> handler.handleRequest(loginEvent(code), loginContext()));

        assertThat(login.millis()).as("inside the Lambda's remaining time").isLessThan(LOGIN_TIMEOUT_MILLIS);
        assertThat(login.value().getStatusCode()).as(login.value().getBody()).isEqualTo(503);
        assertThat(Integer.parseInt(login.value().getHeaders().get("Retry-After"))).isBetween(1, 5);
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(900_504);
        assertThat(login.value().getBody()).doesNotContain("Exception");
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).as("the code never reached WeChat").isZero();

        standIns.secretsProxy.heal();
        pauseLongerThan(SecretsManagerSource.QUIET_AFTER_FAILURE_MILLIS);
        assertThat(tokenOf(handler.handleRequest(loginEvent(code), loginContext()))).as("the same code, once it clears")
                .isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500-text", "reset", "refused"})
    void aWarmLoginAndAWarmGateServeFromTheCacheWhilePooledConnectionsBreak(String fault) {
        LoginHandler handler = standIns.loginHandler();
        String token = tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()));
        CallGateHandler gate = standIns.gateHandler();
        assertThat(gate.handleRequest(gateEvent("Bearer " + token), gateContext()).getIsAuthorized()).isTrue();
        standIns.clock.advance(PAST_TTL);
        standIns.secretsProxy.resetOpenConnections();
        standIns.secretsProxy.fail(proxyFault(fault));

        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()))).isNotNull();
        assertThat(gate.handleRequest(gateEvent("Bearer " + token), gateContext()).getIsAuthorized()).isTrue();
        logs.assertLogged("secret.stale", "secret", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
    }

    @Test
    void noPermissionToReadASecretIsA500() {
        standIns.secretsProxy.fail(FaultProxy.answer(400, "application/x-amz-json-1.1",
                "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized\"}"));

        APIGatewayV2HTTPResponse response = standIns.loginHandler()
                .handleRequest(loginEvent(standIns.code("weixinApp")), loginContext());

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(body(response).get("errCode").asLong()).isEqualTo(900_500);
        assertThat(logs.text()).contains("no permission to read secret " + DevelopmentSecrets.WECHAT_APP_SECRET_ID);
    }

    @ParameterizedTest
    @EnumSource(BadValue.class)
    void aColdLoginWithAnUnusableSecretAnswers500AndOnlyTheLogSaysWhatIsWrong(BadValue bad) {
        String secretPart = bad.store(standIns);

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                standIns.loginHandler().handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()));

        assertThat(login.millis()).isLessThan(LOGIN_TIMEOUT_MILLIS);
        assertThat(login.value().getStatusCode()).isEqualTo(500);
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(900_500);
        assertThat(login.value().getBody()).doesNotContain(bad.logSays).doesNotContain(secretPart);
        logs.assertLogged("login.rejected", "status", 500, "errCode", 900500);
        assertThat(logs.text()).contains(bad.logSays).doesNotContain(secretPart);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).isZero();
    }

    @Test
    void aMissingSecretIsNamedInTheLogWithTheServicesErrorCode() {
        Map<String, String> env = standIns.env();
        env.put("WECHAT_APP_SECRET_ID", "wxlogin/local/no-such-secret");

        APIGatewayV2HTTPResponse response = standIns.loginHandler(env)
                .handleRequest(loginEvent(standIns.code("weixinApp")), loginContext());

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(logs.text()).contains("secret wxlogin/local/no-such-secret cannot be read: ResourceNotFoundException");
    }

    // ------------------------------------------------------------------ login, warm

    @ParameterizedTest
    @EnumSource(Outage.class)
    void aWarmLoginKeepsServingFromTheCacheThenBacksOff(Outage outage) {
        LoginHandler handler = standIns.loginHandler();
        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()))).isNotNull();
        standIns.clock.advance(PAST_TTL);
        outage.inject(standIns);

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()));

        assertThat(login.millis()).as("inside the Lambda's remaining time").isLessThan(LOGIN_TIMEOUT_MILLIS);
        assertThat(tokenOf(login.value())).as("served from the cached secrets").isNotNull();
        logs.assertLogged("secret.stale", "secret", DevelopmentSecrets.WECHAT_APP_SECRET_ID);
        logs.assertLogged("secret.stale", "secret", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
        System.out.printf("warm login during %s: %d ms%n", outage, login.millis());

        // After a failed refresh the instance does not ask again for a while: no hammering.
        long calls = standIns.secrets.calls("GetSecretValue");
        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()))).isNotNull();
        assertThat(standIns.secrets.calls("GetSecretValue")).isEqualTo(calls);
    }

    @ParameterizedTest
    @EnumSource(BadValue.class)
    void aWarmLoginKeepsTheLastGoodSecretWhenTheStoredOneBecomesUnusable(BadValue bad) {
        LoginHandler handler = standIns.loginHandler();
        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()))).isNotNull();
        String secretPart = bad.store(standIns);
        standIns.clock.advance(PAST_TTL);

        APIGatewayV2HTTPResponse response = handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext());

        assertThat(tokenOf(response)).isNotNull();
        assertThat(logs.text()).contains("secret.stale", bad.logSays).doesNotContain(secretPart);
    }

    @Test
    void aWarmInstanceStopsUsingItsCacheOnceTheGracePeriodIsOver() {
        LoginHandler handler = standIns.loginHandler();
        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()))).isNotNull();
        standIns.secrets.setDown(true);
        // TTL 5 min + grace 1 h (LoginHandler.SECRET_GRACE), then some.
        standIns.clock.advance(Duration.ofMinutes(5).plusHours(1).plusMinutes(1));

        APIGatewayV2HTTPResponse response = handler.handleRequest(loginEvent(standIns.code("weixinApp")), loginContext());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(body(response).get("errCode").asLong()).isEqualTo(900_504);
    }

    // ------------------------------------------------------------------ gate

    @ParameterizedTest
    @EnumSource(Outage.class)
    void aColdGateFailsTheInvocationInsideItsTimeoutSoApiGatewayAnswers500(Outage outage) {
        String token = tokenOf(standIns.loginHandler().handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()));
        CallGateHandler gate = standIns.gateHandler();
        outage.inject(standIns);

        long start = System.nanoTime();
        assertThatThrownBy(() -> gate.handleRequest(gateEvent("Bearer " + token), new FakeContext(GATE_TIMEOUT_MILLIS)))
                .isInstanceOf(SecretUnavailableException.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(GATE_TIMEOUT_MILLIS);
        logs.assertLogged("gate.no_signing_keys", "cause", java.util.regex.Pattern.compile("Secrets Manager.*"));
    }

    @Test
    void aColdGateWithAKeyShorterThan32BytesFailsRatherThanDenying() {
        String secretPart = BadValue.KEY_SHORTER_THAN_32_BYTES.store(standIns);

        assertThatThrownBy(() -> standIns.gateHandler().handleRequest(gateEvent("Bearer a.b.c"), gateContext()))
                .isInstanceOf(ConfigurationException.class);
        assertThat(logs.text()).contains("gate.no_signing_keys", "is shorter than 32 bytes").doesNotContain(secretPart);
    }

    @ParameterizedTest
    @EnumSource(value = Outage.class, names = {"THROTTLING", "INTERNAL_ERROR"})
    void aWarmGateKeepsAllowingValidTokensAndDenyingForgedOnes(Outage outage) {
        String token = tokenOf(standIns.loginHandler().handleRequest(loginEvent(standIns.code("weixinApp")), loginContext()));
        CallGateHandler gate = standIns.gateHandler();
        assertThat(gate.handleRequest(gateEvent("Bearer " + token), gateContext()).getIsAuthorized()).isTrue();
        standIns.clock.advance(PAST_TTL);
        outage.inject(standIns);

        SimpleIAMPolicyResponse valid = gate.handleRequest(gateEvent("Bearer " + token), gateContext());
        SimpleIAMPolicyResponse forged = gate.handleRequest(gateEvent("Bearer " + token.substring(0, token.length() - 2)
                + (token.endsWith("AA") ? "BA" : "AA")), gateContext());

        assertThat(valid.getIsAuthorized()).isTrue();
        assertThat(forged.getIsAuthorized()).isFalse();
        logs.assertLogged("secret.stale", "secret", DevelopmentSecrets.SESSION_KEYS_SECRET_ID);
    }

    // ------------------------------------------------------------------ helpers

    record Timed<T>(T value, long millis) {
    }

    static <T> Timed<T> timed(Supplier<T> call) {
        long start = System.nanoTime();
        T value = call.get();
        return new Timed<>(value, (System.nanoTime() - start) / 1_000_000);
    }

    private static FakeContext loginContext() {
        return new FakeContext(LOGIN_TIMEOUT_MILLIS);
    }

    private static FakeContext gateContext() {
        return new FakeContext(GATE_TIMEOUT_MILLIS);
    }

    /** Real time must pass: reads right after a failure fail at once by design. */
    private static void pauseLongerThan(long millis) {
        try {
            Thread.sleep(millis + 100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
