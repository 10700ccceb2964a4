package wxlogin.login;

// Unit: the /login body's codeType (default, both values, anything else a 400 that never echoes the value).

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;

class LoginRequestTest {

    @Test
    void withoutCodeTypeACodeIsAnIdentityCode() {
        assertThat(LoginRequest.parse("{\"code\":\"abc\"}", false))
                .isEqualTo(new LoginRequest("abc", LoginRequest.CodeType.IDENTITY));
        assertThat(LoginRequest.parse("{\"code\":\"abc\",\"codeType\":null}", false).codeType())
                .isEqualTo(LoginRequest.CodeType.IDENTITY);
    }

    @Test
    void bothCodeTypesAreRecognised() {
        assertThat(LoginRequest.parse("{\"code\":\"abc\",\"codeType\":\"identity\"}", false).codeType())
                .isEqualTo(LoginRequest.CodeType.IDENTITY);
        assertThat(LoginRequest.parse("{\"code\":\"abc\",\"codeType\":\"miniProgram\"}", false).codeType())
                .isEqualTo(LoginRequest.CodeType.MINI_PROGRAM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"MiniProgram\"", "\"weixinMiniProgram\"", "\"\"", "1", "true", "[\"miniProgram\"]",
            "\"<script>evil\\n</script>\""})
    void anyOtherCodeTypeIsA400NamingTheTwoValues(String value) {
        assertThatThrownBy(() -> LoginRequest.parse("{\"code\":\"abc\",\"codeType\":" + value + "}", false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errCode()).isEqualTo(ErrorCodes.BAD_CODE_TYPE);
                    assertThat(e.clientMessage()).contains("\"identity\"").contains("\"miniProgram\"");
                    assertThat(e.getMessage()).doesNotContain("evil");
                });
    }

    @Test
    void aMiniProgramRequestWithoutACodeSaysWhereTheCodeComesFrom() {
        assertThatThrownBy(() -> LoginRequest.parse("{\"codeType\":\"miniProgram\",\"code\":\"\"}", false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.errCode()).isEqualTo(ErrorCodes.BAD_CODE);
                    assertThat(e.clientMessage()).contains("wx.login");
                });
    }
}
