// Level: component test — SecretsManagerEndpoint driven by the real AWS SDK v2 client (signed requests, JSON 1.1).
package wxlogin.local.secrets;

import wxlogin.local.aws.AwsFault;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsManagerEndpointSdkTest {

    private static final String NAME = "wxlogin/test/wechat-app";
    private static final String VALUE = "{\"appid\":\"wx1\",\"appsecret\":\"s1\"}";

    private SecretsManagerEndpoint endpoint;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        endpoint = SecretsManagerEndpoint.start();
        endpoint.put(NAME, VALUE);
        client = client(false);
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    /** The way a function would build it, plus the endpoint override and dummy keys. */
    private SecretsManagerClient client(boolean noRetries) {
        var builder = SecretsManagerClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCALTEST", "dummy-secret-key")))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(5)))
                .endpointOverride(endpoint.endpoint());
        if (noRetries) builder.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        return builder.build();
    }

    @Test
    void getSecretValueByNameAndByArn() {
        Instant before = Instant.now().minusSeconds(1);
        GetSecretValueResponse byName = client.getSecretValue(r -> r.secretId(NAME));
        assertThat(byName.secretString()).isEqualTo(VALUE);
        assertThat(byName.name()).isEqualTo(NAME);
        assertThat(byName.arn()).isEqualTo("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + NAME + "-AbCdEf")
                .isEqualTo(endpoint.arnOf(NAME));
        assertThat(byName.versionStages()).containsExactly("AWSCURRENT");
        assertThat(byName.versionId()).isNotBlank();
        assertThat(byName.createdDate()).isBetween(before, Instant.now().plusSeconds(1));

        GetSecretValueResponse byArn = client.getSecretValue(r -> r.secretId(endpoint.arnOf(NAME)));
        assertThat(byArn.secretString()).isEqualTo(VALUE);
        assertThat(byArn.versionId()).isEqualTo(byName.versionId());
        GetSecretValueResponse byPartialArn = client.getSecretValue(
                r -> r.secretId("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + NAME));
        assertThat(byPartialArn.secretString()).isEqualTo(VALUE);

        assertThat(endpoint.calls("GetSecretValue")).isEqualTo(3);
        assertThat(endpoint.calls()).isEqualTo(3);
    }

    @Test
    void unknownSecretIsResourceNotFound() {
        assertThatThrownBy(() -> client.getSecretValue(r -> r.secretId("wxlogin/nope")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Secrets Manager can't find the specified secret.");
                });
        assertThatThrownBy(() -> client.getSecretValue(r -> r.secretId(endpoint.arnOf("wxlogin/nope"))))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void putSecretValueTakesEffectAndVersionsMove() {
        String first = client.getSecretValue(r -> r.secretId(NAME)).versionId();
        PutSecretValueResponse put = client.putSecretValue(r -> r.secretId(NAME).secretString("{\"appid\":\"wx1\",\"appsecret\":\"s2\"}"));
        assertThat(put.versionId()).isNotEqualTo(first);
        assertThat(put.versionStages()).containsExactly("AWSCURRENT");

        GetSecretValueResponse current = client.getSecretValue(r -> r.secretId(NAME));
        assertThat(current.secretString()).contains("s2");
        assertThat(current.versionId()).isEqualTo(put.versionId());
        GetSecretValueResponse previous = client.getSecretValue(r -> r.secretId(NAME).versionStage("AWSPREVIOUS"));
        assertThat(previous.secretString()).isEqualTo(VALUE);
        assertThat(client.getSecretValue(r -> r.secretId(NAME).versionId(first)).secretString()).isEqualTo(VALUE);

        endpoint.put(NAME, "{\"appid\":\"wx1\",\"appsecret\":\"s3\"}");
        assertThat(client.getSecretValue(r -> r.secretId(NAME)).secretString()).contains("s3");
        assertThat(endpoint.current(NAME)).hasValueSatisfying(v -> assertThat(v).contains("s3"));

        DescribeSecretResponse described = client.describeSecret(r -> r.secretId(NAME));
        assertThat(described.arn()).isEqualTo(endpoint.arnOf(NAME));
        assertThat(described.versionIdsToStages()).hasSize(2).containsEntry(put.versionId(), List.of("AWSPREVIOUS"));
    }

    @Test
    void createSecretThenGetAndCreateTwiceFails() {
        client.createSecret(r -> r.name("wxlogin/test/new").secretString("{\"secret\":\"x\"}"));
        assertThat(client.getSecretValue(r -> r.secretId("wxlogin/test/new")).secretString()).isEqualTo("{\"secret\":\"x\"}");
        assertThatThrownBy(() -> client.createSecret(r -> r.name("wxlogin/test/new").secretString("y")))
                .isInstanceOf(ResourceExistsException.class);
        assertThat(endpoint.calls("CreateSecret")).isEqualTo(2);
    }

    @Test
    void throttlingAndInternalErrorsSurfaceAsSdkExceptions() {
        try (SecretsManagerClient noRetries = client(true)) {
            endpoint.failNext(1, AwsFault.THROTTLING);
            assertThatThrownBy(() -> noRetries.getSecretValue(r -> r.secretId(NAME)))
                    .isInstanceOfSatisfying(SecretsManagerException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                        assertThat(e.isThrottlingException()).isTrue();
                    });
            endpoint.failNext(1, AwsFault.INTERNAL);
            assertThatThrownBy(() -> noRetries.getSecretValue(r -> r.secretId(NAME)))
                    .isInstanceOfSatisfying(SecretsManagerException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(500);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalServiceError");
                    });
            assertThat(endpoint.calls("GetSecretValue")).isEqualTo(2);
            assertThat(noRetries.getSecretValue(r -> r.secretId(NAME)).secretString()).isEqualTo(VALUE);
        }
    }

    @Test
    void theDefaultClientRetriesPastOneThrottle() {
        endpoint.failNext(1, AwsFault.THROTTLING);
        assertThat(client.getSecretValue(r -> r.secretId(NAME)).secretString()).isEqualTo(VALUE);
        assertThat(endpoint.calls("GetSecretValue")).isEqualTo(2);
    }

    @Test
    void downAnswers503UntilBackUp() {
        try (SecretsManagerClient noRetries = client(true)) {
            endpoint.setDown(true);
            assertThatThrownBy(() -> noRetries.getSecretValue(r -> r.secretId(NAME)))
                    .isInstanceOfSatisfying(SecretsManagerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
            endpoint.setDown(false);
            assertThat(noRetries.getSecretValue(r -> r.secretId(NAME)).secretString()).isEqualTo(VALUE);
        }
    }

    @Test
    void slowAnswersAfterTheDelay() {
        endpoint.failNext(1, AwsFault.SLOW(300));
        long started = System.nanoTime();
        assertThat(client.getSecretValue(r -> r.secretId(NAME)).secretString()).isEqualTo(VALUE);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
}
