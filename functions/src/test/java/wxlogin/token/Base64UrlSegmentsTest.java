// Unit tests: the JDK-backed segment decoding against Nimbus's own decoder, seeded random strings of the base64url alphabet.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64UrlSegmentsTest {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @Test
    void decodesEveryAlphabetStringAsNimbusDoes() {
        Random random = new Random(42);
        int lengthsOf4nPlus1 = 0;
        for (int i = 0; i < 50_000; i++) {
            String segment = randomSegment(random, 1 + random.nextInt(130));
            Base64URL nimbus = new Base64URL(segment);
            assertThat(Base64UrlSegments.decode(segment)).as(segment).isEqualTo(nimbus.decode());
            assertThat(Base64UrlSegments.decodeToString(segment)).as(segment).isEqualTo(nimbus.decodeToString());
            if (segment.length() % 4 == 1) {
                lengthsOf4nPlus1++;
            }
        }
        assertThat(lengthsOf4nPlus1).isGreaterThan(10_000);
    }

    @Test
    void canonicalMeansWhatTheReEncodingCheckMeant() {
        Random random = new Random(7);
        int canonical = 0;
        for (int i = 0; i < 50_000; i++) {
            String segment = randomSegment(random, 1 + random.nextInt(60));
            Base64URL nimbus = new Base64URL(segment);
            // The check TokenVerifier made before: decode and re-encode with Nimbus, compare.
            boolean expected = segment.equals(Base64URL.encode(nimbus.decode()).toString());
            byte[] bytes = Base64UrlSegments.decodeCanonical(segment);
            assertThat(bytes != null).as(segment).isEqualTo(expected);
            if (bytes != null) {
                assertThat(bytes).isEqualTo(nimbus.decode());
                canonical++;
            }
        }
        assertThat(canonical).isBetween(5_000, 45_000);
    }

    @Test
    void aSignatureIsCanonicalOnlyInItsOneSpelling() {
        String signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7515 A.1
        assertThat(Base64UrlSegments.decodeCanonical(signature)).hasSize(32);
        assertThat(Base64UrlSegments.decodeCanonical("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl")).isNull();
        assertThat(Base64UrlSegments.decodeCanonical(signature + "AA")).isNull(); // 4n+1 characters
        assertThat(Base64UrlSegments.decodeCanonical(signature + "A")).hasSize(33); // canonical, just not 32 bytes
        assertThat(Base64UrlSegments.decodeCanonical(signature + "=")).isNull();
        assertThat(Base64UrlSegments.decodeCanonical("dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk")).isNull();
        assertThat(Base64UrlSegments.decodeCanonical("dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).isNull();
    }

    private static String randomSegment(Random random, int length) {
        StringBuilder segment = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            segment.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return segment.toString();
    }
}
