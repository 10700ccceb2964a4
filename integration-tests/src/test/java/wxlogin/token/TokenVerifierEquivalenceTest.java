// Unit tests: the verifier against its former self (ReferenceTokenVerifier: Nimbus's pieces, the JDK's base64, a strict JSON reader) on thousands of tokens, fixed clock and seed.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.token.TestTokens.b64url;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.hs256Segments;
import static wxlogin.token.TestTokens.utf8;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;
import wxlogin.token.TokenVerifier.Denial;
import wxlogin.token.TokenVerifier.Result;

/**
 * The Nimbus verifier must answer exactly as the one it replaced: the same {@link Result} (claims,
 * denial reason and kid) for every token. Each token is tried with two key sets (k1 rotated to a
 * new secret in the second). The tokens: every header variant we could think of, every registered and
 * contract claim with every JSON type, encodings Nimbus's decoder reads leniently (a 4n+1 length,
 * non-zero unused bits), signatures in non-canonical forms, and seeded random edits of all those.
 */
class TokenVerifierEquivalenceTest {

    private static final long NOW = 1_750_000_000L;
    private static final byte[] KEY = utf8("equivalence-test-key-0123456789abcdef-XYZ");
    private static final byte[] OLD_KEY = utf8("equivalence-old-key-0123456789abcdef-XYZ");
    private static final byte[] NEW_KEY = utf8("equivalence-new-key-0123456789abcdef-XYZ");
    private static final byte[] WRONG_KEY = utf8("an-attackers-guess-at-the-key-0123456789");
    /** Nimbus refuses HMAC keys under 256 bits: tokens naming these kids are BAD_SIGNATURE. */
    private static final byte[] SHORT_KEY = utf8("only-twenty-bytes-ok");

    static {
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(KEY, StandardCharsets.UTF_8));
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(OLD_KEY, StandardCharsets.UTF_8));
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(NEW_KEY, StandardCharsets.UTF_8));
    }

    private static final SigningKeys KEYS = SigningKeys.of(new SigningKey("k1", KEY), new SigningKey("k0", OLD_KEY),
            new SigningKey("short", SHORT_KEY), new SigningKey("empty", new byte[0]));
    private static final SigningKeys ROTATED = SigningKeys.of(new SigningKey("k1", NEW_KEY), new SigningKey("k0", KEY));
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    private final TokenVerifier verifier = new TokenVerifier(TestTokens.ISSUER, CLOCK);
    private final ReferenceTokenVerifier reference = new ReferenceTokenVerifier(TestTokens.ISSUER, CLOCK);
    private int compared;
    private int valid;

    private void assertSameAnswers(String token) {
        for (SigningKeys keys : List.of(KEYS, ROTATED)) {
            Result expected = reference.verify(token, keys);
            assertThat(verifier.verify(token, keys)).as("token %s", token).isEqualTo(expected);
            compared++;
            if (expected.valid()) {
                valid++;
            }
        }
    }

    // ---- the material ----

    /** Claims as raw JSON values, in the order we mint them; a null value leaves the claim out. */
    private static Map<String, String> validClaims() {
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("iss", "\"" + TestTokens.ISSUER + "\"");
        claims.put("sub", "\"user-7f3a\"");
        claims.put("iat", Long.toString(NOW));
        claims.put("exp", Long.toString(NOW + 7200));
        claims.put("jti", "\"jti-0001\"");
        claims.put("appid", "\"wxapp-multi-1\"");
        claims.put("login_type", "\"weixinApp\"");
        claims.put("openid", "\"o-openid-1\"");
        claims.put("unionid", "\"u-unionid-1\"");
        return claims;
    }

    private static String json(Map<String, String> claims) {
        StringJoiner joiner = new StringJoiner(",", "{", "}");
        claims.forEach((name, value) -> {
            if (value != null) {
                joiner.add("\"" + name + "\":" + value);
            }
        });
        return joiner.toString();
    }

    /** Every claim we read or Nimbus type-checks, with every JSON type and the edges of the times. */
    static List<String> payloads() {
        List<String> values = new ArrayList<>(List.of("null", "\"" + TestTokens.ISSUER + "\"", "\"\"", "\"  \"", "\"x\"",
                "123", "0", "-1", "1.5", "1e300", "-1e300", "9300000000000000", "9223372036854775807", "true", "false",
                "[\"a\",\"b\"]", "[\"a\",1]", "[\"a\",null]", "[null]", "[]", "{\"x\":1}", "{}", "\"" + NOW + "\"",
                NOW + ".9", Long.toString(NOW)));
        for (long offset : new long[] {-7231, -7230, -7200, -31, -30, 0, 29, 30, 31, 7200}) {
            values.add(Long.toString(NOW + offset));
        }
        List<String> payloads = new ArrayList<>();
        payloads.add(json(validClaims()));
        for (String claim : List.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "appid", "login_type", "openid",
                "unionid", "other")) {
            Map<String, String> without = validClaims();
            without.put(claim, null);
            payloads.add(json(without));
            for (String value : values) {
                Map<String, String> claims = validClaims();
                claims.put(claim, value);
                payloads.add(json(claims));
            }
        }
        String good = json(validClaims());
        payloads.addAll(List.of(
                good.replace("\"sub\":\"user-7f3a\"", "\"sub\":\"user-7f3a\",\"sub\":\"admin\""),
                good.replace("{", "{\"exp\":1,"),
                good + " ", " " + good, good + " trailing", good + "}", good + "{}", good.substring(0, good.length() - 1),
                good.replace("\"", "'"), good.replace("\"iss\"", "iss"), good.replace("{", "{/* c */"),
                good.replace(",\"jti\"", ",\n\"jti\""), good.replace("\"weixinApp\"", "\"weixin\\u0041pp\""),
                good.replace(Long.toString(NOW + 7200), "NaN"), good.replace(Long.toString(NOW + 7200), "Infinity"),
                "{}", "[]", "null", "", " ", "not json", "[" + good + "]", "\"" + good + "\"",
                "{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}", good.replace("user-7f3a", "\u00e9\u4e2d\ud83d\ude00")));
        return payloads;
    }

    static List<String> headers() {
        return List.of(header("k1"), header("k0"), header("short"), header("empty"), header("k9"), header(""),
                header("K1"), header(" k1"), header("k1\\u0000"), "{\"alg\":\"HS256\",\"kid\":\"k\\u0031\",\"typ\":\"JWT\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"kid\":\"k1\",\"typ\":\"JWT\",\"alg\":\"HS256\"}",
                "{\"alg\":\"HS256\", \"kid\":\"k1\", \"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"jwt\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":1}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":null}", "{\"alg\":\"HS256\",\"kid\":null,\"typ\":\"JWT\"}",
                "{\"alg\":\"HS256\",\"kid\":1,\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"kid\":[\"k1\"],\"typ\":\"JWT\"}",
                "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"alg\":null,\"kid\":\"k1\"}", "{\"kid\":\"k1\",\"typ\":\"JWT\"}",
                "{\"alg\":\"none\",\"kid\":\"k1\"}", "{\"alg\":\"None\",\"kid\":\"k1\"}", "{\"alg\":\"hs256\",\"kid\":\"k1\"}",
                "{\"alg\":\"HS384\",\"kid\":\"k1\"}", "{\"alg\":\"HS512\",\"kid\":\"k1\"}", "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                "{\"alg\":\"ES256\",\"kid\":\"k1\"}", "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k1\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"jku\":\"https://attacker.example/jwks.json\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"x5u\":\"https://attacker.example/cert.pem\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"jwk\":{\"kty\":\"oct\",\"k\":\"" + b64url(WRONG_KEY) + "\"}}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"crit\":[\"exp\"],\"exp\":1}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"crit\":[\"b64\"],\"b64\":false}", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"b64\":false}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"cty\":\"JWT\"}", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"x-role\":\"admin\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k1\",\"zip\":\"DEF\"}", "{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"k1\"}",
                "{\"alg\":\"HS256\",\"kid\":\"k0\",\"kid\":\"k1\"}", "{'alg':'HS256','kid':'k1','typ':'JWT'}",
                "{alg:HS256,kid:k1,typ:JWT}", "{\"alg\":\"HS256\",/* c */\"kid\":\"k1\"}", header("k1") + " trailing",
                header("k1") + "{}", "{}", "[]", "null", "", " ", "not json", "[\"HS256\",\"k1\"]",
                "{\"alg\":\"HS256\",\"kid\":\"" + "k".repeat(300) + "\"}");
    }

    // ---- the comparisons ----

    @Test
    void everyClaimVariantGetsTheSameAnswer() {
        for (String payload : payloads()) {
            assertSameAnswers(hs256Raw(header("k1"), payload, KEY));
            assertSameAnswers(hs256Raw(header("k0"), payload, KEY));
        }
        assertThat(compared).isGreaterThan(1_000);
        assertThat(valid).isGreaterThan(50);
    }

    @Test
    void everyHeaderVariantGetsTheSameAnswer() {
        String payload = json(validClaims());
        for (String header : headers()) {
            for (byte[] key : List.of(KEY, OLD_KEY, NEW_KEY, WRONG_KEY, SHORT_KEY)) {
                assertSameAnswers(hs256Raw(header, payload, key));
            }
            // Header variants interleaved with good tokens.
            assertSameAnswers(hs256Raw(header("k1"), payload, KEY));
        }
        assertThat(valid).isGreaterThan(10);
    }

    @Test
    void leniencyOfNimbusBase64DecodingIsKept() {
        List<String> headers = List.of(b64url(header("k1")), b64url("{\"alg\":\"HS256\",\"kid\":\"k1\"}"),
                b64url("{\"alg\":\"HS256\",\"kid\":\"k0\",\"typ\":\"JWT\" }"));
        List<String> payloads = new ArrayList<>();
        for (String pad : List.of("", "1", "12")) {
            Map<String, String> claims = validClaims();
            claims.put("pad", "\"" + pad + "\"");
            payloads.add(b64url(json(claims)));
        }
        List<String[]> segments = new ArrayList<>();
        int unusedBitsChanged = 0;
        for (String header : headers) {
            for (String payload : payloads) {
                for (String extra : List.of("", "A", "Q", "_", "AA", "AAA", "AAAA")) {
                    segments.add(new String[] {header + extra, payload});
                    segments.add(new String[] {header, payload + extra});
                }
                if (hasUnusedBits(header)) {
                    segments.add(new String[] {withOtherUnusedBits(header), payload});
                    unusedBitsChanged++;
                }
                if (hasUnusedBits(payload)) {
                    segments.add(new String[] {header, withOtherUnusedBits(payload)});
                    unusedBitsChanged++;
                }
                segments.add(new String[] {header.substring(0, header.length() - 1), payload});
                segments.add(new String[] {header, payload.substring(0, payload.length() - 1)});
            }
        }
        assertThat(unusedBitsChanged).isGreaterThanOrEqualTo(4);
        for (String[] pair : segments) {
            // Signed over the segments exactly as they stand: only the decoding can make a difference.
            assertSameAnswers(hs256Segments(pair[0], pair[1], KEY));
            assertSameAnswers(hs256Segments(pair[0], pair[1], OLD_KEY));
        }
        assertThat(valid).isGreaterThan(10);
    }

    @Test
    void signatureEncodingsGetTheSameAnswer() {
        String token = hs256Raw(header("k1"), json(validClaims()), KEY);
        int dot = token.lastIndexOf('.');
        String head = token.substring(0, dot + 1);
        String signature = token.substring(dot + 1);
        byte[] mac = Base64.getUrlDecoder().decode(signature);
        List<String> signatures = new ArrayList<>(List.of(signature, withOtherUnusedBits(signature), signature + "A",
                signature + "AA", signature + "AAA", signature + "AAAA", signature.substring(1), signature.substring(0, 42),
                signature.substring(0, 40), signature + "=", signature + "==", "A", "AA", "AAA", "AAAA",
                Base64.getEncoder().withoutPadding().encodeToString(mac), b64url(new byte[32]), b64url(new byte[31]),
                b64url(new byte[33]), b64url(java.util.Arrays.copyOf(mac, 31)), b64url(java.util.Arrays.copyOf(mac, 33))));
        for (String sig : signatures) {
            assertSameAnswers(head + sig);
        }
    }

    @Test
    void seededRandomEditsGetTheSameAnswer() {
        Random random = new Random(20_261_124L);
        List<String> seeds = new ArrayList<>();
        String good = hs256Raw(header("k1"), json(validClaims()), KEY);
        seeds.add(good);
        seeds.add(hs256Raw(header("k0"), json(validClaims()), OLD_KEY));
        seeds.add(hs256Raw("{\"alg\":\"HS384\",\"kid\":\"k1\"}", json(validClaims()), KEY));
        seeds.add(hs256Raw(header("k1"), payloads().get(40), KEY));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        String junk = alphabet + "..=+/ \t!\u00e9\u0100\u0000";
        for (int i = 0; i < 4_000; i++) {
            StringBuilder token = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits && !token.isEmpty(); e++) {
                int at = random.nextInt(token.length());
                String chars = random.nextInt(4) == 0 ? junk : alphabet;
                switch (random.nextInt(4)) {
                    case 0 -> token.setCharAt(at, chars.charAt(random.nextInt(chars.length())));
                    case 1 -> token.insert(at, chars.charAt(random.nextInt(chars.length())));
                    case 2 -> token.deleteCharAt(at);
                    default -> {
                        String[] parts = token.toString().split("\\.", -1);
                        int a = random.nextInt(parts.length);
                        int b = random.nextInt(parts.length);
                        String swap = parts[a];
                        parts[a] = parts[b];
                        parts[b] = swap;
                        token = new StringBuilder(String.join(".", parts));
                    }
                }
            }
            assertSameAnswers(token.toString());
        }
        // Re-signed edits of the payload: decoding and claims, not just the signature, get exercised.
        String header = b64url(header("k1"));
        String payload = b64url(json(validClaims()));
        for (int i = 0; i < 2_000; i++) {
            StringBuilder edited = new StringBuilder(payload);
            int at = random.nextInt(edited.length());
            edited.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            assertSameAnswers(hs256Segments(header, edited.toString(), KEY));
        }
        assertThat(valid).isGreaterThan(10);
    }

    /**
     * Payloads the JDK decoder takes but the alphabet check refuses (padding, 4n+1 lengths,
     * characters outside the alphabet, dots), signed and unsigned, behind a good header.
     */
    @Test
    void payloadsOfOddShapeGetTheSameAnswer() {
        String header = b64url(header("k1"));
        String payload = b64url(json(validClaims()));
        String good = hs256Segments(header, payload, KEY);
        List<String> odd = new ArrayList<>();
        for (String end : List.of("=", "==", "A=", "AA=", "AA==", "AAA=", "A", "AA", "AAA", "AAAA", ".", ".A", "=A")) {
            odd.add(payload + end);
            odd.add(payload.substring(0, payload.length() - 2) + end);
        }
        for (String inside : List.of("=", "==", ".", " ", "+", "/", "!", "\u00e9", "\u0100", "\u0000", "\n")) {
            odd.add(payload.substring(0, 8) + inside + payload.substring(8));
            odd.add(inside + payload);
        }
        odd.addAll(List.of("", "=", "A", "AA", "AAA", "AAAA", "A==="));
        for (String segment : odd) {
            assertSameAnswers(good);
            assertSameAnswers(hs256Segments(header, segment, KEY));
            assertSameAnswers(header + "." + segment + good.substring(good.lastIndexOf('.')));
            assertSameAnswers(header + "." + segment + ".");
        }
        assertThat(valid).as("the good token, once a round; no odd shape verifies").isEqualTo(odd.size());
    }

    @Test
    void edgesOfTheInputGetTheSameAnswer() {
        String good = hs256Raw(header("k1"), json(validClaims()), KEY);
        for (String token : new String[] {null, "", " ", ".", "..", "...", "a.b.c", "a.b.c.d", good + ".", "." + good,
                good + " ", "\u0000.\u0000.\u0000", "x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1),
                good + "A".repeat(TokenVerifier.MAX_TOKEN_LENGTH - good.length()),
                good + "A".repeat(TokenVerifier.MAX_TOKEN_LENGTH - good.length() + 1)}) {
            assertSameAnswers(token);
        }
        assertThat(reference.verify(good, KEYS).denial()).isNull();
        assertThat(verifier.verify(good, ROTATED).denial()).isEqualTo(Denial.BAD_SIGNATURE);
    }

    private static boolean hasUnusedBits(String segment) {
        return segment.length() % 4 == 2 || segment.length() % 4 == 3;
    }

    /** The same bytes with the unused low bits of the last character set: Nimbus and the JDK ignore them. */
    private static String withOtherUnusedBits(String segment) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        assertThat(hasUnusedBits(segment)).as("segment %s has unused bits", segment).isTrue();
        char last = segment.charAt(segment.length() - 1);
        return segment.substring(0, segment.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
    }
}
