package wxlogin.secrets;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Env;

/**
 * Reads secrets with the AWS SDK. Credentials come from the default provider chain, which
 * covers Lambda's container credentials under SnapStart; the region and the standard
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} override are read from the function's environment.
 */
public final class SecretsManagerSource implements SecretSource {

    private final SecretsManagerClient client;

    public SecretsManagerSource(SecretsManagerClient client) {
        this.client = client;
    }

    /** A client configured explicitly: cheaper to build than the SDK's defaults (see BENCHMARKS.md). */
    public static SecretsManagerSource fromEnvironment(Env env) {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(3))
                        .build())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(Region.of(env.optional("AWS_REGION", env.optional("AWS_DEFAULT_REGION", "us-east-1"))))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(6)));
        String endpoint = env.optional("AWS_ENDPOINT_URL_SECRETS_MANAGER", env.optional("AWS_ENDPOINT_URL", null));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return new SecretsManagerSource(builder.build());
    }

    @Override
    public String fetch(String secretId) {
        try {
            GetSecretValueResponse response = client.getSecretValue(r -> r.secretId(secretId));
            if (response.secretString() == null) {
                throw new ConfigurationException("secret " + secretId + " has no SecretString");
            }
            return response.secretString();
        } catch (ResourceNotFoundException | InvalidParameterException | InvalidRequestException
                 | DecryptionFailureException e) {
            // Missing, scheduled for deletion, or not decryptable: only an operator can fix it.
            throw new ConfigurationException("secret " + secretId + " cannot be read: "
                    + e.awsErrorDetails().errorCode());
        } catch (SdkServiceException e) {
            if (e.statusCode() == 403) {
                throw new ConfigurationException("no permission to read secret " + secretId);
            }
            throw new SecretUnavailableException("Secrets Manager answered HTTP " + e.statusCode(), e);
        } catch (SdkClientException e) {
            throw new SecretUnavailableException("Secrets Manager unreachable: " + e.getClass().getSimpleName(), e);
        }
    }
}
