// End to end: login, a gated call, refresh, a call with the refreshed token, logout - over HTTP through the local API reading template.yaml, with DynamoDB Local embedded by LocalMain.
package wxlogin.it.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;

class SessionsThroughTheLocalApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static LocalMain.Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, ProjectFiles.template(), false));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theSelfCheckOfTheReadmesFirstCommandRefreshesTooAndPrintsACurlForIt() {
        assertThat(stack.lastingSessions()).isTrue();
        assertThat(stack.tables()).containsExactlyInAnyOrder("SessionsTable", "UsersTable");

        LocalMain.Flow flow = stack.tryTheFlow();

        assertThat(flow.ok()).as(flow.toString()).isTrue();
        assertThat(flow.refreshExpected()).isTrue();
        assertThat(flow.refreshStatus()).isEqualTo(200);
        assertThat(flow.refreshToken()).hasSize(43);
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, flow.refreshToken());
    }

    @Test
    void aRefreshedSessionReachesTheFunctionAndLogoutEndsIt() throws Exception {
        JsonNode login = post("/login", "{\"code\":\"" + stack.wechat().issueCode("weixinApp", "carol") + "\"}", null, 200);
        String refreshToken = login.get("refreshToken").asText();

        JsonNode refreshed = post("/session/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}", null, 200);
        assertThat(refreshed.get("userId").asText()).isEqualTo(login.get("userId").asText());
        assertThat(refreshed.get("token").asText()).isNotEqualTo(login.get("token").asText());

        JsonNode call = post("/functions/myCloudFunction", "{\"data\":{\"n\":1}}", refreshed.get("token").asText(), 200);
        assertThat(call.at("/result/openid").asText()).isEqualTo(login.get("openid").asText());

        String latest = refreshed.get("refreshToken").asText();
        assertThat(send("/logout", "{\"refreshToken\":\"" + latest + "\"}", null).statusCode()).isEqualTo(204);
        HttpResponse<String> after = send("/session/refresh", "{\"refreshToken\":\"" + latest + "\"}", null);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(after.body()).get("errCode").asLong()).isEqualTo(900_401L);
    }

    @Test
    void theSessionRoutesNeedNoAuthorizationHeader() throws Exception {
        // API Gateway would answer 401 itself on a gated route without the header; these reach the function.
        HttpResponse<String> response = send("/session/refresh", "{}", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("errCode").asLong()).isEqualTo(900_003L);
    }

    private static JsonNode post(String path, String body, String bearer, int expected) throws Exception {
        HttpResponse<String> response = send(path, body, bearer);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(expected);
        JsonNode answer = JSON.readTree(response.body());
        // The run-wide log check (RELIABILITY.md) looks for every token in every log line.
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, answer.path("token").asText(null));
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, answer.path("refreshToken").asText(null));
        return answer;
    }

    private static HttpResponse<String> send(String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.api().url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
