// Integration (fast): POST /login with lasting sessions - a refresh token beside the access token, and none (but still a 200) when the store fails. WeChat is WireMock; the store is in memory.
package wxlogin.login;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import wxlogin.common.Env;
import wxlogin.common.Json;
import wxlogin.session.InMemorySessionStore;
import wxlogin.session.RefreshSessions;
import wxlogin.session.RefreshTokens;
import wxlogin.session.SessionIdentity;
import wxlogin.session.StoredToken;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class LoginIssuesRefreshTokensTest {

    @RegisterExtension
    static WireMockExtension wechat = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final InMemorySessionStore store = InMemorySessionStore.create();

    @BeforeEach
    void stubWeChat() {
        wechat.stubFor(post("/cgi-bin/stable_token").willReturn(okJson(
                "{\"access_token\":\"" + LoginHandlerTest.ACCESS_TOKEN + "\",\"expires_in\":7200}")));
        wechat.stubFor(get(urlPathEqualTo("/donut/code2verifyinfo")).willReturn(okJson(LoginHandlerTest.weixinAppAnswer())));
    }

    @Test
    void withLastingSessionsTheLoginAlsoAnswersARefreshTokenForTheSameIdentity() throws Exception {
        APIGatewayV2HTTPResponse response = handler(store).handleRequest(LoginHandlerTest.login("code-1"), new FakeContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        String refreshToken = body.get("refreshToken").asText();
        assertThat(RefreshTokens.wellFormed(refreshToken)).isTrue();
        assertThat(body.get("refreshExpiresIn").asLong()).isEqualTo(30L * 24 * 3600);
        StoredToken stored = store.tokens.get(RefreshTokens.hash(refreshToken));
        assertThat(stored.identity()).isEqualTo(new SessionIdentity("user-1", LoginHandlerTest.APPID, "weixinApp",
                "o-app-1", "u-1"));
    }

    @Test
    void whenTheStoreFailsTheLoginStillSucceedsWithoutARefreshToken() throws Exception {
        store.failWith(InMemorySessionStore.unavailable());
        APIGatewayV2HTTPResponse response;
        String logText;
        try (LogCapture logs = new LogCapture()) {
            response = handler(store).handleRequest(LoginHandlerTest.login("code-2"), new FakeContext());
            logText = logs.text();
        }

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertThat(body.get("token").asText()).isNotBlank();
        assertThat(body.has("refreshToken")).isFalse();
        assertThat(body.has("refreshExpiresIn")).isFalse();
        assertThat(logText).contains("login.refresh_token_not_issued");
    }

    @Test
    void withoutLastingSessionsTheBodyHasNoRefreshFields() throws Exception {
        APIGatewayV2HTTPResponse response = new LoginHandler(exchange(), Clock.systemUTC())
                .handleRequest(LoginHandlerTest.login("code-3"), new FakeContext());

        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body.has("refreshToken")).isFalse();
    }

    private static LoginHandler handler(InMemorySessionStore store) {
        return new LoginHandler(exchange(), new RefreshSessions(store, new RefreshTokens(), 30L * 24 * 3600, 10,
                Clock.systemUTC()), Clock.systemUTC());
    }

    private static CodeExchange exchange() {
        Env env = new Env(Map.of("WECHAT_APP_SECRET_ID", LoginHandlerTest.APP_SECRET_ID,
                "SESSION_KEYS_SECRET_ID", LoginHandlerTest.KEYS_SECRET_ID, "WECHAT_API_BASE_URL", wechat.baseUrl()));
        Map<String, String> secrets = Map.of(
                LoginHandlerTest.APP_SECRET_ID, "{\"appid\":\"" + LoginHandlerTest.APPID + "\",\"appsecret\":\""
                        + LoginHandlerTest.APPSECRET + "\"}",
                LoginHandlerTest.KEYS_SECRET_ID, "{\"keys\":[{\"kid\":\"k1\",\"secret\":\""
                        + LoginHandlerTest.SIGNING_SECRET + "\"}]}");
        return LoginHandler.wire(env, secrets::get, Clock.systemUTC());
    }
}
