package wxlogin.secrets;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import wxlogin.aws.AwsJsonCall;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Env;
import wxlogin.common.JsonObjects;

/**
 * Reads secrets from AWS Secrets Manager with one {@code GetSecretValue} call, signed by the AWS
 * SDK's own SigV4 signer with credentials from the SDK's own providers (see {@link #lambdaCredentials()}),
 * sent with {@link HttpURLConnection} ({@link AwsJsonCall}). The SDK's
 * service client does the same work but costs more start-up time than the rest of a cold start
 * (BENCHMARKS.md). The region and the standard {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} override
 * come from the function's environment.
 *
 * <p>Like the SDK's standard retry mode: at most {@value #MAX_ATTEMPTS} attempts on throttling,
 * HTTP 5xx and network failures, all inside {@value #CALL_TIMEOUT_MILLIS} ms.
 */
public final class SecretsManagerSource implements SecretSource {

    static final String TARGET = "secretsmanager.GetSecretValue";
    static final String CONTENT_TYPE = AwsJsonCall.JSON_1_1;
    static final String SIGNING_NAME = "secretsmanager";
    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    static final int READ_TIMEOUT_MILLIS = 3_000;
    static final long CALL_TIMEOUT_MILLIS = 6_000;
    /** After the service failed, reads fail at once for this long (less than any Retry-After we send). */
    public static final long QUIET_AFTER_FAILURE_MILLIS = 1_000;
    static final int MAX_ATTEMPTS = 3;
    /** An attempt with less time left than this cannot succeed: give up instead. */
    private static final long MIN_ATTEMPT_MILLIS = 200;
    /** No cap per attempt besides the call's; pauses: 100 ms doubling after 5xx and network failures, 500 ms after throttling. */
    private static final AwsJsonCall.Limits LIMITS = new AwsJsonCall.Limits(CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS,
            Long.MAX_VALUE, MAX_ATTEMPTS, MIN_ATTEMPT_MILLIS, 100, 500);
    /** Missing, scheduled for deletion, or not decryptable: only an operator can fix it. */
    private static final Set<String> CONFIGURATION_ERRORS = Set.of("ResourceNotFoundException",
            "InvalidParameterException", "InvalidRequestException", "DecryptionFailureException");

    private volatile long quietUntilNanos = System.nanoTime();
    private final AwsJsonCall secretsManager;

    /**
     * @param endpoint    e.g. {@code https://secretsmanager.us-east-1.amazonaws.com}
     * @param region      the region to sign for
     * @param credentials any SDK credentials provider
     */
    public SecretsManagerSource(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        this.secretsManager = new AwsJsonCall(SIGNING_NAME, CONTENT_TYPE, endpoint, region, credentials, LIMITS);
    }

    /** Region, endpoint override and credentials as the SDK would find them in a Lambda function. */
    public static SecretsManagerSource fromEnvironment(Env env) {
        return fromEnvironment(env, lambdaCredentials());
    }

    /** The same with credentials shared with the function's other AWS call (one credentials fetch per cold start). */
    public static SecretsManagerSource fromEnvironment(Env env, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        return new SecretsManagerSource(AwsJsonCall.endpoint(env, "AWS_ENDPOINT_URL_SECRETS_MANAGER", SIGNING_NAME),
                env.awsRegion(), credentials);
    }

    /** See {@link AwsJsonCall#lambdaCredentials()}. */
    public static AwsCredentialsProviderChain lambdaCredentials() {
        return AwsJsonCall.lambdaCredentials();
    }

    /** {@code https://secretsmanager.<region>.<partition's DNS suffix>} (amazonaws.com.cn in China...). */
    static URI defaultEndpoint(String region) {
        return AwsJsonCall.regionalEndpoint(SIGNING_NAME, region);
    }

    /**
     * SnapStart priming without network: signs a GetSecretValue with throwaway credentials and
     * reads a sample answer and a sample error, so the snapshot holds the signer and the parsing
     * loaded. The credential providers are left alone (the container endpoint is network).
     */
    public static void prime() {
        AwsJsonCall.prime(SIGNING_NAME, CONTENT_TYPE, TARGET, request("priming"));
        secretString("{\"Name\":\"priming\",\"SecretString\":\"{}\"}".getBytes(StandardCharsets.UTF_8), "priming");
    }

    URI endpoint() {
        return secretsManager.endpoint();
    }

    String region() {
        return secretsManager.region();
    }

    @Override
    public String fetch(String secretId) {
        // Secrets are read one after the other: when the service just failed, the next read fails
        // at once instead of waiting out its own timeouts (a warm login serves both from cache).
        if (System.nanoTime() - quietUntilNanos < 0) {
            throw new SecretUnavailableException("Secrets Manager failed moments ago; not asked again yet", null);
        }
        try {
            return fetchNow(secretId);
        } catch (SecretUnavailableException e) {
            quietUntilNanos = System.nanoTime() + QUIET_AFTER_FAILURE_MILLIS * 1_000_000;
            throw e;
        }
    }

    private String fetchNow(String secretId) {
        AwsJsonCall.Answer answer;
        try {
            answer = secretsManager.send(TARGET, request(secretId), CALL_TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new SecretUnavailableException("Secrets Manager unreachable: " + AwsJsonCall.describe(e), e);
        }
        if (answer.status() == 200) {
            return secretString(answer.body(), secretId);
        }
        String code = answer.errorCode();
        if (CONFIGURATION_ERRORS.contains(code)) {
            throw new ConfigurationException("secret " + secretId + " cannot be read: " + code);
        }
        if (answer.status() == 403) {
            throw new ConfigurationException("no permission to read secret " + secretId);
        }
        throw new SecretUnavailableException("Secrets Manager answered HTTP " + answer.status()
                + (code == null ? "" : " " + code), null);
    }

    private static byte[] request(String secretId) {
        return JsonObjects.write(Map.of("SecretId", secretId)).getBytes(StandardCharsets.UTF_8);
    }

    private static String secretString(byte[] body, String secretId) {
        Map<String, Object> answer = JsonObjects.parseOrNull(new String(body, StandardCharsets.UTF_8));
        if (answer == null) {
            throw new SecretUnavailableException("Secrets Manager answered HTTP 200 without a JSON object", null);
        }
        Object value = answer.get("SecretString");
        if (!(value instanceof String secret)) {
            throw new ConfigurationException("secret " + secretId + " has no SecretString");
        }
        return secret;
    }
}
