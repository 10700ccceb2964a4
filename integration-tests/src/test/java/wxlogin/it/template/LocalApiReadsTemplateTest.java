// Level: integration, static (no AWS, no Docker) - the Docker-free local API (local/) understands template.yaml the way SAM does.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import wxlogin.local.api.SamTemplate;

class LocalApiReadsTemplateTest {

    @Test
    void theLocalApiSeesTheSameRoutesAuthorizerAndVariables() {
        SamTemplate local = SamTemplate.load(ProjectFiles.template());
        assertThat(local.warnings()).isEmpty();
        assertThat(local.functions()).containsOnlyKeys(Template.load().functionIds().toArray(String[]::new));

        assertThat(local.routes()).filteredOn(r -> r.routeKey().equals("POST /login")).singleElement()
                .satisfies(r -> {
                    assertThat(r.functionId()).isEqualTo("CodeExchangeFunction");
                    assertThat(r.authorizer()).isNull();
                });
        assertThat(local.routes()).filteredOn(r -> r.routeKey().equals("POST /functions/myCloudFunction"))
                .singleElement().satisfies(r -> {
                    assertThat(r.functionId()).isEqualTo("MyCloudFunction");
                    assertThat(r.authorizer()).isNotNull();
                    assertThat(r.authorizer().functionId()).isEqualTo("CallGateFunction");
                    assertThat(r.authorizer().enableSimpleResponses()).isTrue();
                    assertThat(r.authorizer().payloadFormatVersion()).isEqualTo("2.0");
                    assertThat(r.authorizer().identitySource())
                            .containsExactly("$request.header.Authorization", "$context.routeKey", "$context.path");
                });

        // With default parameters the stack creates the WeChat secret; locally a resource's Ref is its id.
        assertThat(local.condition("CreateWeChatAppSecret")).isTrue();
        assertThat(local.function("CodeExchangeFunction").environment())
                .containsEntry("WECHAT_APP_SECRET_ID", "WeChatAppSecret")
                .containsEntry("SESSION_KEYS_SECRET_ID", "SessionKeysSecret")
                .containsEntry("WECHAT_API_BASE_URL", "https://api.weixin.qq.com")
                .containsEntry("SESSION_TTL_SECONDS", "7200")
                .containsEntry("SESSION_ISSUER", "weixin-app-login");
        assertThat(local.function("CallGateFunction").environment()).containsEntry("GATE_POLICY", "{}");

        // Lasting sessions (on by default): both session routes, open, and the table's Ref as SESSIONS_TABLE.
        for (String routeKey : new String[] {"POST /session/refresh", "POST /logout"}) {
            assertThat(local.routes()).filteredOn(r -> r.routeKey().equals(routeKey)).singleElement().satisfies(r -> {
                assertThat(r.functionId()).isEqualTo("SessionFunction");
                assertThat(r.authorizer()).isNull();
            });
        }
        assertThat(local.condition("LastingSessions")).isTrue();
        assertThat(local.function("CodeExchangeFunction").environment()).containsEntry("SESSIONS_TABLE", "SessionsTable")
                .containsEntry("REFRESH_TTL_SECONDS", "2592000");
        assertThat(local.function("SessionFunction").environment()).containsEntry("SESSIONS_TABLE", "SessionsTable")
                .containsEntry("REFRESH_REUSE_INTERVAL_SECONDS", "10");
        // Switched off, login gets no table (and so builds no DynamoDB client).
        SamTemplate off = SamTemplate.load(ProjectFiles.template(), java.util.Map.of("EnableLastingSessions", "false"));
        assertThat(off.function("CodeExchangeFunction").environment()).doesNotContainKey("SESSIONS_TABLE");
    }
}
