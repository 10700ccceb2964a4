package wxlogin.local.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wire protocol AWS's JSON services share, for local stand-ins: {@code POST /} with
 * {@code Content-Type: application/x-amz-json-1.1} (1.0 for DynamoDB) and {@code X-Amz-Target: <prefix>.<Operation>},
 * a SigV4 {@code Authorization} header scoped to the service (the signature itself is not
 * verified: any access key works; the point is that the caller takes the signed path it takes in
 * AWS), errors as {@code {"__type", "message"}} with AWS's statuses, injected faults and call
 * counters. A subclass answers the operations.
 */
public abstract class AwsJsonEndpoint implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final Pattern CREDENTIAL_SCOPE =
            Pattern.compile("Credential=[^/,\\s]+/\\d{8}/[^/,\\s]+/([^/,\\s]+)/aws4_request");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String signingName;
    private final String targetPrefix;
    private final String internalErrorType;
    /** {@code application/x-amz-json-1.1}, or 1.0 for DynamoDB. */
    private final String contentType;
    private final LongAdder totalCalls = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> callsByOperation = new ConcurrentHashMap<>();
    private final Deque<AwsFault> faults = new ArrayDeque<>(); // guarded by itself
    private volatile boolean down;

    /** An AWS error answer, thrown from operation handlers to keep them linear. */
    protected static final class AwsError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;
        /** More members of the error body (e.g. DynamoDB's CancellationReasons), or null. */
        final ObjectNode details;

        public AwsError(int status, String type, String message) {
            this(status, type, message, null);
        }

        public AwsError(int status, String type, String message, ObjectNode details) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.details = details;
        }
    }

    /**
     * @param signingName the service in the SigV4 credential scope, e.g. {@code events}
     * @param targetPrefix the X-Amz-Target prefix, e.g. {@code AWSEvents}
     * @param internalErrorType the service's {@code __type} for a 500, e.g. {@code InternalException}
     */
    protected AwsJsonEndpoint(int port, String signingName, String targetPrefix, String internalErrorType)
            throws IOException {
        this(port, signingName, targetPrefix, internalErrorType, JSON_1_1);
    }

    /** @param contentType the protocol's content type: {@code application/x-amz-json-1.0} for DynamoDB */
    protected AwsJsonEndpoint(int port, String signingName, String targetPrefix, String internalErrorType,
                              String contentType) throws IOException {
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.signingName = Objects.requireNonNull(signingName, "signingName");
        this.targetPrefix = Objects.requireNonNull(targetPrefix, "targetPrefix") + ".";
        this.internalErrorType = Objects.requireNonNull(internalErrorType, "internalErrorType");
        AtomicInteger threadCount = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, signingName + "-endpoint-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers one operation's request (a JSON object), or throws {@link AwsError}. */
    protected abstract JsonNode operation(String operation, JsonNode request);

    /** e.g. {@code http://127.0.0.1:54321}: the value for the SDK's endpoint override. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every request received, whatever its outcome. */
    public long calls() {
        return totalCalls.sum();
    }

    /** Requests received for {@code operation}. */
    public long calls(String operation) {
        LongAdder adder = callsByOperation.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    public void resetCounters() {
        totalCalls.reset();
        callsByOperation.clear();
    }

    /** The next {@code times} authenticated requests get {@code fault}; calls queue up. */
    public void failNext(int times, AwsFault fault) {
        Objects.requireNonNull(fault, "fault");
        if (times < 1) throw new IllegalArgumentException("times must be >= 1");
        synchronized (faults) {
            for (int i = 0; i < times; i++) faults.add(fault);
        }
    }

    public void clearFaults() {
        synchronized (faults) {
            faults.clear();
        }
    }

    /** While down, every request gets HTTP 503 ServiceUnavailableException. */
    public void setDown(boolean down) {
        this.down = down;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            totalCalls.increment();
            String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
            String operation = target.startsWith(targetPrefix) ? target.substring(targetPrefix.length()) : "";
            if (!operation.isEmpty()) callsByOperation.computeIfAbsent(operation, o -> new LongAdder()).increment();
            byte[] body = exchange.getRequestBody().readNBytes(MAX_REQUEST_BYTES);
            send(exchange, answer(exchange, operation, body));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            exchange.close();
        }
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer answer(HttpExchange exchange, String operation, byte[] body) throws InterruptedException {
        try {
            if (down) throw new AwsError(503, "ServiceUnavailableException", "Service Unavailable");
            checkAuthorization(exchange.getRequestHeaders().getFirst("Authorization"));
            AwsFault fault;
            synchronized (faults) {
                fault = faults.poll();
            }
            if (fault != null) {
                switch (fault.kind()) {
                    case THROTTLING -> throw new AwsError(400, "ThrottlingException", "Rate exceeded");
                    case INTERNAL -> throw new AwsError(500, internalErrorType, "An error occurred on the server side.");
                    case SLOW -> Thread.sleep(fault.millis());
                }
            }
            checkProtocol(exchange);
            if (operation.isEmpty()) {
                throw new AwsError(400, "UnknownOperationException", "Unknown X-Amz-Target: '"
                        + exchange.getRequestHeaders().getFirst("X-Amz-Target") + "'.");
            }
            return new Answer(200, operation(operation, parse(body)));
        } catch (AwsError e) {
            ObjectNode error = JSON.createObjectNode();
            error.put("__type", e.type);
            error.put("message", e.getMessage());
            if (e.details != null) {
                error.setAll(e.details);
            }
            return new Answer(e.status, error);
        } catch (RuntimeException e) {
            // An endpoint bug: answer like AWS's own internal failures instead of dropping the connection.
            ObjectNode error = JSON.createObjectNode();
            error.put("__type", internalErrorType);
            error.put("message", "local endpoint bug: " + e);
            return new Answer(500, error);
        }
    }

    private void checkAuthorization(String authorization) {
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256")) {
            throw new AwsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        // A request signed for another service would be rejected by AWS; catch that here too.
        Matcher scope = CREDENTIAL_SCOPE.matcher(authorization);
        if (!scope.find()) {
            throw new AwsError(400, "IncompleteSignatureException",
                    "Authorization header requires a Credential=<key>/<date>/<region>/<service>/aws4_request parameter.");
        }
        if (!signingName.equals(scope.group(1))) {
            throw new AwsError(403, "InvalidSignatureException",
                    "Credential should be scoped to correct service: '" + signingName + "'.");
        }
    }

    private void checkProtocol(HttpExchange exchange) {
        String sent = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        boolean protocol = sent.split(";")[0].trim().equalsIgnoreCase(contentType);
        if (!"POST".equals(exchange.getRequestMethod()) || !"/".equals(exchange.getRequestURI().getPath()) || !protocol) {
            throw new AwsError(400, "UnknownOperationException", "Expected POST / with Content-Type " + contentType
                    + " and X-Amz-Target " + targetPrefix + "<Operation>.");
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || node.isMissingNode()) return JSON.createObjectNode();
            if (!node.isObject()) throw new AwsError(400, "SerializationException", "Request body must be a JSON object.");
            return node;
        } catch (IOException e) {
            throw new AwsError(400, "SerializationException", "Request body is not valid JSON.");
        }
    }

    private void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(answer.body());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
