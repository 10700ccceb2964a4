// Level: integration, in-process - the real login handler (real HTTP client, real AWS SDK client) against the WeChat sandbox with injected faults and the local Secrets Manager endpoint (no AWS, no Docker).
package wxlogin.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.it.reliability.SecretsManagerFailuresTest.timed;
import static wxlogin.it.reliability.StandIns.CODE_EXCHANGE;
import static wxlogin.it.reliability.StandIns.LOGIN_TIMEOUT_MILLIS;
import static wxlogin.it.reliability.StandIns.STABLE_TOKEN;
import static wxlogin.it.reliability.StandIns.body;
import static wxlogin.it.reliability.StandIns.loginEvent;
import static wxlogin.it.reliability.StandIns.tokenOf;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.it.reliability.SecretsManagerFailuresTest.Timed;
import wxlogin.local.wechat.Fault;
import wxlogin.login.LoginHandler;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

/**
 * WeChat failing in each way the issue lists, through the real login handler. Every answer says
 * what happened in the contract's shape, every failure leaves a {@code login.wechat_failed} log
 * line (stage, kind, errcode, WeChat's rid), a code is never sent twice unless WeChat surely did
 * not look at it, and every invocation ends inside the time Lambda gave it.
 *
 * <p>Already covered elsewhere, not repeated here: -1 then success ({@code busyOnce}) and -1 every
 * time ({@code systemError}), 45011 from the code exchange ({@code minuteLimit}), HTTP 500,
 * non-JSON, truncated, 5 MiB and dropped answers from the code exchange, a code exchange slower
 * than a 2 s budget, and an access token invalidated by another party (all in LoginEndToEndTest);
 * the same against WireMock plus a refused connection (LoginHandlerTest).
 */
class WeChatFailuresTest {

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

    // ------------------------------------------------------------------ stable_token

    @ParameterizedTest(name = "stable_token {0} -> {1}")
    @CsvSource({"HTTP_500, 502, 900502, BAD_ANSWER", "GARBAGE, 502, 900502, BAD_ANSWER",
            "TRUNCATED, 502, 900502, BAD_ANSWER", "HUGE, 502, 900502, BAD_ANSWER", "DROP, 503, 900503, TIMEOUT"})
    void aBrokenAccessTokenAnswerIsAClearErrorAndTheCodeIsNotSpent(Fault.Kind kind, int status, long errCode,
                                                                   String logKind) {
        LoginHandler handler = standIns.loginHandler();
        String code = standIns.code("weixinApp");
        standIns.wechat.failNext(STABLE_TOKEN, 3, switch (kind) {
            case HTTP_500 -> Fault.HTTP_500;
            case GARBAGE -> Fault.GARBAGE;
            case TRUNCATED -> Fault.TRUNCATED;
            case HUGE -> Fault.HUGE;
            default -> Fault.DROP;
        });

        Timed<APIGatewayV2HTTPResponse> login = timed(() -> handler.handleRequest(loginEvent(code), context()));

        assertThat(login.millis()).as("inside the Lambda's remaining time").isLessThan(LOGIN_TIMEOUT_MILLIS);
        assertThat(login.value().getStatusCode()).isEqualTo(status);
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(errCode);
        assertThat(body(login.value()).get("errMsg").asText()).isNotBlank();
        logs.assertLogged("login.wechat_failed", "stage", "stable_token", "kind", logKind);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).as("the code never reached WeChat").isZero();

        standIns.wechat.clearFaults();
        assertThat(tokenOf(handler.handleRequest(loginEvent(code), context()))).as("the app's retry works").isNotNull();
    }

    @Test
    void anAccessTokenAnswerOfMinus1IsRetriedOnce() {
        standIns.wechat.failNext(STABLE_TOKEN, 1, Fault.ERRCODE(-1));

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                standIns.loginHandler().handleRequest(loginEvent(standIns.code("weixinApp")), context()));

        assertThat(tokenOf(login.value())).isNotNull();
        assertThat(standIns.wechat.calls(STABLE_TOKEN)).isEqualTo(2);
        assertThat(login.millis()).isLessThan(LOGIN_TIMEOUT_MILLIS);
    }

    @Test
    void anAccessTokenAnswerOfMinus1EveryTimeIs503AndTheCodeIsNotSpent() {
        LoginHandler handler = standIns.loginHandler();
        String code = standIns.code("weixinApp");
        standIns.wechat.failNext(STABLE_TOKEN, 5, Fault.ERRCODE(-1));

        APIGatewayV2HTTPResponse response = handler.handleRequest(loginEvent(code), context());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(body(response).get("errCode").asLong()).isEqualTo(-1);
        logs.assertLogged("login.wechat_failed", "stage", "stable_token", "kind", "ERRCODE", "errcode", -1, "rid", java.util.regex.Pattern.compile("[0-9a-f-]+"));
        assertThat(standIns.wechat.calls(STABLE_TOKEN)).as("one retry, no more").isEqualTo(2);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).isZero();

        standIns.wechat.clearFaults();
        assertThat(tokenOf(handler.handleRequest(loginEvent(code), context()))).isNotNull();
    }

    @Test
    void theMinuteLimitOnTheAccessTokenIs429AndTheCodeIsNotSpent() {
        LoginHandler handler = standIns.loginHandler();
        String code = standIns.code("weixinApp");
        standIns.wechat.failNext(STABLE_TOKEN, 1, Fault.ERRCODE(45011));

        APIGatewayV2HTTPResponse response = handler.handleRequest(loginEvent(code), context());

        assertThat(response.getStatusCode()).isEqualTo(429);
        assertThat(response.getHeaders()).containsEntry("Retry-After", "60");
        assertThat(body(response).get("errCode").asLong()).isEqualTo(45011);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).isZero();
        assertThat(tokenOf(handler.handleRequest(loginEvent(code), context()))).isNotNull();
    }

    // ------------------------------------------------------------------ access token rejected (40001)

    @Test
    void aRejectedAccessTokenIsRefreshedAndTheExchangeRetriedOnce() {
        standIns.wechat.failNext(CODE_EXCHANGE, 1, Fault.ERRCODE(40001));

        APIGatewayV2HTTPResponse response = standIns.loginHandler()
                .handleRequest(loginEvent(standIns.code("weixinApp")), context());

        assertThat(tokenOf(response)).isNotNull();
        assertThat(standIns.wechat.calls(STABLE_TOKEN)).isEqualTo(2);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).isEqualTo(2);
    }

    @Test
    void anAccessTokenRejectedTwiceIsAClearErrorAfterOneRefresh() {
        standIns.wechat.failNext(CODE_EXCHANGE, 2, Fault.ERRCODE(40001));

        APIGatewayV2HTTPResponse response = standIns.loginHandler()
                .handleRequest(loginEvent(standIns.code("weixinApp")), context());

        assertThat(response.getStatusCode()).isEqualTo(502);
        assertThat(body(response).get("errCode").asLong()).isEqualTo(40001);
        assertThat(body(response).get("errMsg").asText()).contains("log in again");
        logs.assertLogged("login.wechat_failed", "stage", "code2verifyinfo", "kind", "ERRCODE", "errcode", 40001, "rid", java.util.regex.Pattern.compile("[0-9a-f-]+"));
        logs.assertLogged("login.rejected", "status", 502, "errCode", 40001);
        assertThat(standIns.wechat.calls(STABLE_TOKEN)).as("one refresh, no more").isEqualTo(2);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ unreachable and slow

    @Test
    void aRefusedConnectionIsRetriedOnceThen503() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = standIns.env();
        env.put("WECHAT_API_BASE_URL", "http://127.0.0.1:" + closedPort);

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                standIns.loginHandler(env).handleRequest(loginEvent(standIns.code("weixinApp")), context()));

        assertThat(login.value().getStatusCode()).isEqualTo(503);
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(900_503);
        assertThat(login.value().getHeaders()).containsKey("Retry-After");
        logs.assertLogged("login.wechat_failed", "kind", "UNREACHABLE");
        assertThat(login.millis()).isLessThan(LOGIN_TIMEOUT_MILLIS);
    }

    @Test
    void aCodeExchangeSlowerThanTheReadCapIs503AndIsNotRetried() {
        LoginHandler handler = standIns.loginHandler();
        standIns.wechat.failNext(CODE_EXCHANGE, 1, Fault.SLOW(9_000));

        // The template's full 15 s: the client's own 8 s read cap ends the wait, not the deadline.
        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                handler.handleRequest(loginEvent(standIns.code("weixinApp")), context()));

        assertThat(login.value().getStatusCode()).isEqualTo(503);
        assertThat(body(login.value()).get("errCode").asLong()).isEqualTo(900_503);
        assertThat(login.millis()).isBetween(7_500L, (long) LOGIN_TIMEOUT_MILLIS);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).as("WeChat may have spent the code: never sent again").isEqualTo(1);
    }

    @Test
    void aSlowAccessTokenAnswerEndsInsideTheLittleTimeThatIsLeft() {
        LoginHandler handler = warm();
        standIns.wechat.expireAccessTokens();
        standIns.wechat.failNext(STABLE_TOKEN, 1, Fault.SLOW(5_000));

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                handler.handleRequest(loginEvent(standIns.code("weixinApp")), new FakeContext(2_000)));

        assertThat(login.value().getStatusCode()).isIn(200, 503);
        assertThat(login.millis()).isLessThan(2_000);
    }

    @Test
    void anInvocationWithAlmostNoTimeLeftAnswers503AtOnce() {
        LoginHandler handler = warm();
        long exchanges = standIns.wechat.calls(CODE_EXCHANGE);

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                handler.handleRequest(loginEvent(standIns.code("weixinApp")), new FakeContext(550)));

        assertThat(login.value().getStatusCode()).isEqualTo(503);
        assertThat(login.millis()).isLessThan(550);
        assertThat(standIns.wechat.calls(CODE_EXCHANGE)).as("no call that cannot finish").isEqualTo(exchanges);
    }

    /** Every retry branch in one warm invocation (token refresh, busy, slow answers): still inside 3 s. */
    @Test
    void aRetryStormStaysInsideTheLambdasRemainingTime() {
        LoginHandler handler = warm();
        standIns.wechat.failNext(CODE_EXCHANGE, 1, Fault.ERRCODE(40001));
        standIns.wechat.failNext(STABLE_TOKEN, 1, Fault.ERRCODE(-1));
        standIns.wechat.failNext(STABLE_TOKEN, 1, Fault.SLOW(800));
        standIns.wechat.failNext(CODE_EXCHANGE, 1, Fault.SLOW(2_500));

        Timed<APIGatewayV2HTTPResponse> login = timed(() ->
                handler.handleRequest(loginEvent(standIns.code("weixinApp")), new FakeContext(3_000)));

        assertThat(login.millis()).isLessThan(3_000);
        assertThat(login.value().getStatusCode()).isIn(200, 503);
        logs.assertLogged("login.wechat_failed", "stage", "code2verifyinfo", "kind", "ERRCODE", "errcode", 40001);
        logs.assertLogged("login.wechat_failed", "stage", "stable_token", "kind", "ERRCODE", "errcode", -1);
    }

    // ------------------------------------------------------------------ helpers

    /** A handler that has logged in once: secrets and access token cached. */
    private LoginHandler warm() {
        LoginHandler handler = standIns.loginHandler();
        assertThat(tokenOf(handler.handleRequest(loginEvent(standIns.code("weixinApp")), context()))).isNotNull();
        return handler;
    }

    private static FakeContext context() {
        return new FakeContext(LOGIN_TIMEOUT_MILLIS);
    }
}
