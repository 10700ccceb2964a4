// Test support: a local HTTP endpoint that speaks an AWS JSON protocol's wire format with canned answers, for SDK clients in fast tests.
package wxlogin.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * Records every request and answers the n-th (1-based) with {@link #answers}; an optional pause
 * before answering plays a slow service. {@link #stop()} frees the port, so a client then meets a
 * refused connection.
 */
public final class AwsStandIn implements AutoCloseable {

    /** What the stand-in received. */
    public record Received(String path, Map<String, List<String>> headers, String body, long nanoTime) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** An answer: status, content type, body, and an optional {@code x-amzn-ErrorType} header. */
    public record Canned(int status, String contentType, String body, String errorType) {
        public Canned(int status, String contentType, String body) {
            this(status, contentType, body, null);
        }
    }

    private final HttpServer server;
    private final String contentType;
    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, IntFunction<Canned>> otherPaths = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile IntFunction<Canned> answers;
    private volatile long answerAfterMillis;

    /** @param contentType the protocol's, e.g. {@code application/x-amz-json-1.1}; every answer is {@code {}} until told */
    public AwsStandIn(String contentType) throws IOException {
        this.contentType = contentType;
        this.answers = n -> new Canned(200, contentType, "{}");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers the n-th request (1-based) with {@code answers.apply(n)}. */
    public void answer(IntFunction<Canned> answers) {
        this.answers = answers;
    }

    /** Every request gets this JSON error (the protocol's content type). */
    public void alwaysError(int status, String body) {
        answers = n -> new Canned(status, contentType, body);
    }

    /** Requests to {@code path} (e.g. a container credentials endpoint) are answered apart and not recorded. */
    public void answerPath(String path, IntFunction<Canned> answers) {
        otherPaths.put(path, answers);
    }

    public void answerAfter(long millis) {
        answerAfterMillis = millis;
    }

    public void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            IntFunction<Canned> other = otherPaths.get(path);
            if (other != null) {
                send(exchange, other.apply(0));
                return;
            }
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
            int n = received.size();
            if (answerAfterMillis > 0) {
                try {
                    Thread.sleep(answerAfterMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            send(exchange, answers.apply(n));
        }
    }

    private static void send(HttpExchange exchange, Canned canned) throws IOException {
        byte[] bytes = canned.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", canned.contentType());
        if (canned.errorType() != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", canned.errorType());
        }
        exchange.sendResponseHeaders(canned.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
