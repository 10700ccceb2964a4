package wxlogin.local.metrics;

// Unit: the local run's stdout shows each metric record as one readable line (--metrics) or not at all; other lines pass unchanged.

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetricLinesTest {

    private static final String LOGIN = "{\"_aws\":{\"Timestamp\":1796662846586,\"CloudWatchMetrics\":[{\"Namespace\":\"WeixinAppLogin\","
            + "\"Metrics\":[{\"Name\":\"Login\",\"Unit\":\"Count\"}],\"Dimensions\":[[\"Function\"],[\"Function\",\"Outcome\"],"
            + "[\"Function\",\"LoginType\"]]}]},\"Function\":\"login\",\"errCode\":0,\"requestId\":\"r-1\",\"Outcome\":\"ok\","
            + "\"LoginType\":\"app\",\"Login\":1.0}";
    private static final String LOG_LINE = "{\"level\":\"INFO\",\"event\":\"login.ok\",\"function\":\"login\"}";

    private static String through(boolean show, String... lines) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(new MetricLines(sink, show), true, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                out.println(line);
            }
        }
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withMetricsARecordIsOneReadableLineValuesThenDimensionsThenProperties() {
        assertThat(through(true, LOG_LINE, LOGIN, "plain text").lines()).containsExactly(LOG_LINE,
                "metric Login=1 Function=login Outcome=ok LoginType=app errCode=0", "plain text");
    }

    @Test
    void withoutMetricsRecordsAreLeftOut() {
        assertThat(through(false, LOG_LINE, LOGIN, "{not json", "{}").lines()).containsExactly(LOG_LINE, "{not json", "{}");
    }

    @Test
    void fractionsAndSeveralValuesStayReadable() {
        String latency = "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Metrics\":[{\"Name\":\"WeChatLatency\","
                + "\"Unit\":\"Milliseconds\"}],\"Dimensions\":[[\"Function\",\"Api\"]]}]},\"Function\":\"login\",\"Api\":\"stable_token\","
                + "\"WeChatLatency\":[12.5,3.0],\"rid\":\"a b\"}";
        assertThat(through(true, latency)).isEqualTo(
                "metric WeChatLatency=12.5,3 Function=login Api=stable_token rid=\"a b\"" + System.lineSeparator());
    }
}
