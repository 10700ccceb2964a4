// Unit: refresh tokens' shape, randomness and hashing (no I/O).
package wxlogin.session;

import wxlogin.common.RandomIds;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshTokensTest {

    @Test
    void aTokenIs256RandomBitsInBase64UrlWithoutPadding() {
        RefreshTokens tokens = new RefreshTokens();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = tokens.newToken();
            assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
            assertThat(RefreshTokens.wellFormed(token)).isTrue();
            seen.add(token);
        }
        assertThat(seen).hasSize(1000);
        assertThat(tokens.newFamilyId()).hasSize(22).isNotEqualTo(tokens.newFamilyId());
    }

    @Test
    void noRandomGeneratorExistsUntilTheFirstTokenAndOneCanBeDroppedAfterARestore() throws Exception {
        RefreshTokens tokens = new RefreshTokens();
        assertThat(random(tokens)).as("nothing random is made during init (SnapStart)").isNull();
        tokens.newToken();
        assertThat(random(tokens)).isNotNull();
        tokens.forgetRandomness();
        assertThat(random(tokens)).isNull();
        assertThat(tokens.newToken()).hasSize(43);
    }

    @Test
    void theHashIsSha256InBase64UrlAndDiffersFromTheToken() {
        String token = new RefreshTokens().newToken();
        String hash = RefreshTokens.hash(token);
        assertThat(hash).hasSize(43).isNotEqualTo(token).isEqualTo(RefreshTokens.hash(token));
        // SHA-256("abc"), a published test vector.
        assertThat(RefreshTokens.hash("abc")).isEqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assertThat(RefreshTokens.sameHash(hash, RefreshTokens.hash(token))).isTrue();
        assertThat(RefreshTokens.sameHash(hash, RefreshTokens.hash(token + "x"))).isFalse();
        assertThat(RefreshTokens.sameHash(hash, null)).isFalse();
    }

    @Test
    void onlyTheIssuedShapeIsWellFormed() {
        assertThat(RefreshTokens.wellFormed(null)).isFalse();
        assertThat(RefreshTokens.wellFormed("")).isFalse();
        assertThat(RefreshTokens.wellFormed("a".repeat(42))).isFalse();
        assertThat(RefreshTokens.wellFormed("a".repeat(44))).isFalse();
        assertThat(RefreshTokens.wellFormed("a".repeat(42) + "=")).isFalse();
        assertThat(RefreshTokens.wellFormed("a".repeat(42) + "+")).isFalse();
        assertThat(RefreshTokens.wellFormed("a".repeat(43))).isTrue();
    }

    /** The SecureRandom behind the tokens' RandomIds, or null while there is none. */
    private static Object random(RefreshTokens tokens) throws Exception {
        Field ids = RefreshTokens.class.getDeclaredField("random");
        ids.setAccessible(true);
        Field generator = RandomIds.class.getDeclaredField("random");
        generator.setAccessible(true);
        return generator.get(ids.get(tokens));
    }
}
