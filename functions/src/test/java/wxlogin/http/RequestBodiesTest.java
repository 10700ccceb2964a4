// Unit tests: request bodies read with the one mapper give the contract's 400 for every body that is not one JSON object.
package wxlogin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Json;

class RequestBodiesTest {

    private static final String EXAMPLE = "{\"code\": \"...\"}";

    private static String nested(int depth) {
        return "{\"code\":\"c\",\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[]", "\"code\"", "null", "{\"code\":\"a\",\"code\":\"b\"}",
            "{\"o\":{\"k\":1,\"k\":2},\"code\":\"c\"}", "{\"code\":\"c\",\"l\":[{\"k\":1,\"k\":1}]}", "{\"code\":\"c\"} {}",
            "{\"code\":\"c\"}x", "{\"code\":"})
    void aBodyThatIsNotOneJsonObjectIsA400(String body) {
        assertBadBody(body, false);
        assertBadBody(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)), true);
    }

    @Test
    void aBodyDeeperThanTheMapperReadsIsA400AndOneAtItsDepthIsRead() {
        assertBadBody(nested(Json.MAX_DEPTH + 1), false);
        Map<String, Object> json = RequestBodies.jsonObject(nested(Json.MAX_DEPTH), false, EXAMPLE);
        assertThat(json).containsEntry("code", "c");
    }

    @Test
    void membersKeepTheirJsonTypes() {
        Map<String, Object> json = RequestBodies.jsonObject("{\"s\":\"x\",\"n\":1,\"b\":true,\"z\":null}", false, EXAMPLE);
        assertThat(json).containsEntry("s", "x").containsEntry("n", 1L).containsEntry("b", true).containsEntry("z", null);
    }

    private static void assertBadBody(String body, boolean base64) {
        assertThatThrownBy(() -> RequestBodies.jsonObject(body, base64, EXAMPLE)).as(body)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errCode()).isEqualTo(ErrorCodes.BAD_REQUEST_BODY);
                    assertThat(e.clientMessage()).contains(EXAMPLE);
                });
    }
}
