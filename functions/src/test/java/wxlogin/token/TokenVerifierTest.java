// Unit tests: token verification against hostile inputs, tokens crafted with jose4j / javax.crypto, fixed clock.
package wxlogin.token;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.token.TestTokens.b64url;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.hs256Segments;
import static wxlogin.token.TestTokens.jose4j;
import static wxlogin.token.TestTokens.utf8;
import static wxlogin.token.TestTokens.validClaims;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetSequenceJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import wxlogin.token.TokenVerifier.Denial;
import wxlogin.testing.SecretLedger;

class TokenVerifierTest {

    private static final long NOW = 1_750_000_000L;
    private static final byte[] KEY = utf8("verifier-test-key-0123456789abcdef-XYZ");
    private static final byte[] OLD_KEY = utf8("verifier-previous-key-0123456789abcdef");
    private static final byte[] WRONG_KEY = utf8("an-attackers-guess-at-the-key-0123456789");


    static {
        // For the one log-secrecy check of the run: tokens signed with these keys are found by signature.
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(KEY, StandardCharsets.UTF_8));
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(OLD_KEY, StandardCharsets.UTF_8));
    }
    private static final SigningKeys KEYS = SigningKeys.of(new SigningKey("k1", KEY), new SigningKey("k0", OLD_KEY));

    /** RFC 7515 Appendix A.1: the JWK "k" and the complete JWS Compact Serialization. */
    private static final String A1_K =
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    private static final String A1_HEADER = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
    private static final String A1_PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
            + "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    private static final String A1_SIGNATURE = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String A1 = A1_HEADER + "." + A1_PAYLOAD + "." + A1_SIGNATURE;
    /** RFC 7515 Appendix A.5: an Unsecured JWS (alg none, empty signature). */
    private static final String A5 = "eyJhbGciOiJub25lIn0." + A1_PAYLOAD + ".";

    private static RsaJsonWebKey rsa;

    private final TokenVerifier verifier = verifierAt(NOW);

    @BeforeAll
    static void generateRsaKey() throws Exception {
        rsa = RsaJwkGenerator.generateJwk(2048);
    }

    private static TokenVerifier verifierAt(long epochSecond) {
        return new TokenVerifier(TestTokens.ISSUER, Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    private static String good() {
        return hs256("k1", validClaims(NOW), KEY);
    }

    private static String claimsWith(Consumer<JwtClaims> change) {
        JwtClaims claims = validClaims(NOW);
        change.accept(claims);
        return claims.toJson();
    }

    private void assertDenied(String token, Denial expected) {
        TokenVerifier.Result result = verifier.verify(token, KEYS);
        assertThat(result.valid()).as("accepted: %s", token).isFalse();
        assertThat(result.claims()).isNull();
        assertThat(result.denial()).isEqualTo(expected);
    }

    private void assertDeniedAnyOf(String token, Denial first, Denial... others) {
        TokenVerifier.Result result = verifier.verify(token, KEYS);
        assertThat(result.valid()).as("accepted: %s", token).isFalse();
        assertThat(result.claims()).isNull();
        assertThat(result.denial()).isIn(EnumSet.of(first, others));
    }

    // ---- accepted ----

    @Test
    void validTokenIsAcceptedWithItsClaims() {
        TokenVerifier.Result result = verifier.verify(good(), KEYS);

        assertThat(result.valid()).isTrue();
        assertThat(result.denial()).isNull();
        assertThat(result.kid()).isEqualTo("k1");
        assertThat(result.claims()).isEqualTo(new SessionClaims("user-7f3a", "wxapp-multi-1", "weixinApp",
                "o-openid-1", "u-unionid-1", NOW, NOW + 7200));
    }

    @Test
    void everyListedKeyVerifies() {
        TokenVerifier.Result result = verifier.verify(hs256("k0", validClaims(NOW), OLD_KEY), KEYS);
        assertThat(result.valid()).isTrue();
        assertThat(result.kid()).isEqualTo("k0");
    }

    @Test
    void openidAndUnionidAreOptional() {
        String payload = claimsWith(c -> {
            c.unsetClaim("openid");
            c.unsetClaim("unionid");
        });
        TokenVerifier.Result result = verifier.verify(hs256Raw(header("k1"), payload, KEY), KEYS);
        assertThat(result.valid()).isTrue();
        assertThat(result.claims().openid()).isNull();
        assertThat(result.claims().unionid()).isNull();
    }

    @Test
    void aSignedTokenOfSeveralKilobytesUnderTheLimitIsAccepted() {
        String token = hs256Raw(header("k1"), claimsWith(c -> c.setClaim("pad", "p".repeat(2500))), KEY);
        assertThat(token.length()).isBetween(3000, TokenVerifier.MAX_TOKEN_LENGTH);
        assertThat(verifier.verify(token, KEYS).valid()).isTrue();
    }

    // ---- algorithm ----

    static Stream<Arguments> algNone() {
        String payload = b64url(validClaims(NOW).toJson());
        return Stream.of("none", "None", "NONE", "nOnE").flatMap(alg -> {
            String headerSegment = b64url("{\"alg\":\"" + alg + "\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
            String unsigned = headerSegment + "." + payload;
            return Stream.of(
                    Arguments.of(alg + ", empty signature part", unsigned + "."),
                    Arguments.of(alg + ", no signature part", unsigned),
                    Arguments.of(alg + ", HMAC of our key as signature", hs256Segments(headerSegment, payload, KEY)));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algNone")
    void algNoneIsDeniedInAnyCasing(String name, String token) {
        assertDeniedAnyOf(token, Denial.MALFORMED, Denial.NOT_HS256);
    }

    @Test
    void algNoneFromJose4jIsDenied() {
        String token = jose4j(AlgorithmIdentifiers.NONE, "k1", Map.of(), validClaims(NOW).toJson(), null);
        assertThat(token).endsWith(".");
        assertDeniedAnyOf(token, Denial.MALFORMED, Denial.NOT_HS256);
    }

    @ParameterizedTest
    @ValueSource(strings = {AlgorithmIdentifiers.HMAC_SHA384, AlgorithmIdentifiers.HMAC_SHA512})
    void otherHmacAlgorithmsWithTheSameKeyAreDenied(String alg) throws Exception {
        String token = jose4j(alg, "k1", Map.of(), validClaims(NOW).toJson(), new HmacKey(KEY));
        // The signature itself is fine: only the algorithm pin refuses it.
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(token);
        jws.setKey(new HmacKey(KEY));
        jws.setDoKeyValidation(false);
        assertThat(jws.verifySignature()).isTrue();

        assertDenied(token, Denial.NOT_HS256);
    }

    @Test
    void hs256WrittenWithAnotherCasingIsDenied() {
        String token = hs256Raw("{\"alg\":\"hs256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", validClaims(NOW).toJson(), KEY);
        assertDenied(token, Denial.NOT_HS256);
    }

    @Test
    void rs256TokenIsDenied() {
        String token = jose4j(AlgorithmIdentifiers.RSA_USING_SHA256, "k1", Map.of(), validClaims(NOW).toJson(),
                rsa.getPrivateKey());
        assertDenied(token, Denial.NOT_HS256);
    }

    @Test
    void rs256TokenCarryingItsOwnJwkIsDenied() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue("k1");
        jws.setJwkHeader(rsa);
        jws.setPayload(validClaims(NOW).toJson());
        jws.setKey(rsa.getPrivateKey());
        String token = jws.getCompactSerialization();
        assertThat(jws.getHeaders().getFullHeaderAsJsonString()).contains("\"jwk\"").doesNotContain("\"d\"");

        assertDenied(token, Denial.NOT_HS256);
    }

    @Test
    void hs256TokenCarryingAnOctJwkOfTheAttackersKeyIsDenied() {
        OctetSequenceJsonWebKey attackerKey = new OctetSequenceJsonWebKey(new HmacKey(WRONG_KEY));
        Map<String, Object> jwk = attackerKey.toParams(JsonWebKey.OutputControlLevel.INCLUDE_SYMMETRIC);
        String token = jose4j(AlgorithmIdentifiers.HMAC_SHA256, "k1", Map.of("jwk", jwk), validClaims(NOW).toJson(),
                new HmacKey(WRONG_KEY));
        assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8))
                .contains("\"jwk\"").contains("\"kty\":\"oct\"");
        // Nimbus refuses a non-public "jwk" while parsing (MALFORMED); the header allow-list would too.
        assertDeniedAnyOf(token, Denial.MALFORMED, Denial.UNEXPECTED_HEADER, Denial.BAD_SIGNATURE);
    }

    // ---- header parameters we never write: denied even when the signature is right ----

    static Stream<Arguments> foreignHeaderParams() {
        return Stream.of(
                Arguments.of("jwk", Map.of("jwk", Map.of("kty", "oct", "k", b64url(KEY)))),
                Arguments.of("jku", Map.of("jku", "https://attacker.example/jwks.json")),
                Arguments.of("x5u", Map.of("x5u", "https://attacker.example/cert.pem")),
                Arguments.of("x5c", Map.of("x5c", List.of("MIIBszCCAVmgAwIBAgIU"))),
                Arguments.of("crit", Map.of("crit", List.of("exp"), "exp", 1)),
                Arguments.of("crit b64", Map.of("crit", List.of("b64"), "b64", false)),
                Arguments.of("cty", Map.of("cty", "JWT")),
                Arguments.of("custom", Map.of("x-role", "admin")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignHeaderParams")
    void headerParametersWeNeverWriteAreDenied(String name, Map<String, Object> extra) {
        String token = jose4j(AlgorithmIdentifiers.HMAC_SHA256, "k1", extra, validClaims(NOW).toJson(), new HmacKey(KEY));
        assertDeniedAnyOf(token, Denial.UNEXPECTED_HEADER, Denial.MALFORMED);
    }

    @Test
    void jkuHeaderIsDeniedForTheHeaderAlone() {
        String token = hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\","
                + "\"jku\":\"https://attacker.example/jwks.json\"}", validClaims(NOW).toJson(), KEY);
        assertDenied(token, Denial.UNEXPECTED_HEADER);
    }

    @Test
    void critHeaderIsDeniedForTheHeaderAlone() {
        String token = hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\",\"crit\":[\"exp\"],\"exp\":1}",
                validClaims(NOW).toJson(), KEY);
        assertDenied(token, Denial.UNEXPECTED_HEADER);
    }

    @Test
    void anotherTypIsDenied() {
        String token = hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}", validClaims(NOW).toJson(), KEY);
        assertDenied(token, Denial.UNEXPECTED_HEADER);
    }

    // ---- kid ----

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "' OR 1=1 --", "k1' OR '1'='1", "K1", " k1", "k1 ", "k1/../k1",
            "k9", "kid-that-does-not-exist"})
    void kidInjectionAndUnknownKidsAreUnknown(String kid) {
        String token = hs256Raw("{\"alg\":\"HS256\",\"kid\":\"" + kid.replace("\"", "\\\"") + "\",\"typ\":\"JWT\"}",
                validClaims(NOW).toJson(), KEY);
        TokenVerifier.Result result = verifier.verify(token, KEYS);
        assertThat(result.valid()).isFalse();
        assertThat(result.denial()).isEqualTo(Denial.UNKNOWN_KID);
        assertThat(result.kid()).isEqualTo(kid);
    }

    @Test
    void emptyKidIsNoKid() {
        assertDenied(hs256Raw(header(""), validClaims(NOW).toJson(), KEY), Denial.NO_KID);
    }

    @Test
    void missingKidIsNoKid() {
        assertDenied(hs256Raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", validClaims(NOW).toJson(), KEY), Denial.NO_KID);
    }

    @Test
    void nonStringKidIsDenied() {
        assertDeniedAnyOf(hs256Raw("{\"alg\":\"HS256\",\"kid\":1,\"typ\":\"JWT\"}", validClaims(NOW).toJson(), KEY),
                Denial.MALFORMED, Denial.NO_KID, Denial.UNKNOWN_KID);
    }

    // ---- signature ----

    @Test
    void emptySignatureIsDenied() {
        String token = good();
        assertDeniedAnyOf(token.substring(0, token.lastIndexOf('.') + 1), Denial.MALFORMED, Denial.BAD_SIGNATURE);
    }

    @Test
    void strippedSignatureIsDenied() {
        String token = good();
        assertDenied(token.substring(0, token.lastIndexOf('.')), Denial.MALFORMED);
    }

    @Test
    void signatureFromAWrongKeyIsDenied() {
        assertDenied(hs256("k1", validClaims(NOW), WRONG_KEY), Denial.BAD_SIGNATURE);
    }

    @Test
    void signatureOfTheOtherListedKeyDoesNotVerifyUnderThisKid() {
        assertDenied(hs256("k1", validClaims(NOW), OLD_KEY), Denial.BAD_SIGNATURE);
    }

    @Test
    void alteredSignatureIsDenied() {
        String token = good();
        char first = token.charAt(token.lastIndexOf('.') + 1);
        String altered = token.substring(0, token.lastIndexOf('.') + 1) + (first == 'A' ? 'B' : 'A')
                + token.substring(token.lastIndexOf('.') + 2);
        assertDenied(altered, Denial.BAD_SIGNATURE);
        assertDeniedAnyOf(token.substring(0, token.length() - 1), Denial.BAD_SIGNATURE, Denial.MALFORMED);
    }

    @Test
    void payloadChangedAfterSigningIsDenied() {
        String[] signed = good().split("\\.");
        String forged = b64url(claimsWith(c -> c.setSubject("admin")));
        assertDenied(signed[0] + "." + forged + "." + signed[2], Denial.BAD_SIGNATURE);
    }

    @Test
    void headerChangedAfterSigningIsDenied() {
        String[] signed = good().split("\\.");
        // Same meaning, different bytes; then a different (known) kid.
        String spaced = b64url("{\"alg\":\"HS256\", \"kid\":\"k1\", \"typ\":\"JWT\"}");
        assertDenied(spaced + "." + signed[1] + "." + signed[2], Denial.BAD_SIGNATURE);
        assertDenied(b64url(header("k0")) + "." + signed[1] + "." + signed[2], Denial.BAD_SIGNATURE);
    }

    static Stream<Arguments> mangledSignatureEncodings() {
        String token = good();
        int dot = token.lastIndexOf('.');
        String head = token.substring(0, dot + 1);
        String sig = token.substring(dot + 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = sig.charAt(sig.length() - 1);
        // 32 bytes -> 43 characters: the last one carries 2 bits of data and 4 bits that must be 0.
        String nonCanonical = sig.substring(0, sig.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
        return Stream.of(
                Arguments.of("space inside", head + sig.substring(0, 20) + " " + sig.substring(20)),
                Arguments.of("tab inside", head + sig.substring(0, 20) + "\t" + sig.substring(20)),
                Arguments.of("padding", head + sig + "="),
                Arguments.of("trailing junk", head + sig + "!!"),
                Arguments.of("non-canonical last character", head + nonCanonical),
                Arguments.of("standard alphabet", head + Base64.getEncoder().encodeToString(
                        Base64.getUrlDecoder().decode(sig))));
    }

    /** Nimbus's base64 decoder skips foreign characters: each of these would otherwise verify. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mangledSignatureEncodings")
    void signatureMustBeCanonicalBase64url(String name, String token) {
        assertThat(token).isNotEqualTo(good());
        assertDeniedAnyOf(token, Denial.MALFORMED, Denial.BAD_SIGNATURE);
    }

    // ---- times (leeway 30 s) ----

    @ParameterizedTest
    @CsvSource({"0, true", "29, true", "30, true", "31, false", "3600, false"})
    void expiryHasA30SecondLeeway(long secondsAfterExpiry, boolean accepted) {
        long exp = NOW;
        String token = hs256Raw(header("k1"), claimsWith(c -> {
            c.setIssuedAt(NumericDate.fromSeconds(exp - 7200));
            c.setExpirationTime(NumericDate.fromSeconds(exp));
        }), KEY);
        TokenVerifier.Result result = verifierAt(exp + secondsAfterExpiry).verify(token, KEYS);
        assertThat(result.valid()).isEqualTo(accepted);
        if (!accepted) {
            assertThat(result.denial()).isEqualTo(Denial.EXPIRED);
        }
    }

    @ParameterizedTest
    @CsvSource({"iat, 30, true", "iat, 31, false", "iat, 86400, false", "nbf, 30, true", "nbf, 31, false"})
    void issuedAtAndNotBeforeInTheFutureHaveA30SecondLeeway(String claim, long secondsAhead, boolean accepted) {
        String token = hs256Raw(header("k1"), claimsWith(c -> c.setClaim(claim, NOW + secondsAhead)), KEY);
        TokenVerifier.Result result = verifier.verify(token, KEYS);
        assertThat(result.valid()).isEqualTo(accepted);
        if (!accepted) {
            assertThat(result.denial()).isEqualTo(Denial.NOT_YET_VALID);
        }
    }

    // ---- claims ----

    static Stream<Arguments> badClaims() {
        return Stream.of(
                Arguments.of("missing exp", (Consumer<JwtClaims>) c -> c.unsetClaim("exp"), Denial.NO_EXPIRY),
                Arguments.of("missing sub", (Consumer<JwtClaims>) c -> c.unsetClaim("sub"), Denial.NO_SUBJECT),
                Arguments.of("blank sub", (Consumer<JwtClaims>) c -> c.setSubject("   "), Denial.NO_SUBJECT),
                Arguments.of("empty sub", (Consumer<JwtClaims>) c -> c.setSubject(""), Denial.NO_SUBJECT),
                Arguments.of("missing iat", (Consumer<JwtClaims>) c -> c.unsetClaim("iat"), Denial.MISSING_CLAIM),
                Arguments.of("wrong iss", (Consumer<JwtClaims>) c -> c.setIssuer("someone-else"), Denial.WRONG_ISSUER),
                Arguments.of("iss in another case", (Consumer<JwtClaims>) c -> c.setIssuer("WEIXIN-APP-LOGIN"),
                        Denial.WRONG_ISSUER),
                Arguments.of("missing iss", (Consumer<JwtClaims>) c -> c.unsetClaim("iss"), Denial.WRONG_ISSUER),
                Arguments.of("missing appid", (Consumer<JwtClaims>) c -> c.unsetClaim("appid"), Denial.MISSING_CLAIM),
                Arguments.of("missing login_type", (Consumer<JwtClaims>) c -> c.unsetClaim("login_type"),
                        Denial.MISSING_CLAIM),
                Arguments.of("appid not a string", (Consumer<JwtClaims>) c -> c.setClaim("appid", List.of("a", "b")),
                        Denial.MISSING_CLAIM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badClaims")
    void eachMissingOrWrongClaimIsDenied(String name, Consumer<JwtClaims> change, Denial expected) {
        assertDenied(hs256Raw(header("k1"), claimsWith(change), KEY), expected);
    }

    @Test
    void expAsAStringIsDenied() {
        String payload = validClaims(NOW).toJson().replace("\"exp\":" + (NOW + 7200), "\"exp\":\"" + (NOW + 7200) + "\"");
        assertThat(payload).contains("\"exp\":\"");
        assertDeniedAnyOf(hs256Raw(header("k1"), payload, KEY), Denial.MALFORMED, Denial.NO_EXPIRY);
    }

    // ---- structure ----

    @Test
    void badBase64urlIsDeniedEvenWhenSigned() {
        // A claim value chosen so that the standard alphabet needs '+' and '/'.
        String payloadJson = claimsWith(c -> c.setClaim("note", "\u00fb\u00ff\u00fe>>>???"));
        String standard = Base64.getEncoder().withoutPadding().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        assertThat(standard).containsAnyOf("+", "/");
        assertDenied(hs256Segments(b64url(header("k1")), standard, KEY), Denial.MALFORMED);

        String[] good = good().split("\\.");
        assertDenied(hs256Segments("!" + good[0], good[1], KEY), Denial.MALFORMED);
        assertDenied(hs256Segments(good[0] + "==", good[1], KEY), Denial.MALFORMED);
        assertDenied("e$J@.e$J@.abc", Denial.MALFORMED);
    }

    @Test
    void nonJsonSegmentsAreDenied() {
        String claims = validClaims(NOW).toJson();
        assertDenied(hs256Raw("not json at all", claims, KEY), Denial.MALFORMED);
        assertDenied(hs256Raw("[\"HS256\",\"k1\"]", claims, KEY), Denial.MALFORMED);
        assertDenied(hs256Raw(header("k1"), "not json at all", KEY), Denial.MALFORMED);
        assertDenied(hs256Raw(header("k1"), "[1,2,3]", KEY), Denial.MALFORMED);
        assertDenied(hs256Raw(header("k1"), claims + " trailing", KEY), Denial.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 5})
    void wrongNumberOfSegmentsIsDenied(int segments) {
        String[] parts = good().split("\\.");
        StringBuilder token = new StringBuilder(parts[0]);
        for (int i = 1; i < segments; i++) {
            token.append('.').append(parts[Math.min(i, 2)]);
        }
        assertThat(token.toString().split("\\.", -1)).hasSize(segments);
        assertDenied(token.toString(), Denial.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "..", ".", "Bearer", "a.b.c", "\u0000.\u0000.\u0000"})
    void garbageIsDenied(String token) {
        assertDenied(token, Denial.MALFORMED);
    }

    @Test
    void nullIsDenied() {
        assertDenied(null, Denial.MALFORMED);
    }

    @Test
    void duplicateJsonKeysAreDenied() {
        String payload = "{\"iss\":\"" + TestTokens.ISSUER + "\",\"sub\":\"user-7f3a\",\"sub\":\"admin\",\"iat\":" + NOW
                + ",\"exp\":" + (NOW + 7200) + ",\"appid\":\"wxapp-multi-1\",\"login_type\":\"weixinApp\"}";
        assertDenied(hs256Raw(header("k1"), payload, KEY), Denial.MALFORMED);
        // In the header: a parser keeping the first "alg" would see none.
        assertDenied(hs256Raw("{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
                validClaims(NOW).toJson(), KEY), Denial.MALFORMED);
    }

    @Test
    void tenKilobyteTokenIsDeniedBeforeAnyParsing() {
        String token = hs256Raw(header("k1"), claimsWith(c -> c.setClaim("pad", "p".repeat(7600))), KEY);
        assertThat(token.length()).isGreaterThanOrEqualTo(10_240);
        assertDenied(token, Denial.TOO_LONG);
        assertDenied("x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1), Denial.TOO_LONG);
    }

    // ---- RFC 7515 Appendix A ----

    @Test
    void rfc7515A1SignatureVerifiesWithItsExactKey() throws Exception {
        byte[] k = Base64.getUrlDecoder().decode(A1_K);
        assertThat(k).hasSize(64);

        // The primitive alone: HMAC-SHA256 over the ASCII signing input.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(k, "HmacSHA256"));
        byte[] expected = mac.doFinal((A1_HEADER + "." + A1_PAYLOAD).getBytes(StandardCharsets.US_ASCII));
        assertThat(Base64.getUrlDecoder().decode(A1_SIGNATURE)).isEqualTo(expected);

        // The library the verifier uses, on the compact serialization.
        JWSObject jws = JWSObject.parse(A1);
        assertThat(jws.verify(new MACVerifier(k))).isTrue();
        assertThat(JWSObject.parse(A1).verify(new MACVerifier(WRONG_KEY))).isFalse();
    }

    @Test
    void rfc7515A1IsDeniedForItsMissingKidEvenWithItsKeyListed() {
        SigningKeys withA1Key = SigningKeys.of(new SigningKey("rfc7515-a1", Base64.getUrlDecoder().decode(A1_K)));
        TokenVerifier.Result result = verifierAt(1_300_819_000L).verify(A1, withA1Key);
        assertThat(result.valid()).isFalse();
        assertThat(result.denial()).isEqualTo(Denial.NO_KID);
    }

    @Test
    void rfc7515A5UnsecuredIsDenied() {
        SigningKeys withA1Key = SigningKeys.of(new SigningKey("rfc7515-a1", Base64.getUrlDecoder().decode(A1_K)));
        TokenVerifier.Result result = verifierAt(1_300_819_000L).verify(A5, withA1Key);
        assertThat(result.valid()).isFalse();
        assertThat(result.denial()).isIn(Denial.MALFORMED, Denial.NOT_HS256);
    }
}
