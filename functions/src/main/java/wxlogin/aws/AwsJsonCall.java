package wxlogin.aws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
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
import wxlogin.common.Env;
import wxlogin.common.JsonObjects;

/**
 * One AWS service endpoint spoken to in the AWS JSON 1.0/1.1 protocols ({@code POST /} with an
 * {@code X-Amz-Target} header) without the SDK's service client: each request is signed by the
 * SDK's own SigV4 signer with credentials from the SDK's own providers and sent with
 * {@link HttpURLConnection}. The service clients do the same work but cost more start-up time than
 * the rest of a cold start (AWS.md, BENCHMARKS.md); the signer and the providers cost far less.
 *
 * <p>Like the SDK's standard retry mode: throttling (the SDK's throttling error codes, HTTP 429),
 * HTTP 5xx and network failures are retried with a jittered pause, at most
 * {@link Limits#maxAttempts()} attempts, all inside the budget the caller gives each call (its cap,
 * never past its deadline): connect and read timeouts are cut to the time left, no pause or new
 * attempt starts without enough of it, and a watchdog closes the connection of an attempt that
 * outlives its time (an answer trickling in). Every other answer goes back to the caller, who maps
 * the service's error codes.
 *
 * <p>Nothing here logs; error codes are read from {@code x-amzn-ErrorType} or the body's
 * {@code __type}, never the service's message (a message may quote a key).
 */
public final class AwsJsonCall {

    public static final String JSON_1_0 = "application/x-amz-json-1.0";
    public static final String JSON_1_1 = "application/x-amz-json-1.1";

    /**
     * Error codes retried as throttling: the SDK's ({@code AwsErrorCode.THROTTLING_ERROR_CODES})
     * and PriorRequestNotComplete.
     */
    public static final Set<String> THROTTLING_ERRORS = Set.of("ThrottlingException", "Throttling",
            "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
            "RequestThrottledException", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
            "TransactionInProgressException", "BandwidthLimitExceeded", "ProvisionedThroughputExceededException");
    private static final int MAX_ANSWER_BYTES = 256 * 1024;

    /**
     * Timeouts of one attempt and the retry schedule.
     *
     * @param connectTimeoutMillis  cap for connecting
     * @param readTimeoutMillis     cap for each blocking read
     * @param attemptTimeoutMillis  cap for a whole attempt (connect, send, read); {@link Long#MAX_VALUE}: none
     *                              besides the call's budget
     * @param maxAttempts           attempts per call, the first included
     * @param minAttemptMillis      an attempt with less time left than this cannot succeed: give up instead
     * @param backoffBaseMillis     pause before the 2nd attempt after a 5xx or network failure, doubling
     *                              after each further one (half fixed, half random)
     * @param throttledBackoffMillis pause after throttling (half fixed, half random)
     */
    public record Limits(int connectTimeoutMillis, int readTimeoutMillis, long attemptTimeoutMillis, int maxAttempts,
                         long minAttemptMillis, long backoffBaseMillis, long throttledBackoffMillis) {
    }

    /**
     * The final answer of a call: a success, an error that is not retried, or the last retryable
     * one when attempts or time ran out.
     *
     * @param errorCode the AWS error code without namespace ({@code ResourceNotFoundException}); null on success
     */
    public record Answer(int status, String errorCode, byte[] body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** Throttling as the SDK defines it: a throttling error code or HTTP 429. */
        public boolean throttled() {
            return status == 429 || (errorCode != null && THROTTLING_ERRORS.contains(errorCode));
        }

        /** The body as a JSON object. */
        public Map<String, Object> json() throws ParseException {
            Map<String, Object> json = JsonObjects.parseOrNull(new String(body, StandardCharsets.UTF_8));
            if (json == null) {
                throw new ParseException("not a JSON object", 0);
            }
            return json;
        }
    }

    /** The SDK's provider chain found no credentials, or the container endpoint failed. */
    public static final class NoCredentialsException extends IOException {
        NoCredentialsException(RuntimeException cause) {
            super("no AWS credentials (" + (cause.getCause() != null ? cause.getCause() : cause).getClass().getSimpleName()
                    + ")", cause);
        }
    }

    private final String signingName;
    private final String contentType;
    private final URI endpoint;
    private final String region;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final Limits limits;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param signingName the service's SigV4 name ({@code secretsmanager}, {@code dynamodb})
     * @param contentType {@link #JSON_1_0} or {@link #JSON_1_1}
     * @param endpoint    e.g. {@code https://dynamodb.us-east-1.amazonaws.com}
     * @param region      the region to sign for
     * @param credentials any SDK credentials provider
     */
    public AwsJsonCall(String signingName, String contentType, URI endpoint, String region,
                       IdentityProvider<? extends AwsCredentialsIdentity> credentials, Limits limits) {
        this.signingName = signingName;
        this.contentType = contentType;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.limits = limits;
    }

    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    // ------------------------------------------------------------------ where and as whom

    /**
     * The SDK's standard endpoint override for a service (e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}),
     * else {@code AWS_ENDPOINT_URL}, else the region's own endpoint {@link #regionalEndpoint}.
     */
    public static URI endpoint(Env env, String overrideVariable, String endpointPrefix) {
        String override = env.awsEndpointOverride(overrideVariable);
        return override != null ? URI.create(override) : regionalEndpoint(endpointPrefix, env.awsRegion());
    }

    /** {@code https://<prefix>.<region>.<partition's DNS suffix>} (amazonaws.com.cn in China...). */
    public static URI regionalEndpoint(String endpointPrefix, String region) {
        return URI.create("https://" + endpointPrefix + "." + region + "." + PartitionMetadata.of(Region.of(region)).dnsSuffix());
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
                        new LazyContainerCredentials())
                .build();
    }

    /**
     * The SDK's {@link ContainerCredentialsProvider}, built when the chain first reaches it:
     * building it loads the SDK's JSON parser, which a function with credentials in environment
     * variables (on demand, without SnapStart) never needs.
     */
    static final class LazyContainerCredentials implements AwsCredentialsProvider {
        private volatile ContainerCredentialsProvider provider;

        @Override
        public AwsCredentials resolveCredentials() {
            return provider().resolveCredentials();
        }

        boolean built() {
            return provider != null;
        }

        private ContainerCredentialsProvider provider() {
            ContainerCredentialsProvider built = provider;
            if (built == null) {
                synchronized (this) {
                    built = provider;
                    if (built == null) {
                        built = ContainerCredentialsProvider.builder().build();
                        provider = built;
                    }
                }
            }
            return built;
        }

        @Override
        public String toString() {
            return "ContainerCredentialsProvider(built on first use)";
        }
    }

    // ------------------------------------------------------------------ one call

    /**
     * Sends one request, retrying as the class describes.
     *
     * @param target       the {@code X-Amz-Target} header, e.g. {@code DynamoDB_20120810.TransactWriteItems}
     * @param body         the JSON request
     * @param budgetMillis the whole call's time, pauses included: the caller's cap, never past its deadline
     * @return the final answer (any status)
     * @throws IOException the last attempt failed without an answer (network, timeout, no credentials:
     *                     {@link NoCredentialsException}); {@link #describe} says which without details
     */
    public Answer send(String target, byte[] body, long budgetMillis) throws IOException {
        long giveUpAt = System.nanoTime() + Math.max(0, budgetMillis) * 1_000_000;
        for (int attempt = 1; ; attempt++) {
            long remaining = (giveUpAt - System.nanoTime()) / 1_000_000;
            long attemptMillis = Math.max(1, Math.min(limits.attemptTimeoutMillis(), remaining));
            Answer answer;
            try {
                answer = attempt(target, body, attemptMillis);
            } catch (IOException e) {
                if (retry(attempt, giveUpAt, limits.backoffBaseMillis() << (attempt - 1))) {
                    continue;
                }
                throw e;
            }
            if (answer.ok()) {
                return answer;
            }
            boolean throttled = answer.throttled();
            if ((throttled || answer.status() >= 500)
                    && retry(attempt, giveUpAt, throttled ? limits.throttledBackoffMillis()
                    : limits.backoffBaseMillis() << (attempt - 1))) {
                continue;
            }
            return answer;
        }
    }

    /** What failed, for a message: the exception's type, or "no AWS credentials (...)"; never its text. */
    public static String describe(IOException e) {
        return e instanceof NoCredentialsException ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Whether to try again: attempts left and time left after a jittered pause (which it takes). */
    private boolean retry(int attempt, long giveUpAtNanos, long baseDelayMillis) {
        if (attempt >= limits.maxAttempts()) {
            return false;
        }
        long delay = baseDelayMillis / 2 + ThreadLocalRandom.current().nextLong(baseDelayMillis / 2 + 1);
        if ((giveUpAtNanos - System.nanoTime()) / 1_000_000 < delay + limits.minAttemptMillis()) {
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

    /** One signed POST within {@code attemptMillis}; the credentials are resolved (and cached) by the SDK's provider. */
    private Answer attempt(String target, byte[] body, long attemptMillis) throws IOException {
        AwsCredentialsIdentity identity;
        try {
            identity = credentials.resolveIdentity().join();
        } catch (RuntimeException e) {
            // Transient as far as a caller can tell (the container endpoint may answer next time).
            throw new NoCredentialsException(e);
        }
        SdkHttpRequest signed = sign(signer, identity, endpoint, region, signingName, contentType, target, body);

        HttpURLConnection connection = (HttpURLConnection) signed.getUri().toURL().openConnection();
        Watchdog watchdog = Watchdog.start(connection, attemptMillis);
        try {
            connection.setConnectTimeout((int) Math.min(limits.connectTimeoutMillis(), attemptMillis));
            connection.setReadTimeout((int) Math.min(limits.readTimeoutMillis(), attemptMillis));
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
            if (watchdog.fired()) {
                // It fired while connecting, when there was no connection yet to close.
                throw new SocketTimeoutException("attempt took longer than " + attemptMillis + " ms");
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String errorType = connection.getHeaderField("x-amzn-ErrorType");
            byte[] answer = readLimited(in, watchdog);
            if (watchdog.fired()) {
                // disconnect() may hand a half-read answer to the JDK's keep-alive cleaner instead of
                // closing it, and the reads here then end normally on a truncated body.
                throw new SocketTimeoutException("attempt took longer than " + attemptMillis + " ms");
            }
            return new Answer(status, status >= 300 ? errorCode(errorType, answer) : null, answer);
        } catch (IOException e) {
            if (watchdog.fired()) {
                throw new SocketTimeoutException("attempt took longer than " + attemptMillis + " ms");
            }
            throw e;
        } finally {
            watchdog.cancel();
            // A connection whose answer was read to the end has normally gone back to the JDK's keep-alive
            // cache by now and serves the next call; any other is closed.
            connection.disconnect();
        }
    }

    private static SdkHttpRequest sign(AwsV4HttpSigner signer, AwsCredentialsIdentity identity, URI endpoint,
                                       String region, String signingName, String contentType, String target,
                                       byte[] body) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", contentType)
                .putHeader("X-Amz-Target", target)
                .build();
        return signer.sign(r -> r.identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)).request();
    }

    /**
     * SnapStart priming without network: signs a sample request with throwaway credentials and
     * reads a sample error, so the snapshot holds the signer and the parsing loaded. The credential
     * providers are left alone (the container endpoint is network).
     */
    public static void prime(String signingName, String contentType, String target, byte[] body) {
        SdkHttpRequest signed = sign(AwsV4HttpSigner.create(), AwsCredentialsIdentity.create("AKIDPRIMING", "priming-secret-key"),
                URI.create("https://" + signingName + ".us-east-1.amazonaws.com"), "us-east-1", signingName, contentType,
                target, body);
        if (signed.firstMatchingHeader("Authorization").isEmpty()) {
            throw new IllegalStateException("priming: the signer added no Authorization header");
        }
        errorCode(null, "{\"__type\":\"com.amazonaws.priming#ResourceNotFoundException\"}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The AWS error code: {@code x-amzn-ErrorType} or the body's {@code __type}, without the
     * namespace ({@code com.amazonaws.dynamodb.v20120810#...}) or the URL after a colon.
     */
    public static String errorCode(String errorTypeHeader, byte[] body) {
        String type = errorTypeHeader;
        if (type == null || type.isBlank()) {
            type = JsonObjects.text(JsonObjects.parseOrNull(new String(body, StandardCharsets.UTF_8)), "__type");
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

    private static byte[] readLimited(InputStream in, Watchdog watchdog) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (watchdog.fired()) {
                    throw new SocketTimeoutException("attempt cut off while reading the answer");
                }
                if (out.size() + n > MAX_ANSWER_BYTES) {
                    throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /**
     * Ends an attempt that outlives its time by closing its connection (as the SDK aborts an
     * attempt past {@code apiCallAttemptTimeout}): read timeouts bound each read, not a slow
     * answer as a whole. One daemon timer thread, started by the first call.
     */
    private static final class Watchdog extends TimerTask {

        private static final class Holder {
            static final Timer TIMER = new Timer("aws-json-call-watchdog", true);
        }

        private final HttpURLConnection connection;
        private volatile boolean fired;

        private Watchdog(HttpURLConnection connection) {
            this.connection = connection;
        }

        static Watchdog start(HttpURLConnection connection, long millis) {
            Watchdog watchdog = new Watchdog(connection);
            Holder.TIMER.schedule(watchdog, Math.max(1, millis));
            return watchdog;
        }

        @Override
        public void run() {
            fired = true;
            connection.disconnect();
        }

        boolean fired() {
            return fired;
        }
    }
}
