// Unit (handler level): POST /account/delete's token checks and the recent-login rule through AccountHandler; the deletion itself runs end to end in integration-tests (AccountDeletionTest).
package wxlogin.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wxlogin.common.Json;
import wxlogin.common.ErrorCodes;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;
import wxlogin.token.SigningKeys;
import wxlogin.testing.FakeContext;
import wxlogin.testing.MutableClock;
import wxlogin.testing.SecretLedger;
import wxlogin.common.Env;
import wxlogin.secrets.CachedSecret;
import wxlogin.token.TokenVerifier;

class AccountHandlerTest {

    static final String SIGNING_SECRET = "signing-key-for-account-tests-0123456789";

    static {
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SIGNING_SECRET);
    }

    private final MutableClock clock = new MutableClock();
    private final SigningKeys keys = SigningKeys.parse("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SIGNING_SECRET + "\"}]}");
    private final SessionTokens tokens = new SessionTokens("weixin-app-login", 7200, clock);

    @Test
    void aLoginOlderThanTenMinutesIsToldToLogInAgainFirst() throws Exception {
        String token = mint(clock.instant().getEpochSecond() - AccountDeletion.RECENT_LOGIN_SECONDS - 1);

        APIGatewayV2HTTPResponse response = unreachableStores().handleRequest(delete(token, "user-1"), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(401);
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertThat(body.get("errCode").asLong()).isEqualTo(ErrorCodes.RECENT_LOGIN_REQUIRED).isEqualTo(900410);
        assertThat(body.get("errMsg").asText()).contains("log in again");
    }

    @Test
    void aRecentLoginPassesTheRuleAndReachesTheDeletion() throws Exception {
        // A refreshed token issued just now still carries the old login's auth_time: only the login counts.
        String exactlyTenMinutes = mint(clock.instant().getEpochSecond() - AccountDeletion.RECENT_LOGIN_SECONDS);

        APIGatewayV2HTTPResponse response = unreachableStores().handleRequest(delete(exactlyTenMinutes, "user-1"),
                new FakeContext());

        // Every store is a closed port here: the deletion was attempted and stopped at its first step.
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(503);
        assertThat(response.getHeaders()).containsEntry("Retry-After", "1");
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong())
                .isEqualTo(ErrorCodes.ACCOUNT_DELETION_INCOMPLETE);
    }

    @Test
    void aTokenThatIsNotAValidSessionIsRefusedWith403SoTheClientRefreshes() throws Exception {
        String recent = mint(clock.instant().getEpochSecond());
        AccountHandler handler = unreachableStores();
        String expired = recent;
        clock.advance(Duration.ofHours(3));

        for (APIGatewayV2HTTPEvent event : new APIGatewayV2HTTPEvent[] {delete(null, null), delete("not-a-token", null),
                delete(expired, "user-1")}) {
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, new FakeContext());
            assertThat(response.getStatusCode()).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong())
                    .isEqualTo(ErrorCodes.ACCESS_TOKEN_REJECTED);
        }
    }

    @Test
    void aTokenForAnotherUserThanTheGateLetThroughIsRefused() throws Exception {
        String token = mint(clock.instant().getEpochSecond());

        APIGatewayV2HTTPResponse response = unreachableStores().handleRequest(delete(token, "someone-else"),
                new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(403);
    }

    @Test
    void anotherRouteOrAnUnusableEnvironmentIsAMisconfiguration() throws Exception {
        String token = mint(clock.instant().getEpochSecond());
        APIGatewayV2HTTPEvent wrongRoute = APIGatewayV2HTTPEvent.builder().withRouteKey("POST /logout")
                .withHeaders(Map.of("authorization", "Bearer " + token)).withBody("{}").build();
        assertThat(unreachableStores().handleRequest(wrongRoute, new FakeContext()).getStatusCode()).isEqualTo(500);

        AccountHandler unconfigured = new AccountHandler(new Env(Map.of("AWS_REGION", "us-east-1")), clock);
        APIGatewayV2HTTPResponse response = unconfigured.handleRequest(delete(token, "user-1"), new FakeContext());
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(ErrorCodes.MISCONFIGURED);
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsA400() throws Exception {
        String token = mint(clock.instant().getEpochSecond());
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRouteKey(AccountHandler.ROUTE)
                .withHeaders(Map.of("authorization", "Bearer " + token)).withBody("[1]").build();

        assertThat(unreachableStores().handleRequest(event, new FakeContext()).getStatusCode()).isEqualTo(400);
    }

    private String mint(long authTime) {
        SigningKey key = keys.signingKey();
        return tokens.mint(key, "user-1", "wxapp", "weixinApp", "o-1", null, authTime).token();
    }

    static APIGatewayV2HTTPEvent delete(String token, String gateUserId) {
        Map<String, String> headers = new HashMap<>();
        if (token != null) {
            headers.put("authorization", "Bearer " + token);
        }
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        if (gateUserId != null) {
            APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizer.setLambda(Map.of("userId", gateUserId));
            context.setAuthorizer(authorizer);
        }
        return APIGatewayV2HTTPEvent.builder().withRouteKey(AccountHandler.ROUTE).withHeaders(headers)
                .withRequestContext(context).withBody("{}").withIsBase64Encoded(false).build();
    }

    /** The real wiring, its secrets served in memory, every AWS and WeChat endpoint a closed port. */
    private AccountHandler unreachableStores() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + closed;
        Env env = new Env(Map.of("AWS_REGION", "us-east-1", "USERS_TABLE", "users", "SESSIONS_TABLE", "sessions",
                "WECHAT_APP_SECRET_ID", "app", "SESSION_KEYS_SECRET_ID", "keys", "WECHAT_API_BASE_URL", nowhere,
                "AWS_ENDPOINT_URL_DYNAMODB", nowhere, "AWS_ENDPOINT_URL_EVENTBRIDGE", nowhere,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", nowhere));
        AccountHandler wired = new AccountHandler(env, clock);
        return new AccountHandler(wired.deletion(), CachedSecret.of(id -> "{\"keys\":[{\"kid\":\"k1\",\"secret\":\""
                + SIGNING_SECRET + "\"}]}", "keys", SigningKeys::parse, clock), new TokenVerifier("weixin-app-login", clock),
                clock);
    }
}
