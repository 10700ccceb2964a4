package wxlogin.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import wxlogin.local.api.LocalApi;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * The README's first command: the whole flow on localhost with no Docker and no AWS account.
 * Starts a WeChat sandbox, a Secrets Manager endpoint seeded with development secrets, and the
 * HTTP API of template.yaml with the real handlers; logs in once to prove it works; prints
 * what to paste. Development secrets exist only here, never in the deployed code path.
 *
 * <p>Options: {@code --port N} (API, default 3000), {@code --wechat-port N} (default 8081, the
 * port events/env.json expects), {@code --template PATH}, {@code --check} (start, run the flow
 * once, stop; exit status says whether it worked).
 */
public final class LocalMain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalMain() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        try (Stack stack = Stack.start(options)) {
            Flow flow = stack.tryTheFlow();
            print(System.out, stack, flow);
            if (options.check) {
                System.exit(flow.ok() ? 0 : 1);
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
    }

    /** The local services, started together and closed together. */
    public record Stack(WeChatSandbox wechat, SecretsManagerEndpoint secrets, LocalApi api) implements AutoCloseable {

        public static Stack start(Options options) throws IOException {
            return start(options, Map.of());
        }

        /** As {@link #start(Options)}, with extra environment variables for every function (tests: GATE_POLICY...). */
        public static Stack start(Options options, Map<String, String> extraEnvironment) throws IOException {
            // The SDK's default credential chain reads these; any value works against the local endpoint.
            System.setProperty("aws.accessKeyId", System.getProperty("aws.accessKeyId", "local"));
            System.setProperty("aws.secretAccessKey", System.getProperty("aws.secretAccessKey", "local"));
            WeChatSandbox wechat = DevelopmentSecrets.sandboxFor(options.wechatPort);
            SecretsManagerEndpoint secrets = SecretsManagerEndpoint.start();
            DevelopmentSecrets.seed(secrets);
            LocalApi api = LocalApi.builder()
                    .template(options.template)
                    .port(options.port)
                    .environment(LocalApi.ALL_FUNCTIONS, Map.of(
                            "WECHAT_API_BASE_URL", wechat.baseUrl(),
                            "AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString(),
                            "WECHAT_APP_SECRET_ID", DevelopmentSecrets.WECHAT_APP_SECRET_ID,
                            "SESSION_KEYS_SECRET_ID", DevelopmentSecrets.SESSION_KEYS_SECRET_ID))
                    .environment(LocalApi.ALL_FUNCTIONS, extraEnvironment)
                    .build()
                    .start();
            return new Stack(wechat, secrets, api);
        }

        /** Logs in with a fresh sandbox code and calls myCloudFunction with the token, as an app would. */
        public Flow tryTheFlow() {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                HttpResponse<String> login = post(http, api.url() + "/login",
                        "{\"code\":\"" + wechat.issueCode("weixinApp", "demo") + "\"}", null);
                String token = login.statusCode() == 200 ? JSON.readTree(login.body()).get("token").asText() : null;
                HttpResponse<String> call = token == null ? null : post(http, api.url() + "/functions/myCloudFunction",
                        "{\"data\":{\"hello\":\"world\"}}", token);
                return new Flow(login.statusCode(), login.body(), token,
                        call == null ? 0 : call.statusCode(), call == null ? null : call.body());
            } catch (IOException e) {
                return new Flow(0, e.toString(), null, 0, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Flow(0, "interrupted", null, 0, null);
            }
        }

        @Override
        public void close() {
            api.close();
            secrets.close();
            wechat.close();
        }
    }

    /** What the self-check saw. */
    public record Flow(int loginStatus, String loginBody, String token, int callStatus, String callBody) {
        public boolean ok() {
            return loginStatus == 200 && callStatus == 200;
        }
    }

    static void print(PrintStream out, Stack stack, Flow flow) {
        String api = stack.api().url();
        out.println();
        out.println("Local API (template.yaml, real handlers): " + api);
        stack.api().routes().forEach(route -> out.println("  " + route));
        out.println("WeChat sandbox: " + stack.wechat().baseUrl() + "   Secrets Manager endpoint: " + stack.secrets().endpoint());
        out.println();
        out.println("Self-check: POST /login -> " + flow.loginStatus() + ", POST /functions/myCloudFunction -> "
                + flow.callStatus() + (flow.ok() ? "  (the whole flow works)" : "  FAILED"));
        if (!flow.ok()) {
            out.println("  login answered: " + flow.loginBody());
            out.println("  call answered:  " + flow.callBody());
        }
        out.println();
        out.println("1. Log in with a fresh sandbox code (each code works once; make more below):");
        out.println("   curl -s -X POST " + api + "/login -H 'content-type: application/json' \\");
        out.println("        -d '{\"code\":\"" + stack.wechat().issueCode("weixinApp", "demo") + "\"}'");
        out.println();
        out.println("2. Call myCloudFunction with a session token (this one was minted by the self-check):");
        out.println("   curl -s -X POST " + api + "/functions/myCloudFunction -H 'content-type: application/json' \\");
        out.println("        -H 'authorization: Bearer " + flow.token() + "' \\");
        out.println("        -d '{\"data\":{\"hello\":\"world\"}}'");
        out.println();
        out.println("More codes: type <scenario>.<anything-unique>, e.g. weixinMiniProgram.try42, or ask the sandbox:");
        out.println("   curl -s -X POST " + stack.wechat().baseUrl() + "/sandbox/codes -d '{\"scenario\":\"phoneSms\"}'");
        out.println("Scenarios: " + String.join(", ", WeChatSandbox.scenarios()));
        out.println("Press Ctrl+C to stop.");
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Command-line options. */
    public record Options(int port, int wechatPort, Path template, boolean check) {

        public static Options parse(String... args) {
            int port = 3000;
            int wechatPort = 8081;
            Path template = Path.of("template.yaml");
            boolean check = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--wechat-port" -> wechatPort = Integer.parseInt(args[++i]);
                    case "--template" -> template = Path.of(args[++i]);
                    case "--check" -> check = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (options: --port N, --wechat-port N, --template PATH, --check)");
                }
            }
            if (!Files.isRegularFile(template)) {
                throw new IllegalArgumentException("no template at " + template.toAbsolutePath()
                        + ": run from the project folder or pass --template");
            }
            return new Options(port, wechatPort, template, check);
        }
    }
}
