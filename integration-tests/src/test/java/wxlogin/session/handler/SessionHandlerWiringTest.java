// Integration: SessionHandler wired from its environment alone, as the runtime builds it (the SDK's Secrets Manager client included, so slow for functions/'s unit run).
package wxlogin.session.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wxlogin.common.Json;
import wxlogin.session.RefreshTokens;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;

class SessionHandlerWiringTest {

    @Test
    void withoutSessionsTableEveryRequestIsA500AndNoTokenIsTouched() throws Exception {
        SessionHandler handler;
        try (LogCapture logs = new LogCapture()) {
            handler = new SessionHandler(Map.of("SESSION_KEYS_SECRET_ID", SessionHandlerTest.KEYS_SECRET_ID,
                    "AWS_REGION", "us-east-1"));
            assertThat(logs.text()).contains("session.misconfigured").contains("SESSIONS_TABLE");
        }
        APIGatewayV2HTTPResponse response = handler.handleRequest(
                SessionHandlerTest.refresh(new RefreshTokens().newToken()), new FakeContext());
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(Json.MAPPER.readTree(response.getBody()).get("errCode").asLong()).isEqualTo(900_500L);
    }
}
