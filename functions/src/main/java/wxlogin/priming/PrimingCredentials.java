package wxlogin.priming;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;

/**
 * Throwaway credentials for priming's SDK calls, obtained the way a SnapStart function obtains its
 * own: the SDK's container-credentials provider, pointed for this one fetch at the priming
 * {@link LoopbackEndpoint}, which answers constant keys. So the snapshot holds the container
 * provider's code and its JSON parser loaded, and no real credentials.
 */
public final class PrimingCredentials {

    static final String ACCESS_KEY_ID = "ASIAPRIMINGTHROWAWAY";
    /** What the loopback answers on {@link LoopbackEndpoint#CREDENTIALS_PATH}: the container endpoint's shape, throwaway keys. */
    static final String CONTAINER_ANSWER = "{\"AccessKeyId\":\"" + ACCESS_KEY_ID + "\","
            + "\"SecretAccessKey\":\"priming-throwaway-secret-access-key\",\"Token\":\"priming-throwaway-session-token\","
            + "\"Expiration\":\"2099-01-01T00:00:00Z\"}";

    private static final String FULL_URI = "aws.containerCredentialsFullUri";
    private static final String TOKEN = "aws.containerAuthorizationToken";
    private static final String RELATIVE_URI_VARIABLE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";

    private PrimingCredentials() {
    }

    /**
     * Constant credentials, fetched from {@code loopback} through the SDK's container provider
     * (system properties point it there for the fetch; they take precedence over the environment,
     * and are put back at once). The fetch runs inside a chain shaped like Lambda's
     * ({@code AwsClients.lambdaCredentials}), so the providers asked first run too; should one of them
     * answer (keys in the environment), its answer is dropped.
     */
    public static AwsCredentialsProvider fetch(LoopbackEndpoint loopback) {
        if (System.getenv(RELATIVE_URI_VARIABLE) != null) {
            // The relative URI would win over ours and lead off the machine: constant keys only.
            return StaticCredentialsProvider.create(fixed());
        }
        String fullUri = System.getProperty(FULL_URI);
        String token = System.getProperty(TOKEN);
        System.setProperty(FULL_URI, loopback.url() + LoopbackEndpoint.CREDENTIALS_PATH);
        System.setProperty(TOKEN, "priming-throwaway");
        try (ContainerCredentialsProvider container = ContainerCredentialsProvider.builder().build()) {
            try {
                AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true)
                        .credentialsProviders(SystemPropertyCredentialsProvider.create(),
                                EnvironmentVariableCredentialsProvider.create(), container)
                        .build().resolveCredentials();
            } catch (RuntimeException e) {
                // Reported by the container fetch below, if it fails too.
            }
            AwsCredentials credentials = container.resolveCredentials();
            if (!ACCESS_KEY_ID.equals(credentials.accessKeyId())) {
                throw new IllegalStateException("priming: credentials from elsewhere than the loopback endpoint");
            }
            return StaticCredentialsProvider.create(credentials);
        } finally {
            restore(FULL_URI, fullUri);
            restore(TOKEN, token);
        }
    }

    private static AwsCredentials fixed() {
        return software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(ACCESS_KEY_ID,
                "priming-throwaway-secret-access-key", "priming-throwaway-session-token");
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
