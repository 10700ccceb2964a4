// Integration level: the project's real template.yaml through SamTemplate and LocalApi (skipped when absent).
package wxlogin.local.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProductionTemplateTest {

    private Path template;

    @BeforeEach
    void findTemplate() {
        // Surefire runs with the module folder as working directory; the template is one level up.
        template = Path.of("..", "template.yaml");
        if (!Files.exists(template)) {
            template = Path.of("template.yaml");
        }
        assumeTrue(Files.exists(template), "no template.yaml next to the local module");
    }

    @Test
    void contractRoutesAndAuthorizer() {
        SamTemplate t = SamTemplate.load(template);
        SamTemplate.Authorizer gate = t.httpApis().get("HttpApi").authorizers().get("CallGate");
        assertThat(gate.functionId()).isEqualTo("CallGateFunction");
        assertThat(gate.identitySource()).contains("$request.header.Authorization", "$context.routeKey");
        assertThat(gate.enableSimpleResponses()).isTrue();

        Map<String, SamTemplate.Route> byKey = new java.util.HashMap<>();
        t.routes().forEach(r -> byKey.put(r.routeKey(), r));
        assertThat(byKey.get("POST /login").functionId()).isEqualTo("CodeExchangeFunction");
        assertThat(byKey.get("POST /login").authorizer()).isNull();
        assertThat(byKey.get("POST /functions/myCloudFunction").functionId()).isEqualTo("MyCloudFunction");
        assertThat(byKey.get("POST /functions/myCloudFunction").authorizer()).isEqualTo(gate);

        assertThat(t.function("CodeExchangeFunction").handler()).isEqualTo("wxlogin.login.LoginHandler::handleRequest");
        assertThat(t.function("CallGateFunction").handler()).isEqualTo("wxlogin.gate.CallGateHandler::handleRequest");
        assertThat(t.function("CodeExchangeFunction").environment())
                .containsEntry("WECHAT_APP_SECRET_ID", "WeChatAppSecret")
                .containsEntry("SESSION_KEYS_SECRET_ID", "SessionKeysSecret");
    }

    @Test
    void gatedRouteWithoutAuthorizationIs401BeforeAnyHandlerRuns() throws Exception {
        try (LocalApi api = LocalApi.builder().template(template).build().start()) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(api.url() + "/functions/myCloudFunction"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"data\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(api.invocations("CallGateFunction")).isZero();
            assertThat(api.instancesCreated("MyCloudFunction")).isZero();
        }
    }
}
