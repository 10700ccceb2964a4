// Unit tests: the one configured mapper's rules (duplicate keys, trailing data, one nesting bound for reading and writing).
package wxlogin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    /** An object nested {@code depth} containers deep: {"a":[[...]]}. */
    static String nested(int depth) {
        return "{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"o\":{\"a\":1,\"a\":2}}", "{\"l\":[{\"a\":1,\"a\":2}]}",
            "{\"l\":[[{\"x\":{\"a\":1,\"b\":2,\"a\":1}}]]}"})
    void aKeyGivenTwiceIsRefusedAtEveryDepth(String text) {
        assertThat(Json.parseOrNull(text)).as(text).isNull();
        assertThat(Json.objectOrNull(text)).as(text).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "{}x", "{},", "{}]", "1 2", "\"a\" \"b\"", "{\"a\":1}}"})
    void anythingAfterTheValueIsRefused(String text) {
        assertThat(Json.parseOrNull(text)).as(text).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"s\"", "1", "null", "true", "", " "})
    void objectOrNullTakesOnlyAnObject(String text) {
        assertThat(Json.objectOrNull(text)).as(text).isNull();
    }

    @Test
    void integersAreLongsAndTextIsReadOnlyFromStrings() throws Exception {
        Map<?, ?> map = Json.MAPPER.readValue("{\"i\":7,\"big\":9223372036854775807,\"s\":\"x\"}", Map.class);
        assertThat(map.get("i")).isEqualTo(7L);
        assertThat(map.get("big")).isEqualTo(Long.MAX_VALUE);
        JsonNode node = Json.objectOrNull("{\"i\":7,\"s\":\"x\",\"n\":null}");
        assertThat(Json.text(node, "s")).isEqualTo("x");
        assertThat(Json.text(node, "i")).isNull();
        assertThat(Json.text(node, "n")).isNull();
        assertThat(Json.text(node, "missing")).isNull();
        assertThat(Json.text(null, "s")).isNull();
    }

    @Test
    void whatIsReadAtTheDeepestNestingCanBeWrittenBack() throws Exception {
        JsonNode deepest = Json.MAPPER.readTree(nested(Json.MAX_DEPTH));
        assertThat(deepest).isNotNull();
        assertThat(Json.MAPPER.readTree(Json.write(deepest))).isEqualTo(deepest);
    }

    @Test
    void oneLevelDeeperIsRefusedBothWays() {
        assertThat(Json.parseOrNull(nested(Json.MAX_DEPTH + 1))).isNull();
        // Built in memory (no reader involved), then written: the writer's bound is the reader's.
        com.fasterxml.jackson.databind.node.ArrayNode tooDeep = Json.MAPPER.createArrayNode();
        com.fasterxml.jackson.databind.node.ArrayNode inner = tooDeep;
        for (int i = 1; i <= Json.MAX_DEPTH; i++) {
            inner = inner.addArray();
        }
        assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void aStackOverflowIsNeverTheAnswerToDeepInput() {
        assertThat(Json.parseOrNull("[".repeat(100_000))).isNull();
        assertThat(Json.objectOrNull("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000))).isNull();
    }
}
