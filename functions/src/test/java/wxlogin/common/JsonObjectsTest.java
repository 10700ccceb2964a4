// Unit tests: the small-object JSON reader/writer of the login, session and gate paths (strictness, value types, round trips).
package wxlogin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonObjectsTest {

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", "[]", "[[\"code\",\"x\"]]", "\"code\"", "42", "{", "{\"code\":}",
            "{\"code\":\"a\",\"code\":\"b\"}", "{\"user_info\":{\"user_id\":\"a\",\"user_id\":\"b\"}}",
            "{\"a\":[{\"k\":1,\"k\":2}]}", "{} {}", "{}x", "{'code':'x'}", "{code:\"x\"}", "{\"a\":NaN}",
            "{\"a\":1,}", "{\"a\":\"\\u00\"}", "{\"a\":null,\"a\":null}", "{\"a\":null,\"a\":1}",
            "{\"o\":{\"n\":null,\"n\":null}}", "{\"o\":[1,{\"n\":[],\"n\":{}}]}", "{\"a\":1,\"\\u0061\":2}"})
    void onlyExactlyOneStrictJsonObjectIsRead(String text) {
        assertThat(JsonObjects.parseOrNull(text)).as(text).isNull();
    }

    @Test
    void readsValuesAsPlainJavaTypes() {
        Map<String, Object> json = JsonObjects.parseOrNull(" {\"s\":\"caf\u00e9\",\"i\":7200,\"neg\":-1,\"big\":123456789012345678901234,"
                + "\"f\":1.5,\"t\":true,\"n\":null,\"o\":{\"k\":\"v\"},\"l\":[1,\"x\",false]} ");
        assertThat(json).isNotNull();
        assertThat(json.get("s")).isEqualTo("caf\u00e9");
        assertThat(json.get("i")).isEqualTo(7200L);
        assertThat(json.get("neg")).isEqualTo(-1L);
        assertThat(json.get("big")).isInstanceOf(Double.class);
        assertThat(json.get("f")).isEqualTo(1.5);
        assertThat(json.get("t")).isEqualTo(true);
        assertThat(json).containsKey("n");
        assertThat(json.get("n")).isNull();
        assertThat(JsonObjects.object(json, "o")).containsExactly(Map.entry("k", "v"));
        assertThat(json.get("l")).isEqualTo(List.of(1L, "x", false));
        assertThat(JsonObjects.text(json, "s")).isEqualTo("caf\u00e9");
        assertThat(JsonObjects.text(json, "i")).isNull();
        assertThat(JsonObjects.text(json, "missing")).isNull();
        assertThat(JsonObjects.object(json, "s")).isNull();
        assertThat(JsonObjects.text(null, "s")).isNull();
    }

    @Test
    void writesWhatItReadsBackIncludingNullsAndEscapes() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("token", "a\"b\\c\n\u2028</script>");
        value.put("expiresIn", 7200L);
        value.put("int", 3);
        value.put("ratio", 0.25);
        value.put("openid", null);
        value.put("ok", false);
        value.put("nested", Map.of("k", List.of("x", 1L)));
        value.put("list", new ArrayList<>(Arrays.asList(null, "y")));
        String json = JsonObjects.write(value);
        assertThat(json).startsWith("{\"token\":").contains("\"openid\":null");
        Map<String, Object> back = JsonObjects.parseOrNull(json);
        Map<String, Object> expected = new LinkedHashMap<>(value);
        expected.put("int", 3L);
        assertThat(back).isEqualTo(expected);
    }

    @Test
    void refusesToWriteWhatIsNotJson() {
        assertThatThrownBy(() -> JsonObjects.write(Map.of("when", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Object");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
        assertThat(JsonObjects.parseOrNull(deep)).isNull();
    }
}
