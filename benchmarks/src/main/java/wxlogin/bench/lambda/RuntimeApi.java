package wxlogin.bench.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local emulator of the Lambda Runtime API (version 2018-06-01) for one runtime process:
 * {@code GET /runtime/invocation/next} hands out queued events with Lambda's headers,
 * {@code POST /runtime/invocation/{id}/response|error} and {@code POST /runtime/init/error}
 * complete them, each stamped with {@link System#nanoTime()} on arrival. For a runtime started
 * with {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start} it also answers
 * {@code GET /runtime/restore/next}, which the runtime client sends after {@code beforeCheckpoint}:
 * the answer, given when the harness calls {@link #restore()}, stands for Lambda's restore (the
 * runtime client then runs {@code afterRestore} and asks for the first event). It also serves
 * Lambda's container credentials endpoint (what SnapStart functions get instead of key
 * variables), counting its calls.
 *
 * <p>One emulator per process: a killed runtime's pending {@code next} must never take the
 * next run's event.
 */
public final class RuntimeApi implements AutoCloseable {

    static final String PREFIX = "/2018-06-01/runtime";
    static final String CREDENTIALS_PATH = "/2021-04-23/credentials";
    /** What {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} must carry. */
    static final String CREDENTIALS_TOKEN = "local-container-authorization-token";
    private static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:%s:live";

    /** How an invocation ended, stamped when the runtime's POST arrived. */
    public record Outcome(boolean error, String body, String errorType, long atNanos) {
    }

    /** One queued event. {@link #queuedAtNanos} is when it became available to the runtime. */
    public static final class Invocation {
        private final String requestId;
        private final byte[] event;
        private final long timeoutMillis;
        private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        private volatile long queuedAtNanos;

        private Invocation(String requestId, byte[] event, long timeoutMillis) {
            this.requestId = requestId;
            this.event = event;
            this.timeoutMillis = timeoutMillis;
        }

        public String requestId() {
            return requestId;
        }

        public long queuedAtNanos() {
            return queuedAtNanos;
        }

        /** Waits for the runtime's answer. */
        public Outcome await(Duration timeout) throws TimeoutException, InterruptedException {
            try {
                return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("invocation " + requestId + " failed: " + e.getCause().getMessage(),
                        e.getCause());
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String functionName;
    private final Duration timeout;
    private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicLong credentialCalls = new AtomicLong();
    private final AtomicLong firstNextNanos = new AtomicLong();
    private final CompletableFuture<Long> restoreRequested = new CompletableFuture<>();
    private final CountDownLatch restoreReleased = new CountDownLatch(1);
    private final CompletableFuture<String> restoreError = new CompletableFuture<>();
    private volatile long restoredAtNanos;
    private volatile boolean closed;

    private RuntimeApi(String functionName, Duration timeout) throws IOException {
        this.functionName = functionName;
        this.timeout = timeout;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "runtime-api");
            thread.setDaemon(true);
            return thread;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** @param timeout the function's Timeout: each event's deadline */
    public static RuntimeApi start(String functionName, Duration timeout) {
        try {
            return new RuntimeApi(functionName, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The value of {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}. */
    public String credentialsUri() {
        return "http://" + address() + CREDENTIALS_PATH;
    }

    /** Makes an event available to the runtime's next {@code GET next}. */
    public Invocation enqueue(String eventJson) {
        String id = String.format("00000000-0000-4000-8000-%012d", sequence.incrementAndGet());
        Invocation invocation = new Invocation(id, eventJson.getBytes(StandardCharsets.UTF_8), timeout.toMillis());
        inFlight.put(id, invocation);
        invocation.queuedAtNanos = System.nanoTime();
        queue.add(invocation);
        return invocation;
    }

    /** Completes when the runtime reports an init error (the message), never otherwise. */
    public CompletableFuture<String> initError() {
        return initError;
    }

    /** When the runtime first asked for an event (its init was done), or 0. */
    public long firstNextNanos() {
        return firstNextNanos.get();
    }

    /**
     * Completes with the arrival time ({@link System#nanoTime()}) of the runtime's
     * {@code GET restore/next}: the handler was constructed and {@code beforeCheckpoint} ran.
     */
    public CompletableFuture<Long> restoreRequested() {
        return restoreRequested;
    }

    /**
     * Answers the pending {@code GET restore/next} (or the one to come): the restore. Returns the
     * moment the answer is released ({@link System#nanoTime()}), from which the first invocation
     * after restore is timed.
     */
    public long restore() {
        long now = System.nanoTime();
        restoredAtNanos = now;
        restoreReleased.countDown();
        return now;
    }

    /** When {@link #restore()} released the runtime, or 0. */
    public long restoredAtNanos() {
        return restoredAtNanos;
    }

    /** Completes when the runtime reports an {@code afterRestore} failure ({@code POST restore/error}). */
    public CompletableFuture<String> restoreError() {
        return restoreError;
    }

    public long credentialCalls() {
        return credentialCalls.get();
    }

    @Override
    public void close() {
        closed = true;
        restoreReleased.countDown();
        server.stop(0);
        executor.shutdownNow();
        inFlight.values().forEach(i -> i.outcome.completeExceptionally(new IllegalStateException("runtime stopped")));
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("GET".equals(method) && path.equals(PREFIX + "/invocation/next")) {
                next(exchange, arrived);
            } else if ("POST".equals(method) && path.startsWith(PREFIX + "/invocation/")) {
                String rest = path.substring((PREFIX + "/invocation/").length());
                int slash = rest.indexOf('/');
                Invocation invocation = slash < 0 ? null : inFlight.remove(rest.substring(0, slash));
                if (invocation == null) {
                    send(exchange, 400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                boolean error = rest.endsWith("/error");
                String text = new String(body, StandardCharsets.UTF_8);
                invocation.outcome.complete(new Outcome(error, text,
                        error ? exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type") : null, arrived));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else if ("GET".equals(method) && path.equals(PREFIX + "/restore/next")) {
                restoreNext(exchange, arrived);
            } else if ("POST".equals(method) && path.equals(PREFIX + "/restore/error")) {
                restoreError.complete(new String(body, StandardCharsets.UTF_8));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else if ("POST".equals(method) && path.equals(PREFIX + "/init/error")) {
                initError.complete(new String(body, StandardCharsets.UTF_8));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else if ("GET".equals(method) && path.equals(CREDENTIALS_PATH)) {
                credentials(exchange);
            } else {
                send(exchange, 404, "{\"errorMessage\":\"not found\"}");
            }
        }
    }

    private void next(HttpExchange exchange, long arrived) throws IOException {
        firstNextNanos.compareAndSet(0, arrived);
        Invocation invocation = null;
        try {
            while (invocation == null && !closed) {
                invocation = queue.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (invocation == null) {
            return; // shutting down: the runtime sees the connection close
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
        // As Lambda: the invocation's time starts when the runtime gets it, not when it was queued
        // (the first event is queued before the JVM starts; init and priming are not the invocation's).
        exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms",
                Long.toString(System.currentTimeMillis() + invocation.timeoutMillis));
        exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn", String.format(FUNCTION_ARN, functionName));
        exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id",
                "Root=1-00000000-" + invocation.requestId.substring(24) + "00000000;Parent=0000000000000000;Sampled=0");
        exchange.sendResponseHeaders(200, invocation.event.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(invocation.event);
        }
    }

    private void restoreNext(HttpExchange exchange, long arrived) throws IOException {
        restoreRequested.complete(arrived);
        try {
            restoreReleased.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!closed) {
            send(exchange, 200, "{}");
        }
    }

    private void credentials(HttpExchange exchange) throws IOException {
        credentialCalls.incrementAndGet();
        if (!CREDENTIALS_TOKEN.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"message\":\"bad authorization token\"}");
            return;
        }
        String expiration = java.time.Instant.now().plus(Duration.ofHours(6)).toString();
        send(exchange, 200, "{\"AccessKeyId\":\"ASIALOCALCONTAINER01\",\"SecretAccessKey\":\"local-container-secret\","
                + "\"Token\":\"local-container-session-token\",\"Expiration\":\"" + expiration + "\"}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
