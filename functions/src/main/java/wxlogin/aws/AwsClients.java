package wxlogin.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import wxlogin.common.Deadline;
import wxlogin.common.Env;

/**
 * How every SDK client of the project is built, in the handler's constructor: region, credentials,
 * the url-connection HTTP client, the standard endpoint override and bounded retries set explicitly
 * (the SDK's defaults would probe profiles, instance metadata and other HTTP clients at start-up).
 */
public final class AwsClients {

    /**
     * Connection, socket and retry settings of one client; each call's own timeout comes from the
     * invocation's remaining time ({@link #timeouts}).
     *
     * @param maxAttempts attempts per call, the first included (the SDK's standard retry mode)
     */
    public record Limits(Duration connectTimeout, Duration socketTimeout, int maxAttempts) {
    }

    private AwsClients() {
    }

    /**
     * The function's one credentials provider, shared by all its SDK clients (one fetch from the
     * container endpoint per cold start, whichever client calls first). It is the part of the SDK's
     * default chain that can answer in Lambda, in the same order: system properties (tests, the
     * local API), environment variables (on-demand functions, {@code sam local invoke}) and the
     * container endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}: SnapStart functions, whose
     * environment has no keys). Profile files, web identity and instance metadata never answer
     * there. The chain remembers which provider answered.
     */
    public static AwsCredentialsProvider lambdaCredentials() {
        return LAMBDA_CREDENTIALS;
    }

    /**
     * Runs {@code run} (SnapStart priming) with {@code throwaway} answering in place of Lambda's
     * credentials, so priming's calls never sign with, nor fetch, real credentials. Init is
     * single-threaded: no real request can see the substitute.
     */
    public static void withCredentials(AwsCredentialsProvider throwaway, Runnable run) {
        LAMBDA_CREDENTIALS.substitute = throwaway;
        try {
            run.run();
        } finally {
            LAMBDA_CREDENTIALS.substitute = null;
        }
    }

    /**
     * Drops whatever the function's credentials provider cached (after a SnapStart restore: priming
     * never fetches real credentials, but nothing from before the snapshot should serve after it).
     */
    public static void forgetCredentials() {
        LAMBDA_CREDENTIALS.chain = chain();
    }

    private static final LambdaCredentials LAMBDA_CREDENTIALS = new LambdaCredentials();

    private static AwsCredentialsProvider chain() {
        return AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(SystemPropertyCredentialsProvider.create(),
                        EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .build();
    }

    /** The chain, or priming's substitute while {@link #withCredentials} runs. */
    private static final class LambdaCredentials implements AwsCredentialsProvider {
        private volatile AwsCredentialsProvider chain = chain();
        private volatile AwsCredentialsProvider substitute;

        @Override
        public AwsCredentials resolveCredentials() {
            AwsCredentialsProvider current = substitute;
            return (current == null ? chain : current).resolveCredentials();
        }

        @Override
        public String toString() {
            return "LambdaCredentials";
        }
    }

    /**
     * Sets region, credentials, HTTP client, retries and the endpoint override ({@code endpointVariable},
     * e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}, else {@code AWS_ENDPOINT_URL}) on a service client's builder.
     */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
            B builder, Env env, String endpointVariable, AwsCredentialsProvider credentials, Limits limits) {
        builder.region(Region.of(env.awsRegion()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(limits.connectTimeout())
                        .socketTimeout(limits.socketTimeout()))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(limits.maxAttempts())));
        String endpoint = env.awsEndpointOverride(endpointVariable);
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    /**
     * One call's timeouts: at most {@code callCap} for the call (retries and pauses included) and
     * {@code attemptCap} per attempt, never past the deadline. Null when less than {@code minMillis}
     * is left: the answer would come too late, so the caller does not call.
     * <p>The attempt timeout is set only when it is shorter than the call's: when no retry fits,
     * one timer ends the call, instead of two due at the same moment whose order decides whether
     * the SDK starts a retry that only the other can stop.
     */
    public static AwsRequestOverrideConfiguration timeouts(Deadline deadline, long callCap, long attemptCap,
                                                           long minMillis) {
        if (!deadline.allows(minMillis)) {
            return null;
        }
        int call = deadline.timeoutMillis(callCap);
        AwsRequestOverrideConfiguration.Builder timeouts = AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofMillis(call));
        if (attemptCap < call) {
            timeouts.apiCallAttemptTimeout(Duration.ofMillis(attemptCap));
        }
        return timeouts.build();
    }
}
