package wxlogin.secrets;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import wxlogin.aws.AwsClients;
import wxlogin.aws.AwsFailure;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Metrics;

/**
 * Reads secrets with the SDK's {@link SecretsManagerClient} ({@code GetSecretValue}), built once
 * per instance by {@link AwsClients}: the function's region, the standard
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} override, Lambda's credentials, at most
 * {@value #MAX_ATTEMPTS} attempts (the SDK's standard retry mode: throttling, 5xx, network), all
 * inside {@value #CALL_CAP_MILLIS} ms and never past the invocation's deadline.
 *
 * <p>Every failure is sorted here, in {@link #failure}: unavailable ({@link SecretUnavailableException})
 * or misconfigured ({@link ConfigurationException}).
 */
public final class SecretsManagerSource implements SecretSource {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);
    static final long CALL_CAP_MILLIS = 6_000;
    static final int MAX_ATTEMPTS = 3;
    /** Below this much time left, Secrets Manager is not called: the answer would come too late. */
    static final long MIN_CALL_MILLIS = 200;
    /** After the service failed, reads fail at once for this long (less than any Retry-After we send). */
    public static final long QUIET_AFTER_FAILURE_MILLIS = 1_000;
    static final AwsClients.Limits LIMITS = new AwsClients.Limits(CONNECT_TIMEOUT, SOCKET_TIMEOUT, MAX_ATTEMPTS);
    /** Missing, scheduled for deletion, not decryptable, or our request rejected: only an operator can fix it. */
    private static final Set<String> MISCONFIGURATION_ERRORS = Set.of("ResourceNotFoundException",
            "InvalidParameterException", "InvalidRequestException", "DecryptionFailure",
            "DecryptionFailureException", "ValidationException");

    private final SecretsManagerClient client;
    private volatile long quietUntilNanos = System.nanoTime();

    public SecretsManagerSource(SecretsManagerClient client) {
        this.client = client;
    }

    /** The client as {@link AwsClients} builds it, with Lambda's credentials. */
    public static SecretsManagerSource fromEnvironment(Env env) {
        return fromEnvironment(env, AwsClients.lambdaCredentials());
    }

    /** The same with credentials shared with the function's other AWS client (one credentials fetch per cold start). */
    public static SecretsManagerSource fromEnvironment(Env env, AwsCredentialsProvider credentials) {
        return new SecretsManagerSource(AwsClients.build(SecretsManagerClient.builder(), env,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", credentials, LIMITS));
    }

    SecretsManagerClient client() {
        return client;
    }

    @Override
    public String fetch(String secretId) {
        return fetch(secretId, Deadline.in(CALL_CAP_MILLIS, Clock.systemUTC()));
    }

    @Override
    public String fetch(String secretId, Deadline deadline) {
        // Secrets are read one after the other: when the service just failed, the next read fails
        // at once instead of waiting out its own timeouts (a warm login serves both from cache).
        if (System.nanoTime() - quietUntilNanos < 0) {
            throw new SecretUnavailableException("Secrets Manager failed moments ago; not asked again yet", null);
        }
        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, CALL_CAP_MILLIS, CALL_CAP_MILLIS,
                MIN_CALL_MILLIS);
        if (timeouts == null) {
            throw new SecretUnavailableException("no time left for Secrets Manager", null);
        }
        GetSecretValueResponse answer;
        try {
            answer = client.getSecretValue(r -> r.secretId(secretId).overrideConfiguration(timeouts));
        } catch (RuntimeException e) {
            RuntimeException failure = failure(secretId, e);
            if (failure instanceof SecretUnavailableException) {
                quietUntilNanos = System.nanoTime() + QUIET_AFTER_FAILURE_MILLIS * 1_000_000;
            }
            throw failure;
        }
        if (answer.secretString() == null) {
            throw new ConfigurationException("secret " + secretId + " has no SecretString");
        }
        return answer.secretString();
    }

    /** The one place Secrets Manager's failures are sorted: unavailable (503) or misconfigured (500). */
    static RuntimeException failure(String secretId, RuntimeException e) {
        AwsFailure failure = AwsFailure.of(e, MISCONFIGURATION_ERRORS, Metrics.Dependency.SECRETS_MANAGER);
        if (failure == null) {
            throw e;
        }
        if (failure.misconfigured()) {
            // (Set.of(...).contains(null) throws: the code is null when the body was not JSON.)
            boolean unreadable = failure.errorCode() != null && MISCONFIGURATION_ERRORS.contains(failure.errorCode());
            return new ConfigurationException(unreadable ? "secret " + secretId + " cannot be read: " + failure.errorCode()
                    : "no permission to read secret " + secretId + " (" + failure.what() + ")");
        }
        return new SecretUnavailableException("Secrets Manager " + (failure.throttled() ? "throttled: "
                : failure.status() == 0 ? "unreachable: " : "answered ") + failure.what(), null);
    }
}
