// Level: component test — the development secrets seed the local endpoints in the contract's formats.
package wxlogin.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DevelopmentSecretsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void secretsFollowTheContractFormats() throws Exception {
        JsonNode app = JSON.readTree(DevelopmentSecrets.wechatAppSecretJson());
        assertThat(app.get("appid").asText()).isEqualTo(DevelopmentSecrets.APPID);
        assertThat(app.get("appsecret").asText()).isEqualTo(DevelopmentSecrets.APPSECRET);

        // The mini program's, in the same format, with the sandbox's mini-program appid.
        JsonNode miniProgram = JSON.readTree(DevelopmentSecrets.miniProgramSecretJson());
        assertThat(miniProgram.get("appid").asText()).isEqualTo("wxsandboxminiprog1");
        assertThat(miniProgram.get("appsecret").asText()).isEqualTo(DevelopmentSecrets.MINIPROGRAM_APPSECRET);

        JsonNode keys = JSON.readTree(DevelopmentSecrets.sessionKeysJson());
        assertThat(keys.get("keys")).hasSize(1);
        assertThat(keys.at("/keys/0/kid").asText()).isEqualTo("local-dev");
        assertThat(keys.at("/keys/0/secret").asText().getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
    }

    @Test
    void seedPutsTheThreeSecrets() {
        try (SecretsManagerEndpoint endpoint = SecretsManagerEndpoint.start()) {
            DevelopmentSecrets.seed(endpoint);
            assertThat(endpoint.current(DevelopmentSecrets.WECHAT_APP_SECRET_ID)).hasValue(DevelopmentSecrets.wechatAppSecretJson());
            assertThat(endpoint.current(DevelopmentSecrets.SESSION_KEYS_SECRET_ID)).hasValue(DevelopmentSecrets.sessionKeysJson());
            assertThat(endpoint.current(DevelopmentSecrets.MINIPROGRAM_SECRET_ID)).hasValue(DevelopmentSecrets.miniProgramSecretJson());
        }
    }

    @Test
    void theSandboxAcceptsTheDevelopmentCredentials() throws Exception {
        try (WeChatSandbox sandbox = DevelopmentSecrets.sandboxFor()) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(sandbox.baseUrl() + WeChatSandbox.STABLE_TOKEN_PATH))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"grant_type\":\"client_credential\",\"appid\":\"" + DevelopmentSecrets.APPID
                                    + "\",\"secret\":\"" + DevelopmentSecrets.APPSECRET + "\",\"force_refresh\":false}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(answer.body()).has("access_token")).isTrue();
            assertThat(sandbox.appid()).isEqualTo(DevelopmentSecrets.APPID);

            HttpResponse<String> session = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(sandbox.baseUrl() + WeChatSandbox.JSCODE2SESSION_PATH + "?appid="
                            + DevelopmentSecrets.MINIPROGRAM_APPID + "&secret=" + DevelopmentSecrets.MINIPROGRAM_APPSECRET
                            + "&js_code=" + sandbox.issueMiniProgramCode("bound", "alice")
                            + "&grant_type=authorization_code")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(session.body()).has("openid")).as(session.body()).isTrue();
        }
    }
}
