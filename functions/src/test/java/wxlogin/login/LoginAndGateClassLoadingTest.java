// Integration (fast): a login with lasting sessions and a gated call through the stream entries, in a class loader of its own that records every class loaded: the one SDK-based session store, no runtime event mapping.
package wxlogin.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wxlogin.testing.SecretLedger;

class LoginAndGateClassLoadingTest {

    /** Loads the test's class path itself (only the JDK from its parent) and records every name asked for. */
    static final class RecordingLoader extends URLClassLoader {
        final Set<String> names = ConcurrentHashMap.newKeySet();

        RecordingLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            names.add(name);
            return super.loadClass(name, resolve);
        }
    }

    private HttpServer server;
    private final List<String> dynamoDbTargets = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aLoginAndAGatedCallLoadOnlyWhatTheyNeed() throws Exception {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, String> env = Map.of("WECHAT_APP_SECRET_ID", "app", "SESSION_KEYS_SECRET_ID", "keys",
                "WECHAT_API_BASE_URL", base, "SESSIONS_TABLE", "sessions", "AWS_REGION", "us-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB", base);

        String body;
        try (RecordingLoader loader = new RecordingLoader(testClassPath())) {
            @SuppressWarnings("unchecked")
            Function<Map<String, String>, String> probe = (Function<Map<String, String>, String>) loader
                    .loadClass(LoginPathProbe.class.getName()).getDeclaredConstructor().newInstance();
            assertThat(probe.getClass().getClassLoader()).as("the probe runs in the recording loader").isSameAs(loader);

            body = probe.apply(env);

            assertThat(loader.names).as("the one session store, through the SDK's DynamoDB client")
                    .contains("wxlogin.session.DynamoDbSessionStore",
                            "software.amazon.awssdk.services.dynamodb.DynamoDbClient");
            assertThat(loader.names).as("no runtime serialization of events")
                    .noneMatch(name -> name.startsWith("com.amazonaws.services.lambda.runtime.serialization"));
        }
        String[] answers = body.split("\n");
        assertThat(answers).hasSize(2);
        assertThat(answers[0]).contains("\"statusCode\":200").contains("refreshToken");
        assertThat(answers[1]).as("the gate lets the login's token through").contains("\"isAuthorized\":true")
                .contains("\"userId\":\"priming\"");
        body = answers[0].replaceAll("\\\\", "");
        assertThat(dynamoDbTargets).containsExactly("DynamoDB_20120810.TransactWriteItems");
        String refreshToken = body.replaceAll(".*\"refreshToken\":\"([^\"]+)\".*", "$1");
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, refreshToken);
    }

    /** Surefire puts the test class path in java.class.path (also when it starts the JVM through a manifest-only jar). */
    private static URL[] testClassPath() throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }

    /** WeChat's two calls and DynamoDB's one, told apart by path and X-Amz-Target. */
    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String answer;
            if (target != null) {
                dynamoDbTargets.add(target);
                answer = "{}";
            } else if (path.equals("/cgi-bin/stable_token")) {
                answer = "{\"access_token\":\"probe-access-token\",\"expires_in\":7200}";
            } else {
                answer = LoginPriming.SAMPLE_ANSWER;
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
