package wxlogin.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import wxlogin.local.api.LocalApi;
import wxlogin.local.api.SamTemplate;
import wxlogin.local.dynamodb.DynamoDbLocal;
import wxlogin.local.dynamodb.UsersTableStandIn;
import wxlogin.local.events.EventBridgeEndpoint;
import wxlogin.local.metrics.MetricLines;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * The README's first command: the whole flow on localhost with no Docker and no AWS account.
 * Starts a WeChat sandbox, a Secrets Manager endpoint seeded with development secrets, DynamoDB
 * Local (in-process, in memory) with the template's tables, and the HTTP API of template.yaml with
 * the real handlers; logs in, calls a function and refreshes the session once to prove it works;
 * prints what to paste. Development secrets exist only here, never in the deployed code path.
 *
 * <p>Options: {@code --port N} (API, default 3000), {@code --wechat-port N} (default 8081, the
 * port events/env.json expects), {@code --template PATH}, {@code --check} (start, run the flow
 * once, stop; exit status says whether it worked), {@code --metrics} (each metric record the
 * functions write, as one readable line; without it records are left out of the output, see
 * {@link MetricLines}), {@code --verbose} (third-party start-up
 * chatter too). bin/local documents them ({@code --help}). A bad option or a port in use is one
 * line on stderr and a non-zero exit, with nothing left running.
 */
public final class LocalMain {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Set to true, the run behaves as where DynamoDB Local cannot start (tests of the fallback). */
    static final String NO_DYNAMODB_LOCAL = "wxlogin.local.noDynamoDbLocal";

    private LocalMain() {
    }

    public static void main(String[] args) {
        // Every way out goes through System.exit: DynamoDB Local's and the HTTP servers' threads
        // must never keep a failed or finished run alive.
        System.exit(run(args));
    }

    static int run(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + " (./bin/local --help lists the options)");
            return 2;
        }
        if (!options.verbose()) {
            quietSlf4j();
        }
        System.setOut(new PrintStream(new MetricLines(System.out, options.metrics()), true, StandardCharsets.UTF_8));
        Stack stack;
        try {
            stack = Stack.start(options);
        } catch (PortInUseException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("error: the local stack did not start: " + e
                    + (options.verbose() ? "" : " (--verbose for the details)"));
            if (options.verbose()) {
                e.printStackTrace();
            }
            return 1;
        }
        try (stack) {
            Flow flow = stack.tryTheFlow();
            print(System.out, stack, flow, !options.check());
            if (options.check()) {
                return flow.ok() ? 0 : 1;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * SLF4J 1.7 (through the AWS SDK's utils) prints three lines about its missing binding when it
     * first starts. Nothing here logs through SLF4J, so start it now with stderr set aside.
     */
    private static void quietSlf4j() {
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            LoggerFactory.getILoggerFactory();
        } finally {
            System.setErr(stderr);
        }
    }

    /** A port of the command line is taken; the message names the option to change. */
    public static final class PortInUseException extends RuntimeException {
        PortInUseException(String what, String option, int port) {
            super("port " + port + " (" + what + ") is already in use on 127.0.0.1: stop what listens there, or pass "
                    + option + " N with a free port (" + option + " 0 picks one)");
        }
    }

    /**
     * The local services, started together and closed together. {@code dynamo} is the JVM's shared
     * DynamoDB Local (left running for other stacks), or null when the template has no table or it
     * could not start (then lasting sessions are off: login answers no refresh token, and
     * {@code usersStandIn} holds the user directory; otherwise it is null).
     */
    public record Stack(WeChatSandbox wechat, SecretsManagerEndpoint secrets, LocalApi api, DynamoDbLocal dynamo,
                        List<String> tables, UsersTableStandIn usersStandIn, EventBridgeEndpoint events)
            implements AutoCloseable {

        public static Stack start(Options options) throws IOException {
            return start(options, Map.of());
        }

        /** As {@link #start(Options)}, with extra environment variables for every function (tests: GATE_POLICY...). */
        public static Stack start(Options options, Map<String, String> extraEnvironment) throws IOException {
            // The SDK's default credential chain reads these; any value works against the local endpoint.
            System.setProperty("aws.accessKeyId", System.getProperty("aws.accessKeyId", "local"));
            System.setProperty("aws.secretAccessKey", System.getProperty("aws.secretAccessKey", "local"));
            // A failure part-way stops what already started: no server left listening, no thread
            // keeping the JVM alive. (The shared DynamoDB Local stays for the JVM's other stacks.)
            List<AutoCloseable> started = new ArrayList<>();
            try {
                WeChatSandbox wechat = onPort("the WeChat sandbox", "--wechat-port", options.wechatPort(),
                        () -> DevelopmentSecrets.sandboxFor(options.wechatPort()));
                started.add(wechat);
                SecretsManagerEndpoint secrets = SecretsManagerEndpoint.start();
                started.add(secrets);
                DevelopmentSecrets.seed(secrets);
                // The default event bus of account deletion's user.deleted events.
                EventBridgeEndpoint events = EventBridgeEndpoint.start();
                started.add(events);
                SamTemplate template = SamTemplate.load(options.template());
                DynamoDbLocal dynamo = null;
                List<String> tables = List.of();
                Map<String, String> sessionsEnvironment = new LinkedHashMap<>();
                UsersTableStandIn usersStandIn = null;
                if (declaresTables(template)) {
                    try {
                        if (Boolean.getBoolean(NO_DYNAMODB_LOCAL)) {
                            throw new IllegalStateException("-D" + NO_DYNAMODB_LOCAL + "=true");
                        }
                        dynamo = DynamoDbLocal.shared();
                        tables = dynamo.createTables(template);
                        sessionsEnvironment.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
                    } catch (RuntimeException | LinkageError e) {
                        System.err.println("[local] DynamoDB Local did not start (" + e.getMessage()
                                + "): lasting sessions are off, /login answers no refresh token; the user directory"
                                + " runs on an in-memory stand-in of this tool");
                        dynamo = null;
                        // Blank means unset to the functions: no refresh tokens.
                        sessionsEnvironment.put("SESSIONS_TABLE", "");
                        usersStandIn = UsersTableStandIn.start();
                        started.add(usersStandIn);
                        tables = tableNames(template);
                        tables.forEach(usersStandIn::createTable);
                        sessionsEnvironment.put("AWS_ENDPOINT_URL_DYNAMODB", usersStandIn.endpoint().toString());
                    }
                }
                LocalApi api = LocalApi.builder()
                        .template(options.template())
                        .port(options.port())
                        .environment(LocalApi.ALL_FUNCTIONS, DevelopmentSecrets.environment(wechat, secrets))
                        .environment(LocalApi.ALL_FUNCTIONS, sessionsEnvironment)
                        .environment(LocalApi.ALL_FUNCTIONS, Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", events.endpoint().toString()))
                        .environment(LocalApi.ALL_FUNCTIONS, extraEnvironment)
                        .build();
                started.add(api);
                onPort("the local API", "--port", options.port(), api::start);
                return new Stack(wechat, secrets, api, dynamo, tables, usersStandIn, events);
            } catch (RuntimeException | Error e) {
                for (AutoCloseable part : started.reversed()) {
                    try {
                        part.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        /** Runs {@code start}, turning a failure to bind {@code port} into a {@link PortInUseException}. */
        private static <T> T onPort(String what, String option, int port, Supplier<T> start) {
            try {
                return start.get();
            } catch (RuntimeException e) {
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    if (cause instanceof BindException) {
                        throw new PortInUseException(what, option, port);
                    }
                }
                throw e;
            }
        }

        /** The names DynamoDbLocal#createTables gives the template's tables: TableName, else the logical id. */
        private static List<String> tableNames(SamTemplate template) {
            Map<?, ?> resources = template.raw().get("Resources") instanceof Map<?, ?> m ? m : Map.of();
            List<String> names = new ArrayList<>();
            resources.forEach((id, r) -> {
                if (r instanceof Map<?, ?> resource && "AWS::DynamoDB::Table".equals(resource.get("Type"))) {
                    Object name = resource.get("Properties") instanceof Map<?, ?> p ? p.get("TableName") : null;
                    names.add(name instanceof String literal ? literal : String.valueOf(id));
                }
            });
            return names;
        }

        private static boolean declaresTables(SamTemplate template) {
            Map<?, ?> resources = template.raw().get("Resources") instanceof Map<?, ?> m ? m : Map.of();
            return resources.values().stream()
                    .anyMatch(r -> r instanceof Map<?, ?> resource && "AWS::DynamoDB::Table".equals(resource.get("Type")));
        }

        /** Whether /login is configured to answer refresh tokens here. */
        public boolean lastingSessions() {
            return dynamo != null && !api.environment("CodeExchangeFunction").getOrDefault("SESSIONS_TABLE", "").isBlank();
        }

        /**
         * Logs in with a fresh sandbox code from each build as the same person (the app build's
         * identity code, then the mini-program build's wx.login code: one user id), calls
         * myCloudFunction with the token and, with lasting sessions, refreshes the session once, as
         * an app would.
         */
        public Flow tryTheFlow() {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                // "bound": a person whose app and mini program WeChat ties together (unionid, miniprogram_info).
                HttpResponse<String> login = post(http, api.url() + "/login",
                        "{\"code\":\"" + wechat.issueCode("bound", "demo") + "\"}", null);
                HttpResponse<String> miniProgramLogin = post(http, api.url() + "/login", "{\"code\":\""
                        + wechat.issueMiniProgramCode("bound", "demo") + "\",\"codeType\":\"miniProgram\"}", null);
                String appUser = login.statusCode() == 200 ? JSON.readTree(login.body()).path("userId").asText(null) : null;
                boolean sameUser = miniProgramLogin.statusCode() == 200 && appUser != null
                        && appUser.equals(JSON.readTree(miniProgramLogin.body()).path("userId").asText(null));
                String token = login.statusCode() == 200 ? JSON.readTree(login.body()).get("token").asText() : null;
                HttpResponse<String> call = token == null ? null : post(http, api.url() + "/functions/myCloudFunction",
                        "{\"data\":{\"hello\":\"world\"}}", token);
                String loginRefreshToken = login.statusCode() == 200
                        ? JSON.readTree(login.body()).path("refreshToken").asText(null) : null;
                HttpResponse<String> refresh = loginRefreshToken == null ? null : post(http, api.url() + "/session/refresh",
                        JSON.writeValueAsString(Map.of("refreshToken", loginRefreshToken)), null);
                String refreshToken = refresh != null && refresh.statusCode() == 200
                        ? JSON.readTree(refresh.body()).path("refreshToken").asText(null) : null;
                return new Flow(login.statusCode(), login.body(), token,
                        call == null ? 0 : call.statusCode(), call == null ? null : call.body(),
                        lastingSessions(), refresh == null ? 0 : refresh.statusCode(),
                        refresh == null ? null : refresh.body(), refreshToken,
                        miniProgramLogin.statusCode(), miniProgramLogin.body(), sameUser);
            } catch (IOException e) {
                return new Flow(0, e.toString(), null, 0, null, lastingSessions(), 0, null, null, 0, null, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Flow(0, "interrupted", null, 0, null, lastingSessions(), 0, null, null, 0, null, false);
            }
        }

        @Override
        public void close() {
            api.close();
            secrets.close();
            wechat.close();
            events.close();
            if (usersStandIn != null) {
                usersStandIn.close();
            }
        }
    }

    /**
     * What the self-check saw; the refresh only when lasting sessions are on. {@code sameUser}: the
     * mini-program build's login got the app build's user id.
     */
    public record Flow(int loginStatus, String loginBody, String token, int callStatus, String callBody,
                       boolean refreshExpected, int refreshStatus, String refreshBody, String refreshToken,
                       int miniProgramStatus, String miniProgramBody, boolean sameUser) {
        public boolean ok() {
            return loginStatus == 200 && miniProgramStatus == 200 && sameUser && callStatus == 200
                    && (!refreshExpected || refreshStatus == 200);
        }
    }

    /** What the run offers; {@code serving}: it goes on serving (not {@code --check}), so say how to stop it. */
    public static void print(PrintStream out, Stack stack, Flow flow, boolean serving) {
        String api = stack.api().url();
        out.println();
        out.println("Local API (template.yaml, real handlers): " + api);
        stack.api().routes().forEach(route -> out.println("  " + route));
        out.println("WeChat sandbox: " + stack.wechat().baseUrl() + "   Secrets Manager endpoint: " + stack.secrets().endpoint());
        out.println("EventBridge (default bus, user.deleted events): " + stack.events().endpoint());
        if (stack.dynamo() != null) {
            out.println("DynamoDB Local (in memory): " + stack.dynamo().endpoint() + "   tables: " + String.join(", ", stack.tables()));
        }
        if (stack.usersStandIn() != null) {
            out.println("User directory: an in-memory stand-in of this tool (DynamoDB Local cannot run here; no lasting sessions): "
                    + stack.usersStandIn().endpoint());
        }
        out.println();
        out.println("Self-check: POST /login -> " + flow.loginStatus() + ", POST /login (codeType miniProgram) -> "
                + flow.miniProgramStatus() + (flow.sameUser() ? " (the same user)" : " (NOT the same user)")
                + ", POST /functions/myCloudFunction -> "
                + flow.callStatus() + (flow.refreshExpected() ? ", POST /session/refresh -> " + flow.refreshStatus() : "")
                + (flow.ok() ? "  (the whole flow works)" : "  FAILED"));
        if (!flow.ok()) {
            out.println("  login answered: " + flow.loginBody());
            out.println("  mini-program login answered: " + flow.miniProgramBody());
            out.println("  call answered:  " + flow.callBody());
            if (flow.refreshExpected()) {
                out.println("  refresh answered: " + flow.refreshBody());
            }
        }
        out.println();
        out.println("1. Log in with a fresh sandbox code (each code works once; make more below):");
        out.println("   curl -s -X POST " + api + "/login -H 'content-type: application/json' \\");
        out.println("        -d '{\"code\":\"" + stack.wechat().issueCode("weixinApp", "demo") + "\"}'");
        out.println();
        out.println("   From the mini-program build (a wx.login code, exchanged with jscode2session; mp.bound.demo.*");
        out.println("   and bound.demo.* are one person, as the self-check showed):");
        out.println("   curl -s -X POST " + api + "/login -H 'content-type: application/json' \\");
        out.println("        -d '{\"code\":\"" + stack.wechat().issueMiniProgramCode("bound", "demo")
                + "\",\"codeType\":\"miniProgram\"}'");
        out.println();
        out.println("2. Call myCloudFunction with a session token (this one was minted by the self-check):");
        out.println("   curl -s -X POST " + api + "/functions/myCloudFunction -H 'content-type: application/json' \\");
        out.println("        -H 'authorization: Bearer " + flow.token() + "' \\");
        out.println("        -d '{\"data\":{\"hello\":\"world\"}}'");
        out.println();
        if (flow.refreshToken() != null) {
            out.println("3. Refresh the session: a new token pair; the refresh token rotates, so use each one once");
            out.println("   (this one is the self-check's latest). POST /logout with the same body ends the session:");
            out.println("   curl -s -X POST " + api + "/session/refresh -H 'content-type: application/json' \\");
            out.println("        -d '{\"refreshToken\":\"" + flow.refreshToken() + "\"}'");
            out.println();
        }
        out.println("More codes: type <scenario>.<anything-unique>, e.g. weixinMiniProgram.try42, or ask the sandbox:");
        out.println("   curl -s -X POST " + stack.wechat().baseUrl() + "/sandbox/codes -d '{\"scenario\":\"phoneSms\"}'");
        out.println("Mini-program codes (codeType miniProgram) are the same with mp. in front, e.g. mp.bound.alice.try42.");
        out.println("Scenarios: " + String.join(", ", WeChatSandbox.scenarios()));
        if (serving) {
            out.println("Press Ctrl+C to stop.");
        }
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
    public record Options(int port, int wechatPort, Path template, boolean check, boolean verbose, boolean metrics) {

        public Options(int port, int wechatPort, Path template, boolean check) {
            this(port, wechatPort, template, check, false, false);
        }

        /** The command line; a bad option or value is an {@link IllegalArgumentException} with a one-line message. */
        public static Options parse(String... args) {
            int port = 3000;
            int wechatPort = 8081;
            Path template = Path.of("template.yaml");
            boolean check = false;
            boolean verbose = false;
            boolean metrics = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> port = port(args, ++i, "--port");
                    case "--wechat-port" -> wechatPort = port(args, ++i, "--wechat-port");
                    case "--template" -> template = Path.of(value(args, ++i, "--template"));
                    case "--check" -> check = true;
                    case "--verbose" -> verbose = true;
                    case "--metrics" -> metrics = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (!Files.isRegularFile(template)) {
                throw new IllegalArgumentException("no template at " + template.toAbsolutePath()
                        + ": run from the project folder or pass --template");
            }
            return new Options(port, wechatPort, template, check, verbose, metrics);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int port(String[] args, int i, String option) {
            String text = value(args, i, option);
            try {
                int port = Integer.parseInt(text);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a port number from 0 to 65535 (0: any free port), not " + text);
        }
    }
}
