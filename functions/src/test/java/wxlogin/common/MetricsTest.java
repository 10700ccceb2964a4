package wxlogin.common;

// Unit: each catalogue method writes EMF records that the specification and the catalogue accept, with the documented values.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import wxlogin.testing.EmfSpec;
import wxlogin.testing.LogCapture;

class MetricsTest {

    /** The records {@code emit} writes inside an invocation of {@code function}, each checked against the spec and the catalogue. */
    private static List<JsonNode> records(String function, Runnable emit) {
        try (LogCapture logs = new LogCapture(); Invocation.Scope invocation = Invocation.begin(function, "req-42")) {
            emit.run();
            List<JsonNode> records = logs.metrics();
            for (JsonNode record : records) {
                assertThat(EmfSpec.violations(record)).as("EMF rules broken by %s", record).isEmpty();
                assertThat(EmfSpec.catalogueViolations(record)).as("catalogue broken by %s", record).isEmpty();
                assertThat(record.get("requestId").asText()).isEqualTo("req-42");
                assertThat(record.get("Function").asText()).isEqualTo(function);
                assertThat(record.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo(Metrics.DEFAULT_NAMESPACE);
            }
            return records;
        }
    }

    private static List<String> dimensionSets(JsonNode record) {
        List<String> sets = new java.util.ArrayList<>();
        record.at("/_aws/CloudWatchMetrics/0/Dimensions").forEach(set -> sets.add(set.toString()));
        return sets;
    }

    @Test
    void aLoginIsCountedByOutcomeAndLoginTypeWithItsErrCodesAsProperties() {
        List<JsonNode> records = records("login", () -> {
            Metrics.login(200, "app", 0, null);
            Metrics.login(429, "miniProgram", 45011, 45011L);
            Metrics.login(503, "app", 900_503, null);
            Metrics.login(500, null, 900_500, null);
            Metrics.login(401, "app", 10001000, 10001000L);
        });
        assertThat(records).extracting(r -> r.get("Outcome").asText())
                .containsExactly("ok", "throttled", "unavailable", "failed", "rejected");
        assertThat(records).allSatisfy(r -> assertThat(r.get("Login").asDouble()).isEqualTo(1.0));
        assertThat(dimensionSets(records.get(0))).containsExactly("[\"Function\"]", "[\"Function\",\"Outcome\"]",
                "[\"Function\",\"LoginType\"]");
        assertThat(records.get(1).get("LoginType").asText()).isEqualTo("miniProgram");
        assertThat(records.get(1).get("wechatErrcode").asLong()).isEqualTo(45011);
        assertThat(records.get(1).get("errCode").asLong()).isEqualTo(45011);
        assertThat(records.get(0).has("wechatErrcode")).isFalse();
        // A request not read as far as its code type: no LoginType set, the rest as usual.
        assertThat(records.get(3).has("LoginType")).isFalse();
        assertThat(dimensionSets(records.get(3))).containsExactly("[\"Function\"]", "[\"Function\",\"Outcome\"]");
    }

    @Test
    void aWeChatCallIsACountAndALatency() {
        List<JsonNode> records = records("login", () -> Metrics.weChatCall("code2verifyinfo", "errcode", 37, 40001L, "rid-1"));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).get("WeChatCall").asDouble()).isEqualTo(1.0);
        assertThat(records.get(0).get("Api").asText()).isEqualTo("code2verifyinfo");
        assertThat(records.get(0).get("Outcome").asText()).isEqualTo("errcode");
        assertThat(records.get(0).get("wechatErrcode").asLong()).isEqualTo(40001);
        assertThat(records.get(0).get("rid").asText()).isEqualTo("rid-1");
        assertThat(records.get(1).get("WeChatLatency").asDouble()).isEqualTo(37.0);
        assertThat(records.get(1).at("/_aws/CloudWatchMetrics/0/Metrics/0/Unit").asText()).isEqualTo("Milliseconds");
    }

    @Test
    void aGateDenyIsADecisionAndADenialByReason() {
        List<JsonNode> records = records("gate", () -> {
            Metrics.gateDecision(null);
            Metrics.gateDecision("EXPIRED");
        });
        assertThat(records).extracting(r -> r.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText())
                .containsExactly("GateDecision", "GateDecision", "GateDenied");
        assertThat(records.get(0).get("Outcome").asText()).isEqualTo("allow");
        assertThat(records.get(1).get("Outcome").asText()).isEqualTo("deny");
        assertThat(records.get(1).get("reason").asText()).isEqualTo("EXPIRED");
        assertThat(records.get(2).get("Reason").asText()).isEqualTo("EXPIRED");
    }

    @Test
    void theOtherMetricsOfTheCatalogue() {
        List<JsonNode> records = records("session", () -> {
            Metrics.refresh(Metrics.RefreshOutcome.REPEATED);
            Metrics.reuseDetected();
            Metrics.revocation(Metrics.RevocationReason.EVERYWHERE, 3);
            Metrics.revocation(Metrics.RevocationReason.LOGOUT, 0);
            Metrics.directoryLinkCreated(1);
            Metrics.accountDeletion(Metrics.AccountDeletionOutcome.PARTIAL);
            Metrics.dependencyFailure(Metrics.Dependency.DYNAMODB, "throttled");
            Metrics.restore();
            Metrics.stableTokenFetch();
            Metrics.cloudFunctionCall(400);
        });
        assertThat(records).extracting(r -> r.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText()).containsExactly(
                "Refresh", "ReuseDetected", "Revocation", "DirectoryLinkCreated", "AccountDeletion", "DependencyFailure",
                "Restore", "StableTokenFetch", "CloudFunctionCall");
        assertThat(records.get(0).get("Outcome").asText()).isEqualTo("repeated");
        assertThat(records.get(2).get("Revocation").asDouble()).as("families revoked at once").isEqualTo(3.0);
        assertThat(records.get(2).get("Reason").asText()).isEqualTo("everywhere");
        assertThat(records.get(4).get("Outcome").asText()).isEqualTo("partial");
        assertThat(records.get(5).get("Dependency").asText()).isEqualTo("DynamoDB");
        assertThat(records.get(5).get("kind").asText()).isEqualTo("throttled");
        assertThat(records.get(8).get("Outcome").asText()).as("the function's own error answer").isEqualTo("error");
    }

    @Test
    void cloudFunctionOutcomesFollowTheAnswersStatus() {
        List<JsonNode> records = records("myCloudFunction", () -> List.of(200, 400, 429, 500, 503).forEach(Metrics::cloudFunctionCall));
        assertThat(records).extracting(r -> r.get("Outcome").asText())
                .containsExactly("ok", "error", "unavailable", "failed", "unavailable");
    }

    @Test
    void aMetricThatCannotBeWrittenIsALogLineNotAFailure() {
        List<JsonNode> lines;
        try (LogCapture logs = new LogCapture(); Invocation.Scope invocation = Invocation.begin(" ", "req-1")) {
            Metrics.restore();
            assertThat(logs.metrics()).isEmpty();
            lines = logs.events("metrics.not_written");
        }
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("metric").asText()).isEqualTo("Restore");
    }

    @Test
    void primingWritesNothingAndARestoreIsCountedOnceWhateverTheHooks() {
        SnapStartHook first = SnapStartHook.register(() -> Metrics.login(200, "app", 0, null), () -> { });
        SnapStartHook second = SnapStartHook.register(Metrics::stableTokenFetch, () -> { });
        try (LogCapture logs = new LogCapture()) {
            first.beforeCheckpoint(null);
            second.beforeCheckpoint(null);
            assertThat(logs.metrics()).as("priming's records are dropped").isEmpty();
            first.afterRestore(null);
            second.afterRestore(null);
            assertThat(logs.metrics()).extracting(r -> r.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText())
                    .containsExactly("Restore");
        }
    }

    @Test
    void theNamespaceComesFromMetricsNamespaceWithADefault() {
        assertThat(Metrics.namespace(null)).isEqualTo("WeixinAppLogin");
        assertThat(Metrics.namespace(" ")).isEqualTo("WeixinAppLogin");
        assertThat(Metrics.namespace("MyApp/Prod")).isEqualTo("MyApp/Prod");
    }
}
