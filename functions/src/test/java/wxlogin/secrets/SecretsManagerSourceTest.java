package wxlogin.secrets;

// Integration (fast): the signed GetSecretValue over real HTTP against a recording stand-in, with the SDK's signer and credential providers.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Env;
import wxlogin.testing.NoCredentials;

class SecretsManagerSourceTest {

    private static final String SECRET_ID = "wxlogin/test/keys";

    /** What the stand-in received. */
    record Received(String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A canned answer: status, optional x-amzn-ErrorType header, body. */
    record Canned(int status, String errorType, String body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Canned> answers = new ArrayDeque<>();
    private volatile Canned always;
    private volatile int credentialCalls;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", this::answer);
        server.createContext("/container-credentials", this::credentials);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void sendsOneGetSecretValueSignedForSecretsManagerInTheRegion() {
        answerOk("{\"keys\":[]}");

        String value = source("eu-west-1", staticCredentials()).fetch(SECRET_ID);

        assertThat(value).isEqualTo("{\"keys\":[]}");
        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("X-Amz-Target")).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(request.header("X-Amz-Date")).matches("\\d{8}T\\d{6}Z");
        assertThat(request.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                .contains("/eu-west-1/secretsmanager/aws4_request")
                .contains("SignedHeaders=").contains("x-amz-target").contains("Signature=");
        assertThat(request.body()).isEqualTo("{\"SecretId\":\"" + SECRET_ID + "\"}");
    }

    @Test
    void sessionCredentialsAddTheSecurityToken() {
        answerOk("v");
        IdentityProvider<AwsCredentialsIdentity> session =
                StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIATEST", "secret", "session-token"));

        source("us-east-1", session).fetch(SECRET_ID);

        assertThat(received.get(0).header("X-Amz-Security-Token")).isEqualTo("session-token");
        assertThat(received.get(0).header("Authorization")).contains("Credential=ASIATEST/").contains("x-amz-security-token");
    }

    @Test
    void takesContainerCredentialsLikeASnapStartFunction() {
        answerOk("v");
        answerOk("v");
        String savedKey = System.clearProperty("aws.accessKeyId");
        String savedSecret = System.clearProperty("aws.secretAccessKey");
        System.setProperty("aws.containerCredentialsFullUri", base() + "/container-credentials");
        System.setProperty("aws.containerAuthorizationToken", "container-token");
        try {
            SecretsManagerSource source = new SecretsManagerSource(URI.create(base()), "us-east-1",
                    SecretsManagerSource.lambdaCredentials());

            source.fetch(SECRET_ID);
            source.fetch(SECRET_ID);
        } finally {
            System.clearProperty("aws.containerCredentialsFullUri");
            System.clearProperty("aws.containerAuthorizationToken");
            restore("aws.accessKeyId", savedKey);
            restore("aws.secretAccessKey", savedSecret);
        }
        assertThat(received).hasSize(2);
        assertThat(received.get(0).header("Authorization")).contains("Credential=ASIACONTAINER/");
        assertThat(received.get(0).header("X-Amz-Security-Token")).isEqualTo("container-session-token");
        assertThat(credentialCalls).as("the SDK provider caches what the endpoint answered").isEqualTo(1);
    }

    @Test
    void readsTheStandardEndpointOverrideAndRegionFromTheEnvironment() {
        SecretsManagerSource source = SecretsManagerSource.fromEnvironment(new Env(Map.of(
                "AWS_REGION", "ap-east-1", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:4566",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:9999")));

        assertThat(source.endpoint()).isEqualTo(URI.create("http://127.0.0.1:4566"));
        assertThat(source.region()).isEqualTo("ap-east-1");
        assertThat(SecretsManagerSource.fromEnvironment(new Env(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9999"))).endpoint())
                .as("the global override applies when the service one is absent")
                .isEqualTo(URI.create("http://127.0.0.1:9999"));
    }

    @ParameterizedTest
    @CsvSource({"us-east-1, https://secretsmanager.us-east-1.amazonaws.com",
            "ap-east-1, https://secretsmanager.ap-east-1.amazonaws.com",
            "cn-north-1, https://secretsmanager.cn-north-1.amazonaws.com.cn",
            "cn-northwest-1, https://secretsmanager.cn-northwest-1.amazonaws.com.cn"})
    void withoutAnOverrideTheEndpointIsTheRegionsOwnInItsPartition(String region, String endpoint) {
        SecretsManagerSource source = SecretsManagerSource.fromEnvironment(new Env(Map.of("AWS_REGION", region)));

        assertThat(source.endpoint()).isEqualTo(URI.create(endpoint));
        assertThat(source.region()).isEqualTo(region);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "400, null, ResourceNotFoundException",
            "400, null, com.amazonaws.secretsmanager#ResourceNotFoundException",
            "400, ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/, x",
            "400, null, InvalidParameterException",
            "400, null, InvalidRequestException",
            "400, null, DecryptionFailureException"})
    void aSecretThatCannotBeReadIsAConfigurationError(int status, String header, String type) {
        always = new Canned(status, header, "{\"__type\":\"" + type + "\",\"message\":\"no\"}");

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("secret " + SECRET_ID + " cannot be read: ")
                .hasMessageEndingWith(header != null ? "ResourceNotFoundException"
                        : type.substring(type.lastIndexOf('#') + 1));
        assertThat(received).as("not retried").hasSize(1);
    }

    @Test
    void accessDeniedIsAConfigurationError() {
        always = new Canned(403, null, "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized\"}");

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class).hasMessage("no permission to read secret " + SECRET_ID);
        assertThat(received).hasSize(1);
    }

    @Test
    void aSecretWithoutSecretStringIsAConfigurationError() {
        answers.add(new Canned(200, null, "{\"Name\":\"x\",\"SecretBinary\":\"AAEC\"}"));

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("has no SecretString");
    }

    @ParameterizedTest
    @CsvSource({"400, ThrottlingException", "503, ServiceUnavailableException"})
    void throttlingAndServerErrorsAreRetriedThenUnavailable(int status, String type) {
        always = new Canned(status, null, "{\"__type\":\"" + type + "\",\"message\":\"busy\"}");

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager answered HTTP " + status);
        assertThat(received).as("the SDK's standard mode: three attempts").hasSize(SecretsManagerSource.MAX_ATTEMPTS);
    }

    @Test
    void aTransientErrorFollowedBySuccessIsInvisible() {
        answers.add(new Canned(500, null, "{\"__type\":\"InternalServiceError\"}"));
        answers.add(new Canned(400, null, "{\"__type\":\"ThrottlingException\"}"));
        answerOk("v");

        assertThat(source("us-east-1", staticCredentials()).fetch(SECRET_ID)).isEqualTo("v");
        assertThat(received).hasSize(3);
    }

    @Test
    void rightAfterAFailureTheNextReadFailsAtOnceWithoutAsking() {
        always = new Canned(503, null, "{\"__type\":\"ServiceUnavailableException\"}");
        SecretsManagerSource source = source("us-east-1", staticCredentials());
        assertThatThrownBy(() -> source.fetch(SECRET_ID)).isInstanceOf(SecretUnavailableException.class);
        int asked = received.size();
        always = null;
        answerOk("v");

        // A warm login reads two secrets in a row: the second must not wait out its own timeouts.
        assertThatThrownBy(() -> source.fetch("another-secret")).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("moments ago");
        assertThat(received).hasSize(asked);
    }

    @Test
    void anotherClientErrorIsUnavailableNotRetried() {
        always = new Canned(400, null, "{\"__type\":\"ValidationException\",\"message\":\"bad\"}");

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class).hasMessage("Secrets Manager answered HTTP 400 ValidationException");
        assertThat(received).hasSize(1);
    }

    @Test
    void anUnreachableEndpointIsUnavailable() {
        int port = server.getAddress().getPort();
        server.stop(0);

        assertThatThrownBy(() -> new SecretsManagerSource(URI.create("http://127.0.0.1:" + port), "us-east-1",
                staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class).hasMessageStartingWith("Secrets Manager unreachable: ");
    }

    @Test
    void noCredentialsIsUnavailableAndSendsNothing() {
        IdentityProvider<AwsCredentialsIdentity> none = new NoCredentials();

        assertThatThrownBy(() -> source("us-east-1", none).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessage("Secrets Manager unreachable: no AWS credentials (IllegalStateException)");
        assertThat(received).isEmpty();
    }

    @Test
    void primingSignsAndParsesWithoutNetwork() {
        SecretsManagerSource.prime();

        assertThat(received).isEmpty();
    }

    // ---- helpers ----

    private SecretsManagerSource source(String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        return new SecretsManagerSource(URI.create(base()), region, credentials);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static IdentityProvider<AwsCredentialsIdentity> staticCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret-key"));
    }

    private void answerOk(String secretString) {
        answers.add(new Canned(200, null, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:x-AbCdEf\","
                + "\"Name\":\"x\",\"VersionId\":\"v1\",\"SecretString\":" + quote(secretString)
                + ",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.795528800E9}"));
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void restore(String property, String value) {
        if (value != null) {
            System.setProperty(property, value);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Canned canned;
            synchronized (answers) {
                canned = answers.isEmpty() ? always : answers.poll();
            }
            if (canned == null) {
                canned = new Canned(500, null, "{\"__type\":\"InternalFailure\",\"message\":\"no answer set\"}");
            }
            if (canned.errorType() != null) {
                exchange.getResponseHeaders().set("x-amzn-ErrorType", canned.errorType());
            }
            send(exchange, canned.status(), canned.body());
        }
    }

    private void credentials(HttpExchange exchange) throws IOException {
        try (exchange) {
            credentialCalls++;
            if (!"container-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{}");
                return;
            }
            send(exchange, 200, "{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":\"container-secret\","
                    + "\"Token\":\"container-session-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
