package wxlogin.common;

// Unit: each log line is one JSON object with the documented fields, whatever a client puts into a logged value.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import wxlogin.testing.LogCapture;

class LogTest {

    @Test
    void aValueCannotSplitOrForgeALine() throws Exception {
        String text;
        try (LogCapture logs = new LogCapture()) {
            Log.info("gate.denied", "target", "x\n{\"level\":\"ERROR\",\"event\":\"forged\"}", "kid", "a\r\nb\"c\\",
                    "path", "\u2028z\u2029");
            text = logs.text();
        }
        assertThat(text.lines()).hasSize(1);
        assertThat(text).doesNotContain("\u2028").doesNotContain("\u2029").doesNotContain("\r");
        // A second, independent parser reads back exactly what was passed.
        JsonNode line = new ObjectMapper().readTree(text);
        assertThat(line.get("event").asText()).isEqualTo("gate.denied");
        assertThat(line.get("target").asText()).isEqualTo("x\n{\"level\":\"ERROR\",\"event\":\"forged\"}");
        assertThat(line.get("kid").asText()).isEqualTo("a\r\nb\"c\\");
        assertThat(line.get("path").asText()).isEqualTo("\u2028z\u2029");
    }

    @Test
    void everyLineHasLevelEventFunctionAndRequestIdThenTheCallsFields() {
        List<JsonNode> lines;
        try (LogCapture logs = new LogCapture();
             Invocation.Scope invocation = Invocation.begin("login", "req-1")) {
            Log.warn("login.rejected", "status", 503, "errCode", 900504L, "millis", 1.5, "known", true,
                    "loginType", "weixinApp", "missing", null);
            lines = logs.lines();
        }
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.fieldNames()).toIterable().containsExactly("level", "event", "function", "requestId",
                "status", "errCode", "millis", "known", "loginType", "missing");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("function").asText()).isEqualTo("login");
        assertThat(line.get("requestId").asText()).isEqualTo("req-1");
        assertThat(line.get("status").isIntegralNumber()).isTrue();
        assertThat(line.get("errCode").asLong()).isEqualTo(900504L);
        assertThat(line.get("millis").isDouble()).isTrue();
        assertThat(line.get("known").isBoolean()).isTrue();
        assertThat(line.get("loginType").isTextual()).isTrue();
        assertThat(line.get("missing").isNull()).isTrue();
    }

    @Test
    void aCallCannotOverwriteTheFixedFields() {
        List<JsonNode> lines;
        try (LogCapture logs = new LogCapture();
             Invocation.Scope invocation = Invocation.begin("gate", "req-2")) {
            Log.info("gate.denied", "function", "forged", "requestId", "forged", "level", "ERROR", "event", "x", "reason", "POLICY");
            lines = logs.lines();
        }
        JsonNode line = lines.get(0);
        assertThat(line.get("function").asText()).isEqualTo("gate");
        assertThat(line.get("requestId").asText()).isEqualTo("req-2");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("event").asText()).isEqualTo("gate.denied");
        assertThat(line.get("reason").asText()).isEqualTo("POLICY");
    }

    @Test
    void outsideAnInvocationThereIsNoRequestIdAndScopesNest() {
        try (Invocation.Scope outer = Invocation.begin("session", "r-outer")) {
            try (Invocation.Scope inner = Invocation.begin("gate", "r-inner")) {
                assertThat(Invocation.requestId()).isEqualTo("r-inner");
                assertThat(Invocation.function()).isEqualTo("gate");
            }
            assertThat(Invocation.requestId()).isEqualTo("r-outer");
        }
        assertThat(Invocation.requestId()).isNull();
        String line = new String(Log.line(com.amazonaws.services.lambda.runtime.logging.LogLevel.INFO, "snapstart.primed"),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Json.objectOrNull(line).has("requestId")).isFalse();
    }
}
