package wxlogin.secrets;

// Integration (fast): the SDK's SecretsManagerClient as the project builds it, over real HTTP against a local stand-in: request, credentials, retries, deadline, and how every failure is sorted.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.testing.AwsStandIn;
import wxlogin.testing.AwsStandIn.Canned;

class SecretsManagerSourceTest {

    private static final String SECRET_ID = "wxlogin/test/keys";
    private static final String JSON_1_1 = "application/x-amz-json-1.1";

    private AwsStandIn endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = new AwsStandIn(JSON_1_1);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void sendsOneGetSecretValueSignedForSecretsManagerInTheRegion() {
        answerOk("{\"keys\":[]}");

        String value = source("eu-west-1", staticCredentials()).fetch(SECRET_ID);

        assertThat(value).isEqualTo("{\"keys\":[]}");
        assertThat(endpoint.received).hasSize(1);
        AwsStandIn.Received request = endpoint.received.get(0);
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("X-Amz-Target")).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(request.header("Content-Type")).isEqualTo(JSON_1_1);
        assertThat(request.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                .contains("/eu-west-1/secretsmanager/aws4_request").contains("x-amz-target");
        assertThat(request.body()).isEqualTo("{\"SecretId\":\"" + SECRET_ID + "\"}");
    }

    @Test
    void sessionCredentialsAddTheSecurityToken() {
        answerOk("v");

        source("us-east-1", StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIATEST", "secret",
                "session-token"))).fetch(SECRET_ID);

        assertThat(endpoint.received.get(0).header("X-Amz-Security-Token")).isEqualTo("session-token");
    }

    @Test
    void takesContainerCredentialsLikeASnapStartFunction() {
        answerOk("v");
        int[] credentialCalls = {0};
        endpoint.answerPath("/container-credentials", n -> {
            credentialCalls[0]++;
            return new Canned(200, "application/json", "{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":"
                    + "\"container-secret\",\"Token\":\"container-session-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}");
        });
        String savedKey = System.clearProperty("aws.accessKeyId");
        String savedSecret = System.clearProperty("aws.secretAccessKey");
        System.setProperty("aws.containerCredentialsFullUri", endpoint.endpoint() + "/container-credentials");
        System.setProperty("aws.containerAuthorizationToken", "container-token");
        try {
            SecretsManagerSource source = SecretsManagerSource.fromEnvironment(env("us-east-1"));
            source.fetch(SECRET_ID);
            source.fetch(SECRET_ID);
        } finally {
            System.clearProperty("aws.containerCredentialsFullUri");
            System.clearProperty("aws.containerAuthorizationToken");
            restore("aws.accessKeyId", savedKey);
            restore("aws.secretAccessKey", savedSecret);
        }
        assertThat(endpoint.received).hasSize(2);
        assertThat(endpoint.received.get(0).header("Authorization")).contains("Credential=ASIACONTAINER/");
        assertThat(endpoint.received.get(0).header("X-Amz-Security-Token")).isEqualTo("container-session-token");
        assertThat(credentialCalls[0]).as("the SDK provider caches what the endpoint answered").isEqualTo(1);
    }

    @Test
    void readsTheStandardEndpointOverrideAndRegionFromTheEnvironment() {
        answerOk("v");
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "ap-east-1",
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.endpoint(), "AWS_ENDPOINT_URL", "http://127.0.0.1:9"));

        SecretsManagerSource.fromEnvironment(new Env(env)).fetch(SECRET_ID);
        env.remove("AWS_ENDPOINT_URL_SECRETS_MANAGER");
        env.put("AWS_ENDPOINT_URL", endpoint.endpoint());
        SecretsManagerSource.fromEnvironment(new Env(env)).fetch(SECRET_ID);

        assertThat(endpoint.received).as("the service's override, then the global one").hasSize(2)
                .allSatisfy(r -> assertThat(r.header("Authorization")).contains("/ap-east-1/secretsmanager/"));
    }

    // ------------------------------------------------------------------ misconfigured: 500, not retried

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "null, ResourceNotFoundException",
            "null, com.amazonaws.secretsmanager#ResourceNotFoundException",
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/, x",
            "null, InvalidParameterException",
            "null, InvalidRequestException",
            "null, DecryptionFailure"})
    void aSecretThatCannotBeReadIsAConfigurationError(String header, String type) {
        endpoint.answer(n -> new Canned(400, JSON_1_1, "{\"__type\":\"" + type + "\",\"message\":\"no\"}", header));

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("secret " + SECRET_ID + " cannot be read: ")
                .hasMessageEndingWith(header != null ? "ResourceNotFoundException" : type.substring(type.lastIndexOf('#') + 1));
        assertThat(endpoint.received).as("not retried").hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "400 | {\"__type\":\"AccessDeniedException\",\"message\":\"not authorized\"}",
            "403 | {\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\"}",
            "403 | <html>Forbidden</html>"})
    void noPermissionIsAConfigurationError(int status, String body) {
        endpoint.alwaysError(status, body);

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("no permission to read secret " + SECRET_ID + " (HTTP " + status);
        assertThat(endpoint.received).hasSize(1);
    }

    @Test
    void aSecretWithoutSecretStringIsAConfigurationError() {
        endpoint.answer(n -> new Canned(200, JSON_1_1, "{\"Name\":\"x\",\"SecretBinary\":\"AAEC\"}"));

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("has no SecretString");
    }

    // ------------------------------------------------------------------ unavailable: 503

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "400 | application/x-amz-json-1.1 | {\"__type\":\"ThrottlingException\",\"message\":\"busy\"} | Secrets Manager throttled: HTTP 400 ThrottlingException",
            "429 | application/x-amz-json-1.1 | {} | Secrets Manager throttled: HTTP 429",
            "503 | application/x-amz-json-1.1 | {\"__type\":\"ServiceUnavailableException\"} | Secrets Manager answered HTTP 503 ServiceUnavailableException",
            "500 | text/plain | Internal Server Error | Secrets Manager answered HTTP 500",
            "502 | text/html | <html><body>Bad Gateway</body></html> | Secrets Manager answered HTTP 502",
            "504 | text/plain | '' | Secrets Manager answered HTTP 504"})
    void throttlingAndServerErrorsWithOrWithoutJsonAreRetriedThenUnavailable(int status, String contentType, String body,
                                                                            String message) {
        endpoint.answer(n -> new Canned(status, contentType, body));

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class).hasMessageStartingWith(message);
        assertThat(endpoint.received).as("the SDK's standard mode: three attempts").hasSize(SecretsManagerSource.MAX_ATTEMPTS);
    }

    @Test
    void aTransientErrorFollowedBySuccessIsInvisible() {
        endpoint.answer(n -> switch (n) {
            case 1 -> new Canned(500, "text/plain", "oops");
            case 2 -> new Canned(400, JSON_1_1, "{\"__type\":\"ThrottlingException\"}");
            default -> ok("v");
        });

        assertThat(source("us-east-1", staticCredentials()).fetch(SECRET_ID)).isEqualTo("v");
        assertThat(endpoint.received).hasSize(3);
    }

    @Test
    void anUnknownClientErrorIsUnavailableNotRetried() {
        endpoint.alwaysError(400, "{\"__type\":\"SomethingNewException\",\"message\":\"bad\"}");

        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessage("Secrets Manager answered HTTP 400 SomethingNewException");
        assertThat(endpoint.received).hasSize(1);
    }

    @Test
    void rightAfterAFailureTheNextReadFailsAtOnceWithoutAsking() {
        endpoint.alwaysError(503, "{\"__type\":\"ServiceUnavailableException\"}");
        SecretsManagerSource source = source("us-east-1", staticCredentials());
        assertThatThrownBy(() -> source.fetch(SECRET_ID)).isInstanceOf(SecretUnavailableException.class);
        int asked = endpoint.received.size();
        answerOk("v");

        // A warm login reads two secrets in a row: the second must not wait out its own timeouts.
        assertThatThrownBy(() -> source.fetch("another-secret")).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("moments ago");
        assertThat(endpoint.received).hasSize(asked);
    }

    @Test
    void anUnreachableEndpointIsUnavailable() {
        SecretsManagerSource source = source("us-east-1", staticCredentials());
        endpoint.stop();

        assertThatThrownBy(() -> source.fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager unreachable: SdkClientException");
    }

    @Test
    void noCredentialsIsUnavailableAndSendsNothing() {
        AwsCredentialsProvider none = () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };

        assertThatThrownBy(() -> source("us-east-1", none).fetch(SECRET_ID))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager unreachable: SdkClientException");
        assertThat(endpoint.received).isEmpty();
    }

    @Test
    void aSlowAnswerNeverKeepsTheCallerPastItsDeadline() {
        answerOk("v");
        SecretsManagerSource source = source("us-east-1", staticCredentials());
        source.fetch(SECRET_ID); // loaded and connected: what is timed below is the slow answer alone
        endpoint.answerAfter(5_000);

        long started = System.nanoTime();
        assertThatThrownBy(() -> source.fetch(SECRET_ID, Deadline.in(700, Clock.systemUTC())))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager unreachable: ApiCallTimeoutException");
        assertThat((System.nanoTime() - started) / 1_000_000).as("the deadline, not the 5 s answer").isLessThan(3_000);
    }

    @Test
    void withoutTimeLeftNothingIsSent() {
        assertThatThrownBy(() -> source("us-east-1", staticCredentials()).fetch(SECRET_ID, Deadline.in(50, Clock.systemUTC())))
                .isInstanceOf(SecretUnavailableException.class).hasMessage("no time left for Secrets Manager");
        assertThat(endpoint.received).isEmpty();
    }

    // ---- helpers ----

    private SecretsManagerSource source(String region, AwsCredentialsProvider credentials) {
        return SecretsManagerSource.fromEnvironment(env(region), credentials);
    }

    private Env env(String region) {
        return new Env(Map.of("AWS_REGION", region, "AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.endpoint()));
    }

    private static AwsCredentialsProvider staticCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret-key"));
    }

    private void answerOk(String secretString) {
        endpoint.answer(n -> ok(secretString));
    }

    private static Canned ok(String secretString) {
        return new Canned(200, JSON_1_1, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:x-AbCdEf\","
                + "\"Name\":\"x\",\"VersionId\":\"v1\",\"SecretString\":\"" + secretString.replace("\"", "\\\"")
                + "\",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.795528800E9}");
    }

    private static void restore(String property, String value) {
        if (value != null) {
            System.setProperty(property, value);
        }
    }
}
