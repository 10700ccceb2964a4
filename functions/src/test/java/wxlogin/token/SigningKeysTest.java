// Unit tests: parsing the session-keys secret (contract: Secret formats), no I/O.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static wxlogin.token.TestTokens.utf8;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.common.ConfigurationException;

class SigningKeysTest {

    private static final String NEW_SECRET = "TOPSECRET-new-key-aaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String OLD_SECRET = "TOPSECRET-old-key-bbbbbbbbbbbbbbbbbbbbbbbbbb";
    /** Outside Java: {@code printf %s 'correct horse battery staple, 32+ bytes!' | sha256sum} = 908481c3 3e5a... */
    private static final String HORSE = "correct horse battery staple, 32+ bytes!";
    /** 29 characters, 41 UTF-8 bytes; {@code printf %s '密钥-secret-密钥-secret-密钥-secret' | sha256sum} = 17941a62 55df... */
    private static final String CJK = "\u5bc6\u94a5-secret-\u5bc6\u94a5-secret-\u5bc6\u94a5-secret";

    @Test
    void listFormFirstKeySignsAndEveryKeyIsFound() {
        SigningKeys keys = SigningKeys.parse("{\"keys\":[{\"kid\":\"2025-06\",\"secret\":\"" + NEW_SECRET + "\"},"
                + "{\"kid\":\"2025-01\",\"secret\":\"" + OLD_SECRET + "\"}]}");

        assertThat(keys.signingKey().kid()).isEqualTo("2025-06");
        assertThat(keys.signingKey().secret()).isEqualTo(utf8(NEW_SECRET));
        assertThat(keys.all()).extracting(SigningKey::kid).containsExactly("2025-06", "2025-01");
        assertThat(keys.find("2025-01").secret()).isEqualTo(utf8(OLD_SECRET));
        assertThat(keys.find("2025-06").secret()).isEqualTo(utf8(NEW_SECRET));
        assertThat(keys.find("2025-02")).isNull();
        assertThat(keys.find(null)).isNull();
    }

    @Test
    void singleFormKidIsFirstFourBytesOfSha256InLowercaseHex() throws Exception {
        SigningKeys keys = SigningKeys.parse("{\"secret\":\"" + NEW_SECRET + "\"}");

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(NEW_SECRET.getBytes(StandardCharsets.UTF_8));
        String expected = String.format("%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
        assertThat(keys.all()).hasSize(1);
        assertThat(keys.signingKey().kid()).isEqualTo(expected).matches("[0-9a-f]{8}");
        assertThat(keys.signingKey().secret()).isEqualTo(utf8(NEW_SECRET));
        assertThat(keys.find(expected)).isSameAs(keys.signingKey());
    }

    @Test
    void singleFormKidMatchesValuesComputedWithSha256sum() {
        assertThat(SigningKeys.parse("{\"secret\":\"" + HORSE + "\"}").signingKey().kid()).isEqualTo("908481c3");
        assertThat(SigningKey.derivedKid(HORSE)).isEqualTo("908481c3");
        // UTF-8 bytes, not chars: the kid an operator computes with sha256sum.
        assertThat(SigningKeys.parse("{\"secret\":\"" + CJK + "\"}").signingKey().kid()).isEqualTo("17941a62");
    }

    @Test
    void singleFormKeyCanBeMovedToTheListFormUnchanged() {
        SigningKey single = SigningKeys.parse("{\"secret\":\"" + HORSE + "\"}").signingKey();
        SigningKeys list = SigningKeys.parse("{\"keys\":[{\"kid\":\"2025-07\",\"secret\":\"" + NEW_SECRET + "\"},"
                + "{\"kid\":\"908481c3\",\"secret\":\"" + HORSE + "\"}]}");

        assertThat(list.find(single.kid()).secret()).isEqualTo(single.secret());
    }

    @Test
    void minimumLengthIsCountedInUtf8Bytes() {
        assertThat(CJK.length()).isLessThan(SigningKey.MIN_BYTES);
        assertThat(SigningKeys.parse("{\"secret\":\"" + CJK + "\"}").signingKey().secret())
                .hasSize(41).isEqualTo(CJK.getBytes(StandardCharsets.UTF_8));
        assertThat(SigningKeys.parse("{\"secret\":\"" + "k".repeat(32) + "\"}").signingKey().secret()).hasSize(32);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"secret\":\"TOPSECRET-31-bytes-xxxxxxxxxxxx\"}",
            "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"TOPSECRET-31-bytes-xxxxxxxxxxxx\"}]}",
            "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + NEW_SECRET + "\"},{\"kid\":\"k2\",\"secret\":\"TOPSECRET-short\"}]}",
            "{\"secret\":\"\"}",
    })
    void secretShorterThan32BytesIsRejected(String secretString) {
        assertThat("TOPSECRET-31-bytes-xxxxxxxxxxxx".getBytes(StandardCharsets.UTF_8)).hasSize(31);
        assertRejectedWithoutEcho(secretString, "TOPSECRET");
    }

    static Stream<Arguments> malformedSecrets() {
        String s = NEW_SECRET;
        return Stream.of(
                Arguments.of("truncated JSON", "{\"secret\":\"" + s),
                Arguments.of("not JSON", "secret=" + s),
                Arguments.of("JSON array", "[\"" + s + "\"]"),
                Arguments.of("JSON string", "\"" + s + "\""),
                Arguments.of("empty", ""),
                Arguments.of("no keys", "{}"),
                Arguments.of("empty key list", "{\"keys\":[]}"),
                Arguments.of("keys not a list", "{\"keys\":\"" + s + "\"}"),
                Arguments.of("key entry not an object", "{\"keys\":[\"" + s + "\"]}"),
                Arguments.of("duplicate kid", "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + s + "\"},"
                        + "{\"kid\":\"k1\",\"secret\":\"" + OLD_SECRET + "\"}]}"),
                Arguments.of("duplicate JSON member", "{\"secret\":\"" + s + "\",\"secret\":\"" + OLD_SECRET + "\"}"),
                Arguments.of("secret a number (list)", "{\"keys\":[{\"kid\":\"k1\",\"secret\":"
                        + "1234567890123456789012345678901234567890}]}"),
                Arguments.of("secret a number (single)", "{\"secret\":1234567890123456789012345678901234567890}"),
                Arguments.of("secret an object", "{\"keys\":[{\"kid\":\"k1\",\"secret\":{\"value\":\"" + s + "\"}}]}"),
                Arguments.of("secret an array", "{\"secret\":[\"" + s + "\"]}"),
                Arguments.of("secret missing", "{\"keys\":[{\"kid\":\"k1\",\"value\":\"" + s + "\"}]}"),
                Arguments.of("kid missing", "{\"keys\":[{\"secret\":\"" + s + "\"}]}"),
                Arguments.of("kid blank", "{\"keys\":[{\"kid\":\" \",\"secret\":\"" + s + "\"}]}"),
                Arguments.of("kid a number", "{\"keys\":[{\"kid\":7,\"secret\":\"" + s + "\"}]}"),
                Arguments.of("kid too long", "{\"keys\":[{\"kid\":\"" + "k".repeat(65) + "\",\"secret\":\"" + s + "\"}]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSecrets")
    void malformedSecretIsAConfigurationErrorThatNeverEchoesTheSecret(String name, String secretString) {
        assertRejectedWithoutEcho(secretString, "TOPSECRET");
        assertRejectedWithoutEcho(secretString, "12345678901234567890");
        assertRejectedWithoutEcho(secretString, "bbbbbbbbbbbbbbbb");
    }

    @Test
    void signingKeyToStringHidesTheSecret() {
        SigningKey key = SigningKeys.parse("{\"secret\":\"" + NEW_SECRET + "\"}").signingKey();
        assertThat(key.toString()).contains(key.kid()).doesNotContain("TOPSECRET");
        assertThat(SigningKeys.parse("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + NEW_SECRET + "\"}]}").all().toString())
                .doesNotContain("TOPSECRET");
    }

    private static void assertRejectedWithoutEcho(String secretString, String fragment) {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> SigningKeys.parse(secretString));
        assertThat(e).as("parse(%s) must throw ConfigurationException", secretString).isNotNull();
        assertThat(e.getMessage()).isNotBlank().doesNotContain(fragment);
        assertThat(e.toString()).doesNotContain(fragment);
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage())).doesNotContain(fragment);
        }
        for (Throwable suppressed : e.getSuppressed()) {
            assertThat(String.valueOf(suppressed.getMessage())).doesNotContain(fragment);
        }
        assertThatThrownBy(() -> SigningKeys.parse(secretString)).isExactlyInstanceOf(ConfigurationException.class);
    }
}
