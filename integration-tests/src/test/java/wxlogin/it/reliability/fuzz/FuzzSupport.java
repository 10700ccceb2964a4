// Level: test utility (fuzz targets) - an in-memory Lambda logger, a programmable local WeChat, the keys and secrets the targets use.
package wxlogin.it.reliability.fuzz;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.code_intelligence.jazzer.api.BugDetectors;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import wxlogin.testing.SecretLedger;

/** Shared by the fuzz targets. */
final class FuzzSupport {

    static final String APPID = "wxfuzz00000000001";
    static final String APP_SECRET = "fuzz-appsecret-0123456789abcdefghij";
    static final String SIGNING_KEY = "fuzz-signing-key-0123456789abcdefghijklmnop";
    static final String ACCESS_TOKEN = "fuzz-access-token-0123456789abcdefghijklmnopqrstuvw";
    static final Map<String, String> SECRETS = Map.of(
            "fuzz/wechat-app", "{\"appid\":\"" + APPID + "\",\"appsecret\":\"" + APP_SECRET + "\"}",
            "fuzz/session-keys", "{\"keys\":[{\"kid\":\"k1\",\"secret\":\"" + SIGNING_KEY + "\"}]}");

    static {
        SecretLedger.register(SecretLedger.Kind.APP_SECRET, APP_SECRET);
        SecretLedger.register(SecretLedger.Kind.SIGNING_KEY, SIGNING_KEY);
        SecretLedger.register(SecretLedger.Kind.ACCESS_TOKEN, ACCESS_TOKEN);
    }

    /**
     * "Nothing hangs": the longest any input may take. Deliberately loose: under Jazzer's
     * instrumentation a class loaded for the first time costs up to a few hundred ms, so the first
     * inputs of a JVM run slower than Lambda would. The exact bound (inside the Lambda's remaining
     * time) is asserted by WeChatFailuresTest and SecretsManagerFailuresTest, uninstrumented.
     */
    static final long HANG_MILLIS = 10_000;

    private FuzzSupport() {
    }

    /** Jazzer's fuzzing mode (a long run); otherwise the corpus is being replayed (CI). */
    static boolean fuzzing() {
        String mode = System.getenv("JAZZER_FUZZ");
        return mode != null && !mode.isEmpty() && !mode.equals("0");
    }

    static Map<String, String> environment(String wechatBaseUrl) {
        return Map.of(
                "WECHAT_APP_SECRET_ID", "fuzz/wechat-app",
                "SESSION_KEYS_SECRET_ID", "fuzz/session-keys",
                "WECHAT_API_BASE_URL", wechatBaseUrl,
                "SESSION_ISSUER", "weixin-app-login",
                "GATE_POLICY", "{\"restricted\":[\"weixinMiniProgram\"],\"closed\":[]}");
    }

    static String secret(String id) {
        String value = SECRETS.get(id);
        if (value == null) {
            throw new wxlogin.common.ConfigurationException("no secret " + id);
        }
        return value;
    }

    private static final java.util.function.BiPredicate<String, Integer> LOOPBACK =
            (host, port) -> host.equals("127.0.0.1") || host.equals("localhost");

    /**
     * Lets the fuzz targets reach the local WeChat (127.0.0.1) and nothing else. Called on every
     * input: Jazzer's network sanitizer exists only once its agent is in and resets when fuzzing
     * starts after the seeds; without hooks (the corpus replay) there is nothing to allow.
     */
    @SuppressWarnings("resource") // the policy stays for the rest of the run
    static void allowLoopbackOnly() {
        try {
            BugDetectors.allowNetworkConnections(LOOPBACK);
        } catch (IllegalStateException noSanitizer) {
            // no sanitizer loaded: nothing to allow
        }
    }

    /** Whether an HS256 compact token carries a valid signature by {@link #SIGNING_KEY}. */
    static boolean signedByUs(String token) {
        int dot = token.lastIndexOf('.');
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SIGNING_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
            return java.security.MessageDigest.isEqual(expected,
                    java.util.Base64.getUrlDecoder().decode(token.substring(dot + 1)));
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Replaces the Lambda logger (outside Lambda it prints to stdout) with one that keeps each
     * input's lines, so a target can check them. While replaying the corpus the lines are printed
     * too, for the run's log-secrecy check; while fuzzing they are not (millions of lines).
     */
    static final class CapturedLog implements AutoCloseable {
        private final LambdaLogger original;
        private final List<String> lines = new ArrayList<>();
        private final boolean print = !fuzzing();

        CapturedLog() {
            original = swap(new LambdaLogger() {
                @Override
                public void log(String message) {
                    record(message);
                }

                @Override
                public void log(byte[] message) {
                    record(new String(message, StandardCharsets.UTF_8));
                }

                @Override
                public void log(String message, LogLevel level) {
                    record(message);
                }
            });
        }

        private synchronized void record(String message) {
            lines.add(message);
            if (print) {
                System.out.print(message);
            }
        }

        /** The lines logged since the last call, and forgets them. */
        synchronized List<String> take() {
            List<String> taken = new ArrayList<>(lines);
            lines.clear();
            return taken;
        }

        @Override
        public void close() {
            swap(original);
        }

        private static LambdaLogger swap(LambdaLogger logger) {
            try {
                Field field = LambdaRuntime.class.getDeclaredField("logger");
                field.setAccessible(true);
                LambdaLogger previous = (LambdaLogger) field.get(null);
                field.set(null, logger);
                return previous;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot replace LambdaRuntime's logger", e);
            }
        }
    }

    /** What the local WeChat answers on one path: status, content type, body, and how it is framed. */
    record Answer(int status, String contentType, byte[] body, Framing framing) {
        static Answer json(String body) {
            return new Answer(200, "application/json; encoding=utf-8", body.getBytes(StandardCharsets.UTF_8), Framing.LENGTH);
        }
    }

    enum Framing {
        /** Content-Length matches the body. */
        LENGTH,
        /** Chunked transfer encoding. */
        CHUNKED,
        /** Content-Length promises more than is sent, then the connection closes. */
        SHORT,
        /** The connection closes before any response byte. */
        DROP
    }

    /** A local HTTP server playing WeChat; each path's answer is computed from the query string. */
    static final class LocalWeChat implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fuzz-wechat");
            t.setDaemon(true);
            return t;
        });
        private final Map<String, Function<Map<String, String>, Answer>> answers = new ConcurrentHashMap<>();
        private final List<String> codesSeen = java.util.Collections.synchronizedList(new ArrayList<>());

        LocalWeChat() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void answer(String path, Function<Map<String, String>, Answer> answer) {
            answers.put(path, answer);
        }

        /** Codes received by code2verifyinfo since the last call. */
        List<String> takeCodes() {
            synchronized (codesSeen) {
                List<String> codes = new ArrayList<>(codesSeen);
                codesSeen.clear();
                return codes;
            }
        }

        private void handle(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (query.containsKey("code")) {
                codesSeen.add(query.get("code"));
            }
            Function<Map<String, String>, Answer> answer = answers.get(exchange.getRequestURI().getPath());
            Answer chosen = answer == null ? new Answer(404, "text/plain", new byte[0], Framing.LENGTH) : answer.apply(query);
            if (chosen.framing() == Framing.DROP) {
                // The JDK server closes the connection, without a byte, when a handler throws.
                throw new IllegalStateException("dropping the connection on purpose");
            }
            if (chosen.framing() == Framing.SHORT) {
                send(exchange, chosen);
                // Throwing again: the connection closes mid-body instead of idling until a timeout.
                throw new IllegalStateException("cutting the body short on purpose");
            }
            try (exchange) {
                send(exchange, chosen);
            } catch (IOException e) {
                // The client went away: nothing more to do.
            }
        }

        private static void send(HttpExchange exchange, Answer answer) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            byte[] body = answer.body();
            boolean noBody = answer.status() == 204 || answer.status() == 304 || answer.status() < 200;
            long length = switch (answer.framing()) {
                case CHUNKED -> noBody ? -1 : 0;
                case SHORT -> body.length + 10;
                default -> noBody || body.length == 0 ? -1 : body.length;
            };
            exchange.sendResponseHeaders(answer.status(), length);
            if (!noBody && body.length > 0) {
                OutputStream out = exchange.getResponseBody();
                out.write(body);
                if (answer.framing() == Framing.SHORT) {
                    out.flush();
                } else {
                    out.close();
                }
            }
        }

        private static Map<String, String> query(String raw) {
            Map<String, String> params = new java.util.HashMap<>();
            if (raw == null) {
                return params;
            }
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return params;
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
