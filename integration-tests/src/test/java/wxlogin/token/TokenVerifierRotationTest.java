// Unit tests: the verifier under key rotation and many threads.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.utf8;
import static wxlogin.token.TestTokens.validClaims;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;
import wxlogin.token.TokenVerifier.Denial;
import wxlogin.token.TokenVerifier.Result;
import wxlogin.testing.Concurrently;

class TokenVerifierRotationTest {

    private static final long NOW = 1_750_000_000L;
    private static final String SECRET_A = "caching-test-key-A-0123456789abcdef-XYZ";
    private static final String SECRET_B = "caching-test-key-B-0123456789abcdef-XYZ";
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    static {
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SECRET_A);
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SECRET_B);
    }

    private final TokenVerifier verifier = new TokenVerifier(TestTokens.ISSUER, CLOCK);

    private static SigningKeys keys(String json) {
        return SigningKeys.parse(json);
    }

    @Test
    void aRotatedKeyNeverVerifiesWithTheSecretItReplaced() {
        // Same kid, new secret, as a rotation that reuses a kid would do; parsed like the real secret.
        SigningKeys withA = keys("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SECRET_A + "\"}]}");
        SigningKeys withB = keys("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SECRET_B + "\"}]}");
        SigningKeys withoutK1 = keys("{\"keys\":[{\"kid\":\"k0\",\"secret\":\"" + SECRET_A + "\"}]}");
        String signedWithA = hs256("k1", validClaims(NOW), utf8(SECRET_A));
        String signedWithB = hs256("k1", validClaims(NOW), utf8(SECRET_B));

        for (int round = 0; round < 3; round++) {
            assertThat(verifier.verify(signedWithA, withA).valid()).isTrue();
            assertThat(verifier.verify(signedWithA, withB).denial()).isEqualTo(Denial.BAD_SIGNATURE);
            assertThat(verifier.verify(signedWithB, withB).valid()).isTrue();
            assertThat(verifier.verify(signedWithB, withA).denial()).isEqualTo(Denial.BAD_SIGNATURE);
            assertThat(verifier.verify(signedWithA, withoutK1).denial()).isEqualTo(Denial.UNKNOWN_KID);
            // A SigningKeys made again from the same secret text verifies as the first one did.
            assertThat(verifier.verify(signedWithA, keys("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SECRET_A + "\"}]}"))
                    .valid()).isTrue();
        }
    }

    /** The gate is called from several threads locally and in tests: one verifier, one key set, every answer right. */
    @Test
    void manyThreadsShareOneVerifierAndOneKeySet() throws Exception {
        byte[] keyA = utf8(SECRET_A);
        byte[] keyB = utf8(SECRET_B);
        SigningKeys keys = SigningKeys.of(new SigningKey("k1", keyA), new SigningKey("k0", keyB));
        List<String> tokens = new ArrayList<>(List.of(
                hs256("k1", validClaims(NOW), keyA),
                hs256("k0", validClaims(NOW), keyB),
                hs256("k1", validClaims(NOW), keyB),
                hs256("k0", validClaims(NOW), keyA),
                hs256Raw(header("k1"), validClaims(NOW).toJson().replace("user-7f3a", "user-other"), keyA),
                hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\"}", validClaims(NOW).toJson(), keyA),
                hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\",\"x5u\":\"https://a.example/\"}",
                        validClaims(NOW).toJson(), keyA),
                hs256Raw(header("k7"), validClaims(NOW).toJson(), keyA)));
        var expired = validClaims(NOW);
        expired.setExpirationTime(NumericDate.fromSeconds(NOW - 3600));
        tokens.add(hs256("k0", expired, keyB));
        List<Result> expected = new ArrayList<>();
        for (String token : tokens) {
            expected.add(new TokenVerifier(TestTokens.ISSUER, CLOCK).verify(token, keys));
        }
        assertThat(expected).filteredOn(Result::valid).hasSize(4);

        TokenVerifier shared = new TokenVerifier(TestTokens.ISSUER, CLOCK);
        int threads = 8;
        int calls = 2_000;
        int total = Concurrently.run(threads, calls, (thread, i) -> {
            int n = (i * 5 + thread) % tokens.size();
            Result result = shared.verify(tokens.get(n), keys);
            if (!result.equals(expected.get(n))) {
                throw new AssertionError("token " + n + ": " + result + " instead of " + expected.get(n));
            }
        });
        assertThat(total).isEqualTo(threads * calls);
    }
}
