package wxlogin.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A counting HTTP proxy in front of DynamoDB Local: the functions' {@code AWS_ENDPOINT_URL_DYNAMODB}
 * points here. Each request is counted by its operation (the {@code X-Amz-Target} header, e.g.
 * {@code DynamoDB_20120810.TransactWriteItems} counts as {@code TransactWriteItems}) and forwarded
 * unchanged; the answer (status, headers including {@code x-amz-crc32}, body) goes back unchanged.
 * DynamoDB Local does not check signatures, so the changed {@code Host} does not matter.
 */
final class DynamoDbCounter implements AutoCloseable {

    /** Headers the JDK's client sets itself (it refuses them) or that describe this hop only. */
    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "date");

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI target;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    private DynamoDbCounter(URI target) throws IOException {
        this.target = target;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "dynamodb-counter");
            thread.setDaemon(true);
            return thread;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a proxy that forwards to {@code target} (DynamoDB Local's endpoint). */
    static DynamoDbCounter start(URI target) {
        try {
            return new DynamoDbCounter(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: what the functions' {@code AWS_ENDPOINT_URL_DYNAMODB} says. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests forwarded so far, all operations. */
    long calls() {
        return total.get();
    }

    /** Requests forwarded so far, by operation. */
    Map<String, Long> callsByOperation() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((operation, count) -> out.put(operation, count.get()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = amzTarget == null ? exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    : amzTarget.substring(amzTarget.indexOf('.') + 1);
            calls.computeIfAbsent(operation, o -> new AtomicLong()).incrementAndGet();
            total.incrementAndGet();

            HttpURLConnection connection = (HttpURLConnection) target.resolve(exchange.getRequestURI().toString())
                    .toURL().openConnection();
            int status;
            byte[] answer;
            try {
                connection.setRequestMethod(exchange.getRequestMethod());
                connection.setConnectTimeout(5_000);
                connection.setReadTimeout(30_000);
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(v -> connection.addRequestProperty(name, v));
                    }
                });
                if (body.length > 0) {
                    connection.setDoOutput(true);
                    connection.setFixedLengthStreamingMode(body.length);
                    try (OutputStream out = connection.getOutputStream()) {
                        out.write(body);
                    }
                }
                status = connection.getResponseCode();
                try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                    answer = in == null ? new byte[0] : in.readAllBytes();
                }
            } catch (IOException e) {
                String message = e.toString().replace('"', '\'');
                send(exchange, 502, "{\"__type\":\"bench#ProxyError\",\"message\":\"" + message + "\"}");
                return;
            }
            connection.getHeaderFields().forEach((name, values) -> {
                if (name != null && !HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
