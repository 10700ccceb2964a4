package wxlogin.aws;

// Integration (fast): one signed AWS JSON call over real HTTP against a local stand-in: signing, error codes, retries, time limits.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import wxlogin.common.Env;
import wxlogin.testing.NoCredentials;

class AwsJsonCallTest {

    private static final String TARGET = "DynamoDB_20120810.TransactWriteItems";
    private static final byte[] BODY = "{\"TransactItems\":[]}".getBytes(StandardCharsets.UTF_8);
    /** Three attempts, short pauses, generous timeouts: what each test does not test stays out of the way. */
    private static final AwsJsonCall.Limits LIMITS = new AwsJsonCall.Limits(1_000, 2_000, 1_500, 3, 50, 10, 20);

    /** What the stand-in received. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** How the stand-in answers one request. */
    interface Behaviour {
        void answer(HttpExchange exchange, int index) throws IOException;
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = (exchange, index) -> send(exchange, 200, null, "{}");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new Received(Map.copyOf(exchange.getRequestHeaders()),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                behaviour.answer(exchange, received.size());
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void signsOnePostForTheServiceAndRegionWithTheProtocolsHeaders() throws IOException {
        AwsJsonCall.Answer answer = call().send(TARGET, BODY, 4_000);

        assertThat(answer.ok()).isTrue();
        assertThat(answer.errorCode()).isNull();
        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.header("X-Amz-Target")).isEqualTo(TARGET);
        assertThat(request.header("Content-Type")).isEqualTo("application/x-amz-json-1.0");
        assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                .contains("/ap-east-1/dynamodb/aws4_request").contains("x-amz-target").contains("Signature=");
        assertThat(request.body()).isEqualTo(new String(BODY, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "null, '{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\",\"message\":\"x\"}', ConditionalCheckFailedException",
            "null, '{\"__type\":\"ResourceNotFoundException\"}', ResourceNotFoundException",
            "'ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/', '{}', ValidationException",
            "'com.amazonaws.dynamodb.v20120810#AccessDeniedException', 'not json', AccessDeniedException",
            "null, 'not json', null",
            "null, '{\"message\":\"no type\"}', null"})
    void theErrorCodeComesFromTheHeaderOrTheBodyWithoutNamespace(String header, String body, String code) {
        assertThat(AwsJsonCall.errorCode(header, body.getBytes(StandardCharsets.UTF_8))).isEqualTo(code);
    }

    @ParameterizedTest
    @CsvSource({"400, ProvisionedThroughputExceededException, 3", "400, ThrottlingException, 3",
            "429, TooManyRequestsException, 3", "500, InternalServerError, 3", "503, ServiceUnavailable, 3",
            "400, ValidationException, 1", "400, TransactionCanceledException, 1", "403, AccessDeniedException, 1"})
    void throttlingAnd5xxAreRetriedOtherErrorsAreAnsweredAtOnce(int status, String code, int attempts) throws IOException {
        behaviour = (exchange, index) -> send(exchange, status, null,
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\",\"message\":\"no\"}");

        AwsJsonCall.Answer answer = call().send(TARGET, BODY, 4_000);

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.errorCode()).isEqualTo(code);
        assertThat(received).hasSize(attempts);
    }

    @Test
    void aTransientErrorFollowedBySuccessIsInvisible() throws IOException {
        behaviour = (exchange, index) -> {
            if (index == 1) {
                send(exchange, 500, null, "{\"__type\":\"InternalServerError\"}");
            } else {
                send(exchange, 200, null, "{}");
            }
        };

        assertThat(call().send(TARGET, BODY, 4_000).ok()).isTrue();
        assertThat(received).hasSize(2);
        assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
    }

    @Test
    void aSlowAnswerIsCutOffAtTheAttemptCapAndTheCallEndsInsideItsBudget() {
        behaviour = (exchange, index) -> sleep(5_000);
        AwsJsonCall call = new AwsJsonCall("dynamodb", AwsJsonCall.JSON_1_0, URI.create(base()), "us-east-1",
                credentials(), new AwsJsonCall.Limits(1_000, 2_000, 300, 2, 50, 10, 20));

        long started = System.nanoTime();
        assertThatThrownBy(() -> call.send(TARGET, BODY, 4_000)).isInstanceOf(SocketTimeoutException.class);
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(received).as("two attempts of 300 ms each").hasSize(2);
        assertThat(millis).isBetween(550L, 1_200L);
    }

    @Test
    void noAttemptAndNoPauseRunsPastTheCallersBudget() {
        behaviour = (exchange, index) -> sleep(5_000);

        long started = System.nanoTime();
        assertThatThrownBy(() -> call().send(TARGET, BODY, 400)).isInstanceOf(SocketTimeoutException.class);
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(millis).isBetween(350L, 900L);
        assertThat(received).as("no time left for a second attempt").hasSize(1);
    }

    @Test
    void anAnswerTricklingInSlowerThanTheAttemptAllowsIsCutOffThoughEachReadIsQuick() {
        // Each byte comes well inside the read timeout; the whole answer would take 20 s. An answer this
        // short is one the JDK's keep-alive cleaner takes over on disconnect() instead of closing it, so
        // the reads may end normally on a truncated body (CI once saw exactly that; busy cores make it likely).
        behaviour = (exchange, index) -> {
            exchange.sendResponseHeaders(200, 200);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < 200; i++) {
                out.write('x');
                out.flush();
                if (!sleep(100)) {
                    return;
                }
            }
        };
        AwsJsonCall call = new AwsJsonCall("dynamodb", AwsJsonCall.JSON_1_0, URI.create(base()), "us-east-1",
                credentials(), new AwsJsonCall.Limits(1_000, 2_000, 500, 1, 50, 10, 20));

        long started = System.nanoTime();
        assertThatThrownBy(() -> call.send(TARGET, BODY, 4_000)).isInstanceOf(SocketTimeoutException.class)
                .hasMessage("attempt took longer than 500 ms");
        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(450L, 2_500L);
    }

    @Test
    void anUnreachableEndpointFailsWithTheNetworkErrorAfterTheRetries() {
        int port = server.getAddress().getPort();
        server.stop(0);
        AwsJsonCall call = new AwsJsonCall("dynamodb", AwsJsonCall.JSON_1_0, URI.create("http://127.0.0.1:" + port),
                "us-east-1", credentials(), LIMITS);

        assertThatThrownBy(() -> call.send(TARGET, BODY, 4_000)).isInstanceOfSatisfying(IOException.class,
                e -> assertThat(AwsJsonCall.describe(e)).isEqualTo("ConnectException"));
    }

    @Test
    void noCredentialsIsANetworkLikeFailureThatSendsNothing() {
        IdentityProvider<AwsCredentialsIdentity> none = new NoCredentials();
        AwsJsonCall call = new AwsJsonCall("dynamodb", AwsJsonCall.JSON_1_0, URI.create(base()), "us-east-1", none,
                LIMITS);

        assertThatThrownBy(() -> call.send(TARGET, BODY, 4_000))
                .isInstanceOfSatisfying(AwsJsonCall.NoCredentialsException.class, e -> assertThat(AwsJsonCall.describe(e))
                        .isEqualTo("no AWS credentials (IllegalStateException)"));
        assertThat(received).isEmpty();
    }

    @Test
    void anAnswerLargerThanAnAwsJsonAnswerCanBeIsRefused() {
        behaviour = (exchange, index) -> send(exchange, 200, null, "x".repeat(300 * 1024));

        assertThatThrownBy(() -> call().send(TARGET, BODY, 4_000)).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than");
    }

    @Test
    void theEndpointIsTheServiceOverrideElseTheGlobalOneElseTheRegionsInItsPartition() {
        assertThat(AwsJsonCall.endpoint(new Env(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", "AWS_ENDPOINT_URL", "http://127.0.0.1:9999")),
                "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb")).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(AwsJsonCall.endpoint(new Env(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9999")),
                "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb")).isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(AwsJsonCall.endpoint(new Env(Map.of("AWS_REGION", "cn-northwest-1")), "AWS_ENDPOINT_URL_DYNAMODB",
                "dynamodb")).isEqualTo(URI.create("https://dynamodb.cn-northwest-1.amazonaws.com.cn"));
        assertThat(AwsJsonCall.regionalEndpoint("dynamodb", "us-east-1"))
                .isEqualTo(URI.create("https://dynamodb.us-east-1.amazonaws.com"));
    }

    @Test
    void primingSignsAndParsesWithoutNetwork() {
        AwsJsonCall.prime("dynamodb", AwsJsonCall.JSON_1_0, TARGET, BODY);

        assertThat(received).isEmpty();
    }

    // ---- helpers ----

    private AwsJsonCall call() {
        return new AwsJsonCall("dynamodb", AwsJsonCall.JSON_1_0, URI.create(base()), "ap-east-1", credentials(), LIMITS);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static IdentityProvider<AwsCredentialsIdentity> credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret-key"));
    }

    private static void send(HttpExchange exchange, int status, String errorType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** False when interrupted (the server is stopping). */
    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void theContainerProviderIsOnlyBuiltWhenTheChainReachesIt() {
        AwsJsonCall.LazyContainerCredentials lazy = new AwsJsonCall.LazyContainerCredentials();
        assertThat(lazy.built()).isFalse();
        AwsCredentialsProviderChain chain = AwsCredentialsProviderChain.builder()
                .credentialsProviders(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFIRST", "first")), lazy)
                .build();
        assertThat(chain.resolveCredentials().accessKeyId()).isEqualTo("AKIDFIRST");
        assertThat(lazy.built()).as("an earlier provider answered").isFalse();
        // Reached (no container endpoint configured here): built, and its failure is the SDK provider's own.
        assertThatThrownBy(lazy::resolveCredentials).isInstanceOf(RuntimeException.class);
        assertThat(lazy.built()).isTrue();
    }
}
