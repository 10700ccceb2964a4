// Test helper (no tests): a TCP proxy in front of a local AWS endpoint (DynamoDB Local, the local Secrets Manager) that breaks real connections on demand.
package wxlogin.it.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sits between an SDK client and a local endpoint at the TCP level, so the client's pooled
 * connections really break: every client connection gets its own upstream connection, and the
 * proxy reads each HTTP/1.1 request (to tell operations apart by {@code X-Amz-Target} and to
 * answer for the endpoint) but forwards the bytes as they came.
 *
 * <p>Faults apply to every request, or to one operation ({@code GetItem}, {@code GetSecretValue}:
 * the {@code X-Amz-Target} suffix; for a plain HTTP API such as WeChat's, the request's path, e.g.
 * {@code /cgi-bin/stable_token}), for a number of requests or until {@link #heal()}:
 * <ul>
 * <li>{@link #refuse()}: the port is closed (new connections refused) and open ones are reset;</li>
 * <li>{@link #reset()}: the connection is reset when a request arrives, nothing answered;</li>
 * <li>{@link #resetMidAnswer()}: the request reaches the endpoint, half its answer comes back, then a reset;</li>
 * <li>{@link #hang()}: the request is read and never answered;</li>
 * <li>{@link #answer}: the proxy answers itself: 5xx with or without a JSON body, throttling;</li>
 * <li>{@link #loseAnswer()}: the request takes effect, its answer is replaced by a 500.</li>
 * </ul>
 * {@link #resetOpenConnections()} resets every open connection once (a network blip).
 */
public final class FaultProxy implements AutoCloseable {

    /** What to do with a request (or a connection). */
    public sealed interface Fault permits Refuse, Reset, ResetMidAnswer, Hang, Answer, LoseAnswer {
    }

    record Refuse() implements Fault {
    }

    record Reset() implements Fault {
    }

    record ResetMidAnswer() implements Fault {
    }

    record Hang() implements Fault {
    }

    record LoseAnswer() implements Fault {
    }

    /** An answer the proxy gives itself. */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) implements Fault {
    }

    public static Fault refuse() {
        return new Refuse();
    }

    public static Fault reset() {
        return new Reset();
    }

    public static Fault resetMidAnswer() {
        return new ResetMidAnswer();
    }

    public static Fault hang() {
        return new Hang();
    }

    public static Fault loseAnswer() {
        return new LoseAnswer();
    }

    public static Fault answer(int status, String contentType, String body) {
        return new Answer(status, contentType, body, Map.of());
    }

    public static Fault answer(int status, String contentType, String body, Map<String, String> headers) {
        return new Answer(status, contentType, body, headers);
    }

    /** A 5xx error page that is not JSON, as a load balancer or proxy answers. */
    public static Fault plainServerError(int status) {
        return answer(status, "text/plain", "Internal Server Error");
    }

    /** A 5xx with the AWS JSON error body ({@code __type}) of the protocol's version (1.0 DynamoDB, 1.1 Secrets Manager). */
    public static Fault jsonServerError(int status, String awsJsonVersion, String type) {
        return answer(status, "application/x-amz-json-" + awsJsonVersion,
                "{\"__type\":\"" + type + "\",\"message\":\"injected by the test\"}");
    }

    /** DynamoDB's throttling answer. */
    public static Fault dynamoDbThrottling() {
        return answer(400, "application/x-amz-json-1.0", "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                + "ProvisionedThroughputExceededException\",\"message\":\"injected by the test\"}");
    }

    /** Secrets Manager's throttling answer. */
    public static Fault secretsManagerThrottling() {
        return answer(400, "application/x-amz-json-1.1", "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    }

    /** A throttling answer any client understands: 429 with Retry-After. */
    public static Fault tooManyRequests() {
        return answer(429, "text/plain", "Too Many Requests", Map.of("Retry-After", "1"));
    }

    private record Rule(String operation, Fault fault, AtomicInteger remaining) {
    }

    private static final byte[] LOST_ANSWER = "{\"__type\":\"InternalServerError\",\"message\":\"answer lost by the test\"}"
            .getBytes(StandardCharsets.UTF_8);

    private final InetSocketAddress target;
    private final int port;
    private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> faulted = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile ServerSocket listener;
    private volatile CountDownLatch healed = new CountDownLatch(1);
    private volatile boolean closed;

    private FaultProxy(URI target) throws IOException {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.port = listen(0);
    }

    /** A proxy on a free loopback port in front of {@code target} (http://host:port). */
    public static FaultProxy start(URI target) {
        try {
            return new FaultProxy(target);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fault proxy", e);
        }
    }

    /** What the client is pointed at, e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Every request meets the fault until {@link #heal()}. */
    public void fail(Fault fault) {
        fail(null, fault, Integer.MAX_VALUE);
    }

    /** Requests of the operation (the {@code X-Amz-Target} suffix) meet the fault until {@link #heal()}. */
    public void fail(String operation, Fault fault) {
        fail(operation, fault, Integer.MAX_VALUE);
    }

    /** The next {@code times} requests of the operation (null: any) meet the fault. */
    public void fail(String operation, Fault fault, int times) {
        if (fault instanceof Refuse) {
            stopListening();
            resetOpenConnections();
        }
        rules.add(new Rule(operation, fault, new AtomicInteger(times)));
    }

    /** Resets every connection open now; later ones work (unless a fault says otherwise). */
    public void resetOpenConnections() {
        for (Socket socket : open) {
            resetQuietly(socket);
        }
    }

    /** No more faults: the port accepts again, hung requests are dropped, counts start again from zero. */
    public void heal() {
        rules.clear();
        CountDownLatch hung = healed;
        healed = new CountDownLatch(1);
        hung.countDown();
        faulted.clear();
        requests.set(0);
        if (listener == null || listener.isClosed()) {
            try {
                listen(port);
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen on port " + port + " again", e);
            }
        }
    }

    /** Requests that met a fault, of one operation (null: all). */
    public int faulted(String operation) {
        return faulted.getOrDefault(operation == null ? "" : operation, new AtomicInteger()).get();
    }

    /** Requests that reached the proxy since the last {@link #heal()}. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        closed = true;
        stopListening();
        healed.countDown();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    // ------------------------------------------------------------------ connections

    private int listen(int onPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 64);
        listener = server;
        Thread.ofVirtual().name("fault-proxy-accept").start(() -> accept(server));
        return server.getLocalPort();
    }

    private void stopListening() {
        ServerSocket server = listener;
        if (server != null) {
            closeQuietly(server);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().name("fault-proxy-connection").start(() -> serve(client));
            } catch (IOException e) {
                return; // closed: refusing, or the proxy is closed
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            client.setTcpNoDelay(true);
            InputStream fromClient = new BufferedInputStream(client.getInputStream());
            OutputStream toClient = client.getOutputStream();
            InputStream fromUpstream = null;
            while (!closed) {
                HttpMessage request = HttpMessage.read(fromClient, false, false);
                if (request == null) {
                    return; // the client closed its connection
                }
                requests.incrementAndGet();
                String operation = operation(request.header("x-amz-target"), request.startLine());
                Fault fault = faultFor(operation);
                if (fault instanceof Refuse || fault instanceof Reset) {
                    resetQuietly(client);
                    return;
                }
                if (fault instanceof Hang) {
                    awaitHeal();
                    return;
                }
                if (fault instanceof Answer answer) {
                    toClient.write(answer(answer));
                    toClient.flush();
                    continue;
                }
                if (upstream == null) {
                    upstream = new Socket();
                    upstream.connect(target, 2_000);
                    upstream.setTcpNoDelay(true);
                    open.add(upstream);
                    fromUpstream = new BufferedInputStream(upstream.getInputStream());
                }
                upstream.getOutputStream().write(request.bytes());
                upstream.getOutputStream().flush();
                HttpMessage response = HttpMessage.read(fromUpstream, true, request.isHead());
                if (response == null) {
                    resetQuietly(client);
                    return;
                }
                if (fault instanceof ResetMidAnswer) {
                    toClient.write(response.bytes(), 0, response.bytes().length / 2);
                    toClient.flush();
                    resetQuietly(client);
                    return;
                }
                toClient.write(fault instanceof LoseAnswer
                        ? answer(new Answer(500, "application/x-amz-json-1.0", new String(LOST_ANSWER, StandardCharsets.UTF_8), Map.of()))
                        : response.bytes());
                toClient.flush();
                if (request.closes() || response.closes()) {
                    return;
                }
            }
        } catch (IOException e) {
            // A connection broke (often on purpose): drop both sides.
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    private Fault faultFor(String operation) {
        for (Rule rule : rules) {
            if ((rule.operation() == null || rule.operation().equals(operation)) && rule.remaining().getAndDecrement() > 0) {
                faulted.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
                if (!operation.isEmpty()) {
                    faulted.computeIfAbsent("", k -> new AtomicInteger()).incrementAndGet();
                }
                return rule.fault();
            }
        }
        return null;
    }

    private void awaitHeal() {
        try {
            healed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The {@code X-Amz-Target} suffix of an AWS JSON request; for any other request (WeChat), its path without the query. */
    private static String operation(String amzTarget, String startLine) {
        if (amzTarget != null) {
            return amzTarget.substring(amzTarget.indexOf('.') + 1);
        }
        String[] parts = startLine.split(" ");
        if (parts.length < 2 || !parts[1].startsWith("/")) {
            return "";
        }
        int query = parts[1].indexOf('?');
        return query < 0 ? parts[1] : parts[1].substring(0, query);
    }

    private static byte[] answer(Answer answer) {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" Fault\r\n")
                .append("Content-Type: ").append(answer.contentType()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("x-amzn-RequestId: fault-proxy\r\n");
        answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close() then sends RST, not FIN
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do
        }
    }

    /** One HTTP/1.1 message as raw bytes, with its headers parsed (lower-case names). */
    record HttpMessage(byte[] bytes, String startLine, Map<String, String> headers) {

        String header(String name) {
            return headers.get(name);
        }

        boolean isHead() {
            return startLine.startsWith("HEAD ");
        }

        boolean closes() {
            return "close".equalsIgnoreCase(headers.get("connection"));
        }

        /** Null at the end of the stream before a message began. */
        static HttpMessage read(InputStream in, boolean response, boolean toHead) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String startLine = line(in, raw);
            if (startLine == null) {
                return null;
            }
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (String line = line(in, raw); line != null && !line.isEmpty(); line = line(in, raw)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            int status = response ? Integer.parseInt(startLine.split(" ")[1]) : 0;
            boolean noBody = toHead || status / 100 == 1 || status == 204 || status == 304;
            if (noBody) {
                return new HttpMessage(raw.toByteArray(), startLine, headers);
            }
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String size = line(in, raw);
                    if (size == null) {
                        throw new IOException("chunked body cut off");
                    }
                    int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (length == 0) {
                        for (String trailer = line(in, raw); trailer != null && !trailer.isEmpty(); trailer = line(in, raw)) {
                            // trailers are copied as they are
                        }
                        break;
                    }
                    raw.writeBytes(in.readNBytes(length));
                    line(in, raw);
                }
            } else if (headers.containsKey("content-length")) {
                byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
                raw.writeBytes(body);
            } else if (response) {
                raw.writeBytes(in.readAllBytes()); // the body ends with the connection
                headers.put("connection", "close");
            }
            return new HttpMessage(raw.toByteArray(), startLine, headers);
        }

        /** One line without its CRLF (also copied to {@code raw}); null at the end of the stream. */
        private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                raw.write(b);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
                if (line.size() > 65_536) {
                    throw new IOException("line too long");
                }
            }
            return line.size() == 0 ? null : new String(line.toByteArray(), StandardCharsets.ISO_8859_1);
        }
    }
}
