// Test helper (no tests): a proxy in front of DynamoDB Local that throttles or fails chosen operations.
package wxlogin.it.session;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards DynamoDB's JSON protocol to a real endpoint unless the operation (the X-Amz-Target
 * suffix: GetItem, TransactWriteItems...) is set to fail. Failures are DynamoDB's own answers:
 * throttling is HTTP 400 ProvisionedThroughputExceededException, an outage HTTP 500. A lost
 * answer is a request that reached DynamoDB (and took effect) whose answer is replaced by a 500.
 */
final class FaultyDynamoDb implements AutoCloseable {

    enum Fault { THROTTLE, INTERNAL_ERROR }

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final URI target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answersToLose = new ConcurrentHashMap<>();

    FaultyDynamoDb(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void fail(String operation, Fault fault) {
        faults.put(operation, fault);
    }

    /** The next {@code count} calls of the operation reach DynamoDB, but their answers are lost (a 500 instead). */
    void loseNextAnswers(String operation, int count) {
        answersToLose.put(operation, new AtomicInteger(count));
    }

    /** No more faults; the failure counts start again from zero. */
    void heal() {
        faults.clear();
        failed.clear();
        answersToLose.clear();
    }

    /** How many calls of the operation were answered with a fault. */
    int failures(String operation) {
        return failed.getOrDefault(operation, new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = amzTarget == null ? "" : amzTarget.substring(amzTarget.indexOf('.') + 1);
            Fault fault = faults.get(operation);
            if (fault != null) {
                failed.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
                answerError(exchange, fault);
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getRawPath()))
                    .timeout(Duration.ofSeconds(5))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> forward.header(name, v));
                }
            });
            HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            AtomicInteger toLose = answersToLose.get(operation);
            if (toLose != null && toLose.getAndDecrement() > 0) {
                failed.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
                answerError(exchange, Fault.INTERNAL_ERROR);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answerError(HttpExchange exchange, Fault fault) throws IOException {
        String type = fault == Fault.THROTTLE ? "ProvisionedThroughputExceededException" : "InternalServerError";
        byte[] error = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type
                + "\",\"message\":\"injected by the test\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(fault == Fault.THROTTLE ? 400 : 500, error.length);
        exchange.getResponseBody().write(error);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
