package wxlogin.secrets;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Env;

/**
 * Reads secrets from AWS Secrets Manager with one {@code GetSecretValue} call, signed by the AWS
 * SDK's own SigV4 signer with credentials from the SDK's own providers (see {@link #lambdaCredentials()}),
 * sent with {@link HttpURLConnection}. The SDK's
 * service client does the same work but costs more start-up time than the rest of a cold start
 * (BENCHMARKS.md). The region and the standard {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} override
 * come from the function's environment.
 *
 * <p>Like the SDK's standard retry mode: at most {@value #MAX_ATTEMPTS} attempts on throttling,
 * HTTP 5xx and network failures, all inside {@value #CALL_TIMEOUT_MILLIS} ms.
 */
public final class SecretsManagerSource implements SecretSource {

    static final String TARGET = "secretsmanager.GetSecretValue";
    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final String SIGNING_NAME = "secretsmanager";
    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    static final int READ_TIMEOUT_MILLIS = 3_000;
    static final long CALL_TIMEOUT_MILLIS = 6_000;
    /** After the service failed, reads fail at once for this long (less than any Retry-After we send). */
    public static final long QUIET_AFTER_FAILURE_MILLIS = 1_000;
    static final int MAX_ATTEMPTS = 3;
    /** An attempt with less time left than this cannot succeed: give up instead. */
    private static final long MIN_ATTEMPT_MILLIS = 200;
    private static final int MAX_ANSWER_BYTES = 256 * 1024;
    /** Missing, scheduled for deletion, or not decryptable: only an operator can fix it. */
    private static final Set<String> CONFIGURATION_ERRORS = Set.of("ResourceNotFoundException",
            "InvalidParameterException", "InvalidRequestException", "DecryptionFailureException");
    private static final Set<String> THROTTLING_ERRORS = Set.of("ThrottlingException", "Throttling",
            "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
            "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException");

    private volatile long quietUntilNanos = System.nanoTime();
    private final URI endpoint;
    private final String region;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param endpoint    e.g. {@code https://secretsmanager.us-east-1.amazonaws.com}
     * @param region      the region to sign for
     * @param credentials any SDK credentials provider
     */
    public SecretsManagerSource(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
    }

    /** Region, endpoint override and credentials as the SDK would find them in a Lambda function. */
    public static SecretsManagerSource fromEnvironment(Env env) {
        String region = env.awsRegion();
        String override = env.awsEndpointOverride("AWS_ENDPOINT_URL_SECRETS_MANAGER");
        return new SecretsManagerSource(override != null ? URI.create(override) : defaultEndpoint(region), region,
                lambdaCredentials());
    }

    /**
     * The part of the SDK's default chain that can answer in Lambda, in the same order: system
     * properties (tests, the local API), environment variables (on-demand functions,
     * {@code sam local invoke}) and the container endpoint (SnapStart functions). Profile files, web
     * identity and EC2 instance metadata never answer there and cost start-up time to rule out.
     */
    public static AwsCredentialsProviderChain lambdaCredentials() {
        return AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(SystemPropertyCredentialsProvider.create(),
                        EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .build();
    }

    /** {@code https://secretsmanager.<region>.<partition's DNS suffix>} (amazonaws.com.cn in China...). */
    static URI defaultEndpoint(String region) {
        return URI.create("https://secretsmanager." + region + "." + PartitionMetadata.of(Region.of(region)).dnsSuffix());
    }

    /**
     * SnapStart priming without network: signs a GetSecretValue with throwaway credentials and
     * reads a sample answer and a sample error, so the snapshot holds the signer and the parsing
     * loaded. The credential providers are left alone (the container endpoint is network).
     */
    public static void prime() {
        byte[] body = JSONObjectUtils.toJSONString(Map.of("SecretId", "priming")).getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("AKIDPRIMING", "priming-secret-key"))
                .request(request(URI.create("https://secretsmanager.us-east-1.amazonaws.com")))
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        if (signed.firstMatchingHeader("Authorization").isEmpty()) {
            throw new IllegalStateException("priming: the signer added no Authorization header");
        }
        secretString(new Answer(200, null, "{\"Name\":\"priming\",\"SecretString\":\"{}\"}".getBytes(StandardCharsets.UTF_8)),
                "priming");
        errorCode(new Answer(400, null, "{\"__type\":\"ResourceNotFoundException\"}".getBytes(StandardCharsets.UTF_8)));
    }

    URI endpoint() {
        return endpoint;
    }

    String region() {
        return region;
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
        byte[] body = JSONObjectUtils.toJSONString(Map.of("SecretId", secretId)).getBytes(StandardCharsets.UTF_8);
        long giveUpAt = System.nanoTime() + CALL_TIMEOUT_MILLIS * 1_000_000;
        for (int attempt = 1; ; attempt++) {
            long remaining = (giveUpAt - System.nanoTime()) / 1_000_000;
            Answer answer;
            try {
                answer = send(body, (int) Math.min(READ_TIMEOUT_MILLIS, remaining));
            } catch (IOException e) {
                if (retry(attempt, giveUpAt, 100L << (attempt - 1))) {
                    continue;
                }
                throw new SecretUnavailableException("Secrets Manager unreachable: "
                        + (e instanceof NoCredentials ? e.getMessage() : e.getClass().getSimpleName()), e);
            }
            if (answer.status() == 200) {
                return secretString(answer, secretId);
            }
            String code = errorCode(answer);
            if (CONFIGURATION_ERRORS.contains(code)) {
                throw new ConfigurationException("secret " + secretId + " cannot be read: " + code);
            }
            if (answer.status() == 403) {
                throw new ConfigurationException("no permission to read secret " + secretId);
            }
            boolean throttled = THROTTLING_ERRORS.contains(code) || answer.status() == 429;
            if ((throttled || answer.status() >= 500) && retry(attempt, giveUpAt, throttled ? 500 : 100L << (attempt - 1))) {
                continue;
            }
            throw new SecretUnavailableException("Secrets Manager answered HTTP " + answer.status()
                    + (code == null ? "" : " " + code), null);
        }
    }

    private record Answer(int status, String errorTypeHeader, byte[] body) {
    }

    /** The SDK's provider chain found no credentials, or the container endpoint failed. */
    private static final class NoCredentials extends IOException {
        NoCredentials(RuntimeException cause) {
            super("no AWS credentials (" + (cause.getCause() != null ? cause.getCause() : cause).getClass().getSimpleName()
                    + ")", cause);
        }
    }

    /** One signed POST; the credentials are resolved (and cached) by the SDK's provider. */
    private Answer send(byte[] body, int readTimeoutMillis) throws IOException {
        AwsCredentialsIdentity identity;
        try {
            identity = credentials.resolveIdentity().join();
        } catch (RuntimeException e) {
            // Transient as far as a caller can tell (the container endpoint may answer next time).
            throw new NoCredentials(e);
        }
        SdkHttpRequest signed = signer.sign(r -> r.identity(identity)
                .request(request(endpoint))
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)).request();

        HttpURLConnection connection = (HttpURLConnection) signed.getUri().toURL().openConnection();
        try {
            connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            connection.setReadTimeout(Math.max(1, readTimeoutMillis));
            connection.setRequestMethod("POST");
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setDoOutput(true);
            // Streaming mode: the JDK never re-sends a POST whose connection broke.
            connection.setFixedLengthStreamingMode(body.length);
            for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
                // The JDK writes Host and Content-Length itself, to the same values that were signed.
                if (!header.getKey().equalsIgnoreCase("Host") && !header.getKey().equalsIgnoreCase("Content-Length")) {
                    connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
                }
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Answer(status, connection.getHeaderField("x-amzn-ErrorType"), readLimited(in));
        } finally {
            connection.disconnect();
        }
    }

    private static SdkHttpRequest request(URI endpoint) {
        return SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET)
                .build();
    }

    private static String secretString(Answer answer, String secretId) {
        Object value;
        try {
            value = JSONObjectUtils.parse(new String(answer.body(), StandardCharsets.UTF_8)).get("SecretString");
        } catch (ParseException e) {
            throw new SecretUnavailableException("Secrets Manager answered HTTP 200 without a JSON object", null);
        }
        if (!(value instanceof String secret)) {
            throw new ConfigurationException("secret " + secretId + " has no SecretString");
        }
        return secret;
    }

    /** The AWS error code: {@code x-amzn-ErrorType} or the body's {@code __type}, without namespace or URL. */
    private static String errorCode(Answer answer) {
        String type = answer.errorTypeHeader();
        if (type == null || type.isBlank()) {
            try {
                Object fromBody = JSONObjectUtils.parse(new String(answer.body(), StandardCharsets.UTF_8)).get("__type");
                type = fromBody instanceof String s ? s : null;
            } catch (ParseException e) {
                type = null;
            }
        }
        if (type == null || type.isBlank()) {
            return null;
        }
        int colon = type.indexOf(':');
        if (colon >= 0) {
            type = type.substring(0, colon);
        }
        return type.substring(type.lastIndexOf('#') + 1).trim();
    }

    /** Whether to try again: attempts left and time left after a jittered pause (which it takes). */
    private static boolean retry(int attempt, long giveUpAtNanos, long baseDelayMillis) {
        if (attempt >= MAX_ATTEMPTS) {
            return false;
        }
        long delay = baseDelayMillis / 2 + ThreadLocalRandom.current().nextLong(baseDelayMillis / 2 + 1);
        if ((giveUpAtNanos - System.nanoTime()) / 1_000_000 < delay + MIN_ATTEMPT_MILLIS) {
            return false;
        }
        try {
            Thread.sleep(delay);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + n > MAX_ANSWER_BYTES) {
                    throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
