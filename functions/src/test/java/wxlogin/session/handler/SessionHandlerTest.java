// Unit (handler level): POST /session/refresh and POST /logout through SessionHandler, with an in-memory store and secret source.
package wxlogin.session.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.testing.SecretLedger;
import wxlogin.common.Json;
import wxlogin.secrets.SecretSource;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.session.InMemorySessionStore;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.testing.MutableClock;

class SessionHandlerTest {

    static final String KEYS_SECRET_ID = "test/session-keys";
    static final String SIGNING_SECRET = "signing-key-for-session-tests-0123456789";


    static {
        // For the one log-secrecy check of the run: tokens signed with this key are found by signature.
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SIGNING_SECRET);
    }
    static final SessionIdentity ALICE = new SessionIdentity("user-1", "wxapp", "weixinApp", "o-1", null);

    private final MutableClock clock = new MutableClock();
    private InMemorySessionStore store;
    private RefreshSessions sessions;
    private volatile boolean secretsDown;

    @BeforeEach
    void setUp() {
        store = InMemorySessionStore.create();
        sessions = new RefreshSessions(store, new RefreshTokens(), 3600, 10, clock);
    }

    @Test
    void refreshAnswersTheLoginBodyWithANewTokenPair() throws Exception {
        String refreshToken = sessions.start(ALICE, deadline()).token();

        APIGatewayV2HTTPResponse response = handler().handleRequest(refresh(refreshToken), new FakeContext());

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("token", "tokenType", "expiresIn", "userId", "openid",
                "unionid", "loginType", "refreshToken", "refreshExpiresIn");
        assertThat(body.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(body.get("expiresIn").asLong()).isEqualTo(7200);
        assertThat(body.get("userId").asText()).isEqualTo("user-1");
        assertThat(body.get("openid").asText()).isEqualTo("o-1");
        assertThat(body.get("unionid").isNull()).isTrue();
        assertThat(body.get("loginType").asText()).isEqualTo("weixinApp");
        assertThat(body.get("refreshExpiresIn").asLong()).isEqualTo(3600);
        String next = body.get("refreshToken").asText();
        assertThat(RefreshTokens.wellFormed(next)).isTrue();
        assertThat(next).isNotEqualTo(refreshToken);

        JwtClaims claims = new JwtConsumerBuilder()
                .setVerificationKey(new HmacKey(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8)))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setExpectedIssuer("weixin-app-login")
                .setEvaluationTime(org.jose4j.jwt.NumericDate.fromSeconds(clock.instant().getEpochSecond()))
                .build()
                .processToClaims(body.get("token").asText());
        assertThat(claims.getSubject()).isEqualTo("user-1");
        assertThat(claims.getStringClaimValue("appid")).isEqualTo("wxapp");
        assertThat(claims.getStringClaimValue("login_type")).isEqualTo("weixinApp");
        assertThat(claims.getStringClaimValue("openid")).isEqualTo("o-1");
        assertThat(claims.hasClaim("unionid")).isFalse();
        // auth_time is the login's time, kept across refreshes (OpenID Connect).
        assertThat(claims.getClaimValue("auth_time", Long.class)).isEqualTo(clock.instant().getEpochSecond());
    }

    @Test
    void aRefreshLaterKeepsTheLoginsAuthTimeAndARepeatGetsTheSameRefreshToken() throws Exception {
        long login = clock.instant().getEpochSecond();
        String refreshToken = sessions.start(ALICE, deadline()).token();
        clock.advance(java.time.Duration.ofMinutes(50));
        SessionHandler handler = handler();

        JsonNode first = Json.MAPPER.readTree(handler.handleRequest(refresh(refreshToken), new FakeContext()).getBody());
        clock.advance(java.time.Duration.ofSeconds(3));
        JsonNode repeated = Json.MAPPER.readTree(handler.handleRequest(refresh(refreshToken), new FakeContext()).getBody());

        assertThat(repeated.get("refreshToken").asText()).isEqualTo(first.get("refreshToken").asText());
        assertThat(repeated.get("refreshExpiresIn").asLong()).isEqualTo(first.get("refreshExpiresIn").asLong() - 3);
        assertThat(repeated.get("token").asText()).isNotEqualTo(first.get("token").asText());
        for (JsonNode body : java.util.List.of(first, repeated)) {
            JwtClaims claims = new JwtConsumerBuilder().setSkipSignatureVerification().setSkipAllValidators().build()
                    .processToClaims(body.get("token").asText());
            assertThat(claims.getClaimValue("auth_time", Long.class)).isEqualTo(login);
            assertThat(claims.getIssuedAt().getValue()).isGreaterThan(login);
        }
    }

    @Test
    void logoutEverywhereAnswers204AndEveryDeviceOfTheUserIsSignedOut() throws Exception {
        String phone = sessions.start(ALICE, deadline()).token();
        String tablet = sessions.start(ALICE, deadline()).token();
        String laptop = sessions.start(ALICE, deadline()).token();
        SessionHandler handler = handler();

        APIGatewayV2HTTPResponse response = handler.handleRequest(event("/logout",
                "{\"refreshToken\":\"" + tablet + "\",\"everywhere\":true}", false), new FakeContext());

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(204);
        for (String device : java.util.List.of(phone, tablet, laptop)) {
            assertRejected(handler.handleRequest(refresh(device), new FakeContext()));
        }
        // Its token no longer stands for a session: it cannot sign out everywhere again.
        assertRejected(handler.handleRequest(event("/logout",
                "{\"refreshToken\":\"" + tablet + "\",\"everywhere\":true}", false), new FakeContext()));
    }

    @Test
    void everywhereFalseSignsOutThisDeviceOnly() throws Exception {
        String phone = sessions.start(ALICE, deadline()).token();
        String tablet = sessions.start(ALICE, deadline()).token();
        SessionHandler handler = handler();

        assertThat(handler.handleRequest(event("/logout", "{\"refreshToken\":\"" + phone + "\",\"everywhere\":false}",
                false), new FakeContext()).getStatusCode()).isEqualTo(204);

        assertRejected(handler.handleRequest(refresh(phone), new FakeContext()));
        assertThat(handler.handleRequest(refresh(tablet), new FakeContext()).getStatusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"true\"", "1", "null", "{}"})
    void everywhereThatIsNotABooleanIs400(String value) throws Exception {
        String phone = sessions.start(ALICE, deadline()).token();
        APIGatewayV2HTTPResponse response = handler().handleRequest(event("/logout",
                "{\"refreshToken\":\"" + phone + "\",\"everywhere\":" + value + "}", false), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isEqualTo(900_001L);
        assertThat(error.get("errMsg").asText()).contains("everywhere");
        assertThat(store.revokedReasons).isEmpty();
    }

    @Test
    void logoutAnswers204AndTheTokenNoLongerRefreshes() throws Exception {
        String refreshToken = sessions.start(ALICE, deadline()).token();
        SessionHandler handler = handler();

        APIGatewayV2HTTPResponse logout = handler.handleRequest(logout(refreshToken), new FakeContext());

        assertThat(logout.getStatusCode()).isEqualTo(204);
        assertThat(logout.getBody()).isNull();
        assertRejected(handler.handleRequest(refresh(refreshToken), new FakeContext()));
        // Logging out again (or with an unknown token) is not an error: nothing is left to revoke.
        assertThat(handler.handleRequest(logout(refreshToken), new FakeContext()).getStatusCode()).isEqualTo(204);
        assertThat(handler.handleRequest(logout(new RefreshTokens().newToken()), new FakeContext()).getStatusCode())
                .isEqualTo(204);
    }

    @Test
    void anUnknownTokenIs401() throws Exception {
        assertRejected(handler().handleRequest(refresh(new RefreshTokens().newToken()), new FakeContext()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"refreshToken\":null}", "{\"refreshToken\":1}", "{\"refreshToken\":\"\"}",
            "{\"refreshToken\":\"short\"}", "{\"refreshToken\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\"}",
            "{\"token\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"})
    void aBodyWithoutAUsableRefreshTokenIs400WithItsOwnErrCode(String body) throws Exception {
        for (String route : new String[] {"/session/refresh", "/logout"}) {
            APIGatewayV2HTTPResponse response = handler().handleRequest(event(route, body, false), new FakeContext());
            assertThat(response.getStatusCode()).isEqualTo(400);
            JsonNode error = Json.MAPPER.readTree(response.getBody());
            assertThat(error.get("errCode").asLong()).isEqualTo(900_003L);
            assertThat(error.get("errMsg").asText()).contains("refreshToken");
        }
        assertThat(store.calls.get()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"refreshToken\":\"a\",\"refreshToken\":\"b\"}"})
    void aBodyThatIsNotAJsonObjectIs400(String body) throws Exception {
        APIGatewayV2HTTPResponse response = handler().handleRequest(event("/session/refresh", body, false), new FakeContext());
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_001L);
    }

    @Test
    void aBase64BodyIsDecoded() {
        String refreshToken = sessions.start(ALICE, deadline()).token();
        String body = Base64.getEncoder().encodeToString(("{\"refreshToken\":\"" + refreshToken + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(handler().handleRequest(event("/session/refresh", body, true), new FakeContext()).getStatusCode())
                .isEqualTo(200);
    }

    @Test
    void aStoreOutageIs503WithRetryAfterAndNoToken() throws Exception {
        String refreshToken = sessions.start(ALICE, deadline()).token();
        store.failWith(InMemorySessionStore.throttled());

        for (APIGatewayV2HTTPEvent event : new APIGatewayV2HTTPEvent[] {refresh(refreshToken), logout(refreshToken)}) {
            APIGatewayV2HTTPResponse response = handler().handleRequest(event, new FakeContext());
            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(response.getHeaders()).containsKey("Retry-After");
            assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_505L);
            assertThat(response.getBody()).doesNotContain("token\"");
        }
    }

    @Test
    void withoutSigningKeysNothingIsRotated() throws Exception {
        String refreshToken = sessions.start(ALICE, deadline()).token();
        secretsDown = true;

        APIGatewayV2HTTPResponse response = handler().handleRequest(refresh(refreshToken), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsKey("Retry-After");
        assertThat(store.tokens).hasSize(1);
        assertThat(store.tokens.values().iterator().next().rotatedAt()).isNull();
    }

    // Wired from the environment alone (the SDK's client, slow to load): SessionHandlerWiringTest in integration-tests/.

    @Test
    void aRouteItDoesNotServeIsA500() {
        APIGatewayV2HTTPResponse response = handler().handleRequest(event("/session/other", "{}", false), new FakeContext());
        assertThat(response.getStatusCode()).isEqualTo(500);
    }

    @Test
    void theRouteComesFromTheRouteKeyOrElseMethodAndPath() {
        assertThat(SessionHandler.route(event("/logout", "{}", false))).isEqualTo("POST /logout");
        APIGatewayV2HTTPEvent noKey = APIGatewayV2HTTPEvent.builder().withRouteKey("$default").withRawPath("/session/refresh")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build()).build())
                .build();
        assertThat(SessionHandler.route(noKey)).isEqualTo("POST /session/refresh");
    }

    @Test
    void neitherRefreshTokensNorTheirHashesAreLogged() {
        String logText;
        String first = sessions.start(ALICE, deadline()).token();
        String second;
        try (LogCapture logs = new LogCapture()) {
            SessionHandler handler = handler();
            second = Json.parseOrNull(handler.handleRequest(refresh(first), new FakeContext()).getBody())
                    .get("refreshToken").asText();
            clock.advance(java.time.Duration.ofMinutes(1));
            handler.handleRequest(refresh(first), new FakeContext());
            handler.handleRequest(logout(second), new FakeContext());
            handler.handleRequest(refresh("{\"refreshToken\":\"" + first + "\"}"), new FakeContext());
            logText = logs.text();
        }
        assertThat(logText).contains("session.reuse_detected");
        for (String sensitive : new String[] {first, second, RefreshTokens.hash(first), RefreshTokens.hash(second),
                SIGNING_SECRET}) {
            assertThat(logText).doesNotContain(sensitive);
        }
    }

    @Test
    void theSigningKeysAreReadWithinTheInvocationsRemainingTime() throws Exception {
        String refreshToken = sessions.start(ALICE, deadline()).token();
        long[] secretReadBudget = {-1};
        SecretSource secrets = new SecretSource() {
            @Override
            public String fetch(String secretId) {
                throw new AssertionError("read without the invocation's deadline");
            }

            @Override
            public String fetch(String secretId, Deadline deadline) {
                secretReadBudget[0] = deadline.remainingMillis();
                return "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SIGNING_SECRET + "\"}]}";
            }
        };
        SessionHandler handler = new SessionHandler(SessionHandler.wire(new Env(Map.of("SESSION_KEYS_SECRET_ID",
                KEYS_SECRET_ID)), secrets, sessions, clock), clock);
        Context context = new FakeContext("request-1", 3_500);

        APIGatewayV2HTTPResponse response = handler.handleRequest(refresh(refreshToken), context);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(secretReadBudget[0]).as("the remaining time less the answer's reserve").isEqualTo(3_000);
    }

    // --- helpers ---

    private SessionHandler handler() {
        Env env = new Env(Map.of("SESSION_KEYS_SECRET_ID", KEYS_SECRET_ID));
        return new SessionHandler(SessionHandler.wire(env, id -> {
            if (secretsDown) {
                throw new SecretUnavailableException("test: Secrets Manager down", null);
            }
            return "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SIGNING_SECRET + "\"}]}";
        }, sessions, clock), clock);
    }

    private wxlogin.common.Deadline deadline() {
        return wxlogin.common.Deadline.in(5_000, clock);
    }

    private static void assertRejected(APIGatewayV2HTTPResponse response) throws Exception {
        assertThat(response.getStatusCode()).isEqualTo(401);
        JsonNode error = Json.MAPPER.readTree(response.getBody());
        assertThat(error.get("errCode").asLong()).isEqualTo(900_401L);
        assertThat(error.get("errMsg").asText()).contains("Log in again");
    }

    private static java.util.List<String> fieldNames(JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static APIGatewayV2HTTPEvent refresh(String refreshToken) {
        return event("/session/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}", false);
    }

    static APIGatewayV2HTTPEvent logout(String refreshToken) {
        return event("/logout", "{\"refreshToken\":\"" + refreshToken + "\"}", false);
    }

    static APIGatewayV2HTTPEvent event(String path, String body, boolean base64) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST " + path)
                .withRawPath(path)
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .build();
    }
}
