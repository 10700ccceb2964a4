// Unit tests: what the verifier keeps between calls (the last good header, one HS256 verifier per key) under key rotation and many threads.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.utf8;
import static wxlogin.token.TestTokens.validClaims;

import java.nio.charset.StandardCharsets;
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

class TokenVerifierCachingTest {

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
        // Same header segment for both tokens: the header cache is hit on every call below.
        assertThat(signedWithA.substring(0, signedWithA.indexOf('.'))).isEqualTo(signedWithB.substring(0, signedWithB.indexOf('.')));

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

    @Test
    void theCachedHeaderNeverStandsInForAnotherOne() {
        byte[] key = utf8(SECRET_A);
        SigningKeys keys = SigningKeys.of(new SigningKey("k1", key), new SigningKey("k0", key));
        String good = hs256("k1", validClaims(NOW), key);
        String claims = validClaims(NOW).toJson();
        for (int round = 0; round < 3; round++) {
            assertThat(verifier.verify(good, keys).kid()).isEqualTo("k1");
            assertThat(verifier.verify(hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\",\"jku\":\"https://a.example/\"}",
                    claims, key), keys).denial()).isEqualTo(Denial.UNEXPECTED_HEADER);
            assertThat(verifier.verify(good, keys).valid()).isTrue();
            assertThat(verifier.verify(hs256Raw("{\"alg\":\"HS384\",\"kid\":\"k1\",\"typ\":\"JWT\"}", claims, key), keys)
                    .denial()).isEqualTo(Denial.NOT_HS256);
            Result other = verifier.verify(hs256("k0", validClaims(NOW), key), keys);
            assertThat(other.valid()).isTrue();
            assertThat(other.kid()).isEqualTo("k0");
            assertThat(verifier.verify(hs256Raw(header("k9"), claims, key), keys).denial()).isEqualTo(Denial.UNKNOWN_KID);
            assertThat(verifier.verify(hs256Raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, key), keys).denial())
                    .isEqualTo(Denial.NO_KID);
        }
    }

    @Test
    void theHeadersOfAnOldAndANewKidAreBothKeptWhileTheirTokensAlternate() {
        byte[] key = utf8(SECRET_A);
        SigningKeys keys = SigningKeys.of(new SigningKey("k1", key), new SigningKey("k0", key));
        String newKid = hs256("k1", validClaims(NOW), key);
        String oldKid = hs256("k0", validClaims(NOW), key);
        assertThat(verifier.knowsHeaderOf(newKid)).isFalse();
        for (int round = 0; round < 3; round++) {
            assertThat(verifier.verify(newKid, keys).kid()).isEqualTo("k1");
            assertThat(verifier.verify(oldKid, keys).kid()).isEqualTo("k0");
        }
        assertThat(verifier.knowsHeaderOf(newKid)).isTrue();
        assertThat(verifier.knowsHeaderOf(oldKid)).isTrue();
        // A forged token's header that passes the header checks is kept too, but never verifies.
        String forged = hs256Raw("{\"kid\":\"k1\",\"alg\":\"HS256\"}", validClaims(NOW).toJson(), utf8(SECRET_B));
        assertThat(verifier.verify(forged, keys).denial()).isEqualTo(Denial.BAD_SIGNATURE);
        assertThat(verifier.knowsHeaderOf(forged)).isTrue();
    }

    @Test
    void otherHeadersPushTheOldestOutAndItIsParsedAgainWhenItComesBack() {
        byte[] key = utf8(SECRET_A);
        SigningKeys keys = SigningKeys.of(new SigningKey("k1", key));
        String good = hs256("k1", validClaims(NOW), key);
        assertThat(verifier.verify(good, keys).valid()).isTrue();
        String claims = validClaims(NOW).toJson();
        for (int i = 0; i < TokenVerifier.HEADERS_KEPT; i++) {
            // Headers that pass the checks, with kids we do not have: kept, then UNKNOWN_KID.
            String other = hs256Raw(header("x" + i), claims, key);
            assertThat(verifier.verify(other, keys).denial()).isEqualTo(Denial.UNKNOWN_KID);
            assertThat(verifier.knowsHeaderOf(other)).isTrue();
        }
        assertThat(verifier.knowsHeaderOf(good)).as("pushed out by %d others", TokenVerifier.HEADERS_KEPT).isFalse();
        assertThat(verifier.verify(good, keys).valid()).isTrue();
        assertThat(verifier.knowsHeaderOf(good)).isTrue();
        // A header that fails the checks is never kept.
        String none = hs256Raw("{\"alg\":\"none\",\"kid\":\"k1\"}", claims, key);
        assertThat(verifier.verify(none, keys).valid()).isFalse();
        assertThat(verifier.knowsHeaderOf(none)).isFalse();
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

    @Test
    void signingKeysShowNoSecret() {
        SigningKeys keys = keys("{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SECRET_A + "\"}]}");
        assertThat(keys.verifier("k1").toString()).contains("k1").doesNotContain(SECRET_A);
        assertThat(keys.verifier("nope")).isNull();
        assertThat(keys.verifier(null)).isNull();
        assertThat(new String(keys.find("k1").secret(), StandardCharsets.UTF_8)).isEqualTo(SECRET_A);
    }
}
