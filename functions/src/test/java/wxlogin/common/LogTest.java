package wxlogin.common;

// Unit: log lines stay one line per event whatever a client puts into a logged value.

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import wxlogin.testing.LogCapture;

class LogTest {

    @Test
    void aValueCannotSplitOrForgeALine() {
        String text;
        try (LogCapture logs = new LogCapture()) {
            Log.info("gate.denied", "function", "x\nERROR forged.event secret=1", "kid", "a\r\nb", "path", "\u2028z");
            text = logs.text();
        }
        assertThat(text.lines()).hasSize(1);
        assertThat(text).startsWith("INFO gate.denied function=\"x ERROR forged.event secret=1\"");
    }

    @Test
    void plainValuesStayUnquotedAndOthersAreQuoted() {
        assertThat(Log.safe("weixinApp")).isEqualTo("weixinApp");
        assertThat(Log.safe("two words")).isEqualTo("\"two words\"");
        assertThat(Log.safe("a=b")).isEqualTo("\"a=b\"");
        assertThat(Log.safe("say \"hi\"")).isEqualTo("\"say 'hi'\"");
    }
}
