// Unit tests: the cached HS256 verifier against Nimbus's MACVerifier, key by key and from many threads at once.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wxlogin.token.TestTokens.utf8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import wxlogin.testing.Concurrently;

class Hs256VerifierTest {

    private static final JWSHeader HS256 = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k").build();

    @Test
    void answersAsMacVerifierForKeysOfEveryLengthAndAnySignature() throws Exception {
        Random random = new Random(3);
        // 32 bytes is the least Nimbus takes; over 64 the key is hashed first (RFC 2104).
        for (int keyLength : new int[] {32, 33, 63, 64, 65, 100, 200}) {
            byte[] secret = new byte[keyLength];
            random.nextBytes(secret);
            Hs256Verifier cached = Hs256Verifier.of(new SigningKey("k", secret));
            MACVerifier nimbus = new MACVerifier(secret);
            for (int i = 0; i < 300; i++) {
                byte[] input = new byte[random.nextInt(400)];
                random.nextBytes(input);
                byte[] mac = hmac(secret, input);
                for (Base64URL signature : variants(mac, random)) {
                    assertThat(cached.verify(HS256, input, signature)).as("key %d bytes, signature %s", keyLength, signature)
                            .isEqualTo(nimbus.verify(HS256, input, signature));
                }
                assertThat(cached.verify(HS256, input, Base64URL.encode(mac))).isTrue();
                assertThat(cached.verifySignature(input, mac)).isTrue();
                byte[] flipped = mac.clone();
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                assertThat(cached.verifySignature(input, flipped)).isFalse();
                assertThat(cached.verifySignature(input, Arrays.copyOf(mac, 31))).isFalse();
            }
        }
    }

    @Test
    void keysNimbusRefusesGiveAVerifierThatAlwaysThrows() {
        for (byte[] secret : new byte[][] {new byte[31], new byte[0], null, utf8("short")}) {
            Hs256Verifier verifier = Hs256Verifier.of(new SigningKey("k", secret));
            assertThatThrownBy(() -> verifier.verify(HS256, new byte[10], Base64URL.encode(new byte[32])))
                    .isInstanceOf(JOSEException.class).hasMessageContaining("unusable");
        }
    }

    @Test
    void onlyHs256AndNoCriticalParameters() throws Exception {
        byte[] secret = utf8("hs256-verifier-test-key-0123456789abcdef");
        Hs256Verifier verifier = Hs256Verifier.of(new SigningKey("k", secret));
        byte[] input = utf8("header.payload");
        Base64URL signature = Base64URL.encode(hmac(secret, input));
        assertThat(verifier.supportedJWSAlgorithms()).containsExactly(JWSAlgorithm.HS256);
        assertThatThrownBy(() -> verifier.verify(new JWSHeader(JWSAlgorithm.HS384), input, signature))
                .isInstanceOf(JOSEException.class);
        JWSHeader crit = new JWSHeader.Builder(JWSAlgorithm.HS256).criticalParams(Set.of("exp"))
                .customParam("exp", 1).build();
        assertThat(verifier.verify(crit, input, signature)).isFalse();
        assertThat(new MACVerifier(secret).verify(crit, input, signature)).isFalse();
    }

    @Test
    void pluggedIntoNimbusItVerifiesWhatMacVerifierVerifies() throws Exception {
        byte[] secret = utf8("hs256-verifier-test-key-0123456789abcdef");
        String token = TestTokens.hs256Raw(TestTokens.header("k"), "{\"sub\":\"x\"}", secret);
        assertThat(JWSObject.parse(token).verify(Hs256Verifier.of(new SigningKey("k", secret)))).isTrue();
        assertThat(JWSObject.parse(token).verify(Hs256Verifier.of(new SigningKey("k", utf8("another-key-0123456789abcdef-0123456789")))))
                .isFalse();
    }

    @Test
    void toStringNamesTheKidNotTheKey() {
        String secret = "hs256-verifier-secret-never-printed-0123456789";
        assertThat(Hs256Verifier.of(new SigningKey("2025-06", utf8(secret))).toString())
                .contains("2025-06").doesNotContain(secret).doesNotContain(Base64URL.encode(secret).toString());
    }

    /** One verifier, many threads, every answer right: no Mac is shared between two calls. */
    @Test
    void manyThreadsAtOnceGetTheRightAnswers() throws Exception {
        byte[] secret = utf8("hs256-verifier-threads-key-0123456789abcdef");
        Hs256Verifier verifier = Hs256Verifier.of(new SigningKey("k", secret));
        Random random = new Random(11);
        List<byte[]> inputs = new ArrayList<>();
        List<Base64URL> signatures = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] input = new byte[50 + random.nextInt(500)];
            random.nextBytes(input);
            byte[] mac = hmac(secret, input);
            boolean good = random.nextBoolean();
            if (!good) {
                mac[random.nextInt(mac.length)] ^= 1;
            }
            inputs.add(input);
            signatures.add(Base64URL.encode(mac));
            expected.add(good);
        }
        int threads = 8;
        int total = Concurrently.run(threads, 3_000, (thread, i) -> {
            int n = (i * 7 + thread) % inputs.size();
            if (verifier.verify(HS256, inputs.get(n), signatures.get(n)) != expected.get(n)) {
                throw new AssertionError("wrong answer for input " + n);
            }
        });
        assertThat(total).isEqualTo(threads * 3_000);
    }

    private static List<Base64URL> variants(byte[] mac, Random random) {
        byte[] flipped = mac.clone();
        flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        return List.of(Base64URL.encode(mac), Base64URL.encode(flipped), Base64URL.encode(Arrays.copyOf(mac, 31)),
                Base64URL.encode(Arrays.copyOf(mac, 33)), Base64URL.encode(new byte[0]), Base64URL.encode(new byte[32]));
    }

    /** The primitive alone, with a Mac of its own. */
    private static byte[] hmac(byte[] secret, byte[] input) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return mac.doFinal(input);
    }
}
