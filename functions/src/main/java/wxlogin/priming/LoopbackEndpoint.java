package wxlogin.priming;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * SnapStart priming's stand-in for every service a function talks to: a tiny HTTP server on the
 * loopback interface, started and stopped by the priming hook, answering canned JSON (Secrets
 * Manager, DynamoDB, WeChat, the container-credentials endpoint). Never the real services. AWS
 * answers close their connection (the url-connection client's keep-alive cache is the JDK's own,
 * which priming cannot empty), so no pooled connection outlives priming into the snapshot; WeChat
 * answers keep theirs, as WeChat does, and priming shuts the WeChat client down after use.
 */
public final class LoopbackEndpoint implements AutoCloseable {

    /** One canned answer: the JSON body for a request, or null for a 400 (priming then fails loudly, logged). */
    @FunctionalInterface
    public interface Answers {
        /**
         * @param path   the request's path
         * @param target the {@code X-Amz-Target} header (AWS JSON protocols), else null
         * @param body   the request's body
         */
        String answer(String path, String target, String body);
    }

    /** Where the container-credentials provider is pointed during priming. */
    public static final String CREDENTIALS_PATH = "/priming-credentials";

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private LoopbackEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts a server on 127.0.0.1, a free port. */
    public static LoopbackEndpoint start(Answers answers) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new IllegalStateException("priming: no loopback port", e);
        }
        LoopbackEndpoint endpoint = new LoopbackEndpoint(server);
        server.createContext("/", exchange -> endpoint.answer(exchange, answers));
        server.start();
        return endpoint;
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange, Answers answers) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String answer = path.equals(CREDENTIALS_PATH) ? PrimingCredentials.CONTAINER_ANSWER
                    : answers.answer(path, target, body);
            byte[] bytes = (answer == null ? "{}" : answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", target == null ? "application/json"
                    : target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1");
            if (target != null) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            if (target != null && target.startsWith("DynamoDB")) {
                // DynamoDB sends a CRC32 of every answer and the SDK checks it.
                CRC32 crc = new CRC32();
                crc.update(bytes);
                exchange.getResponseHeaders().set("x-amz-crc32", Long.toString(crc.getValue()));
            }
            exchange.sendResponseHeaders(answer == null ? 400 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
