package wxlogin.local.wechat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the parts of WeChat's server API the backend uses, speaking the same
 * protocol: every answer is HTTP 200 with a JSON body carrying {@code errcode}/{@code errmsg}, and
 * every errmsg ends with {@code " rid: "} and a request id, as WeChat's do.
 *
 * <h2>Endpoints</h2>
 * <ul>
 *   <li>{@code POST /cgi-bin/stable_token} {@code {"grant_type":"client_credential","appid","secret","force_refresh"}}:
 *       the same token while it is valid ({@code expires_in} = remaining seconds), a new one after
 *       it expired or with {@code force_refresh:true} (the previous one then stays valid 5 more minutes).
 *       Errors: 40002 grant_type, 40013 appid, 40125 secret, 43002 not POST, 47001 bad JSON.</li>
 *   <li>{@code GET /cgi-bin/token?grant_type=client_credential&appid=&secret=}: the legacy endpoint.
 *       Mints a new token on every call and cuts the previous one to 5 more minutes. The backend
 *       must never call it; {@link #calls(String)} lets tests prove that.</li>
 *   <li>{@code GET /donut/code2verifyinfo?access_token=&appid=&appsecret=&code=&grant_type=authorization_code}:
 *       checks, in order: method (43001), access_token missing (41001), unknown or invalidated
 *       (40001), expired (42001), appid (10001002), appsecret — a parameter named {@code secret}
 *       does not count — (10001003), grant_type (10001004), then the code.</li>
 *   <li>{@code GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code} with
 *       the mini program's credentials, no access token: checks method (43001), appid missing
 *       (41002), secret missing (41004), js_code missing (41008), appid (40013), secret (40125),
 *       grant_type (40002), then the code. Success: {@code {"openid","session_key","unionid"?}}
 *       without errcode, as WeChat answers.</li>
 *   <li>{@code POST /donut/unregisteruser?access_token=} {@code {"user_id"}}: removes a user_id
 *       that code2verifyinfo gave out (the access token checked as for code2verifyinfo; 43002 not
 *       POST, 47001 bad JSON, 10001038 no such user, e.g. already removed). That person's next
 *       code2verifyinfo answer carries a new user_id ({@code sbx-<scenario>-<user>-2}, then -3...).</li>
 *   <li>{@code POST /wxa/business/getuserphonenumber?access_token=} {@code {"code"}} with the mini
 *       program's access token: a phone code ({@code phone.<user>.<nonce>}, single use, 5 minutes) ->
 *       {@code phone_info {phoneNumber, purePhoneNumber, countryCode, watermark}}; a used, expired or
 *       unknown code 40029; a token of another account 40001.</li>
 *   <li>{@code POST /sandbox/codes} {@code {"scenario":"weixinApp","user":"alice"}} -> {@code {"code":"..."}}:
 *       issues a code the way {@link #issueCode(String, String)} does, for scripts, e.g.
 *       <pre>{@code curl -s -X POST http://127.0.0.1:PORT/sandbox/codes -d '{"scenario":"weixinApp","user":"alice"}'}</pre>
 *       {@code "kind":"miniProgram"} issues a code for jscode2session (what {@code wx.login} gives).
 *       {@code GET /sandbox/codes} lists the scenarios. Not part of WeChat's API.</li>
 * </ul>
 *
 * <h2>Codes</h2>
 * A code is {@code <scenario>.<nonce>} or {@code <scenario>.<user>.<nonce>}, where nonce and user
 * match {@code [A-Za-z0-9_-]{1,64}} and user defaults to {@code default}. The scenario (see
 * {@link Scenario}) decides the answer; identities are derived from scenario and user. A code
 * issued by {@link #issueCode} expires after the code lifetime (10001000); a well-formed code
 * that was never issued counts as issued when first presented, so developers can type codes.
 * Only a successful exchange consumes a code (then 10001001): error scenarios answer their errcode
 * on every presentation, {@code busyOnce} answers -1 once without consuming, and requests
 * rejected before the code check (access token, appid, appsecret) or hit by an injected fault
 * (other than {@link Fault#SLOW(long)}) leave the code untouched. Unparseable codes and unknown
 * scenarios answer 10001001.
 *
 * <p>Mini-program codes are {@code mp.<scenario>[.<user>].<nonce>}: jscode2session accepts only
 * those and code2verifyinfo refuses them (10001001), as WeChat does. A used one answers 40163,
 * an expired, unknown or malformed one 40029. The person is the scenario's code2verifyinfo user:
 * the openid of its miniprogram_info block and its unionid, so {@code mp.bound.alice.*} and
 * {@code bound.alice.*} are one person, linked by unionid, and {@code mp.boundNoUnionid.alice.*}
 * and {@code boundNoUnionid.alice.*} one person linked only by code2verifyinfo's miniprogram_info.
 *
 * <p>Thread-safe. Start with {@link #builder()}; stop with {@link #close()}.
 */
public final class WeChatSandbox implements AutoCloseable {

    public static final String STABLE_TOKEN_PATH = "/cgi-bin/stable_token";
    public static final String LEGACY_TOKEN_PATH = "/cgi-bin/token";
    public static final String CODE2VERIFYINFO_PATH = "/donut/code2verifyinfo";
    public static final String JSCODE2SESSION_PATH = "/sns/jscode2session";
    public static final String UNREGISTER_USER_PATH = "/donut/unregisteruser";
    public static final String PHONE_NUMBER_PATH = "/wxa/business/getuserphonenumber";
    private static final Pattern PHONE_CODE =
            Pattern.compile("phone\\.([A-Za-z0-9_-]{1,64})\\.[A-Za-z0-9_-]{1,64}");
    public static final String SANDBOX_CODES_PATH = "/sandbox/codes";

    /** openapp_info.appid in every answer: the fake mobile app. */
    public static final String OPENAPP_APPID = SandboxUsers.OPENAPP_APPID;
    /** miniprogram_info.appid in every answer: the fake mini program. */
    public static final String MINIPROGRAM_APPID = SandboxUsers.MINIPROGRAM_APPID;

    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(7200);
    public static final Duration DEFAULT_CODE_LIFETIME = Duration.ofSeconds(300);
    /** How long a replaced token keeps working, as WeChat documents for both token endpoints. */
    static final Duration REPLACED_TOKEN_GRACE = Duration.ofMinutes(5);
    /** About 5 MiB, enough to trip any sane client-side body limit. */
    static final int HUGE_PADDING_BYTES = 5 * 1024 * 1024;
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final String JSON_CONTENT_TYPE = "application/json; encoding=utf-8"; // what WeChat sends

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Clock clock;
    private final Duration accessTokenLifetime;
    private final Duration codeLifetime;
    private volatile Credentials credentials;
    private volatile Credentials miniProgramCredentials;

    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();

    // Token and code state changes together; one lock keeps each request's checks atomic.
    private final Object lock = new Object();
    private final Map<String, AccessToken> tokens = new HashMap<>();
    /** The current stable_token per appid: the multi-terminal app's and the mini program's. */
    private final Map<String, AccessToken> stableTokens = new HashMap<>();
    private AccessToken legacyToken;
    private final Map<String, Instant> codeIssuedAt = new HashMap<>();
    private final Set<String> consumedCodes = new HashSet<>();
    private final Set<String> busyCodesSeen = new HashSet<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();
    /** user_ids code2verifyinfo gave out and unregisteruser has not removed -> their person (scenario_user). */
    private final Map<String, String> registeredUserIds = new HashMap<>();
    /** How often each person (scenario_user) was unregistered: their next user_id differs. */
    private final Map<String, Integer> unregistrations = new HashMap<>();
    private final List<String> unregisteredUserIds = new ArrayList<>();
    /** Every session_key handed out, so tests can prove none reaches a log or an answer. */
    private final List<String> sessionKeys = new ArrayList<>();
    /** Every phone number handed out, for the same reason. */
    private final List<String> phoneNumbers = new ArrayList<>();

    private record Credentials(String appid, String appsecret) {
        Credentials {
            Objects.requireNonNull(appid, "appid");
            Objects.requireNonNull(appsecret, "appsecret");
        }
    }

    private static final class AccessToken {
        final String value;
        final String appid;
        Instant expiresAt;
        boolean expired;
        boolean invalidated;

        AccessToken(String value, String appid, Instant expiresAt) {
            this.value = value;
            this.appid = appid;
            this.expiresAt = expiresAt;
        }

        boolean usable(Instant now) {
            return !invalidated && !expired && now.isBefore(expiresAt);
        }
    }

    /** A plain answer: status, content type and body. */
    private record Answer(int status, String contentType, byte[] body) {
        static Answer json(int status, JsonNode node) {
            try {
                return new Answer(status, JSON_CONTENT_TYPE, JSON.writeValueAsBytes(node));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private WeChatSandbox(Builder builder) throws IOException {
        this.clock = builder.clock;
        this.accessTokenLifetime = builder.accessTokenLifetime;
        this.codeLifetime = builder.codeLifetime;
        this.credentials = new Credentials(builder.appid, builder.appsecret);
        this.miniProgramCredentials = new Credentials(builder.miniProgramAppid, builder.miniProgramSecret);
        this.executor = Executors.newFixedThreadPool(builder.threads, daemonThreads("wechat-sandbox-"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), builder.port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for a sandbox; {@link #start()} binds 127.0.0.1 and starts serving. */
    public static final class Builder {
        private int port;
        private Clock clock = Clock.systemUTC();
        private Duration accessTokenLifetime = DEFAULT_ACCESS_TOKEN_LIFETIME;
        private Duration codeLifetime = DEFAULT_CODE_LIFETIME;
        private String appid = "wxsandbox000000001";
        private String appsecret = "sandbox-appsecret";
        private String miniProgramAppid = MINIPROGRAM_APPID;
        private String miniProgramSecret = "sandbox-miniprogram-secret";
        private int threads = 8;

        private Builder() {
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = port;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder accessTokenLifetime(Duration lifetime) {
            this.accessTokenLifetime = positive(lifetime, "accessTokenLifetime");
            return this;
        }

        public Builder codeLifetime(Duration lifetime) {
            this.codeLifetime = positive(lifetime, "codeLifetime");
            return this;
        }

        /** The multi-terminal app credentials the sandbox accepts. */
        public Builder credentials(String appid, String appsecret) {
            this.appid = Objects.requireNonNull(appid, "appid");
            this.appsecret = Objects.requireNonNull(appsecret, "appsecret");
            return this;
        }

        /** The mini program's credentials jscode2session accepts (appid defaults to {@link #MINIPROGRAM_APPID}). */
        public Builder miniProgramCredentials(String appid, String secret) {
            this.miniProgramAppid = Objects.requireNonNull(appid, "appid");
            this.miniProgramSecret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /** Worker threads serving requests (default 8). */
        public Builder threads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
            this.threads = threads;
            return this;
        }

        public WeChatSandbox start() {
            try {
                return new WeChatSandbox(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the WeChat sandbox on port " + port, e);
            }
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
            return d;
        }
    }

    // ---------------------------------------------------------------- Java API

    /** e.g. {@code http://127.0.0.1:54321}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String appid() {
        return credentials.appid();
    }

    /**
     * Changes the accepted credentials, as a secret rotation in WeChat's console would. Tokens
     * already minted stay valid until they expire (for the same appid).
     */
    public void setCredentials(String appid, String appsecret) {
        this.credentials = new Credentials(appid, appsecret);
    }

    /** The mini program's appid jscode2session accepts. */
    public String miniProgramAppid() {
        return miniProgramCredentials.appid();
    }

    /** Changes the mini program's accepted credentials (a secret rotation in its console). */
    public void setMiniProgramCredentials(String appid, String secret) {
        this.miniProgramCredentials = new Credentials(appid, secret);
    }

    /** A fresh code {@code <scenario>.<nonce>} for the default user, expiring after the code lifetime. */
    public String issueCode(String scenario) {
        return issueCode(scenario, null);
    }

    /** A fresh code {@code <scenario>.<user>.<nonce>}, expiring after the code lifetime. */
    public String issueCode(String scenario, String user) {
        return issue("", scenario, user);
    }

    /** A fresh phone code {@code phone.<user>.<nonce>}, what a mini program's getPhoneNumber button gives. */
    public String issuePhoneCode(String user) {
        if (user == null || !SandboxCode.PART.matcher(user).matches()) {
            throw new IllegalArgumentException("user must match " + SandboxCode.PART.pattern());
        }
        String code = "phone." + user + "." + randomString(22);
        synchronized (lock) {
            codeIssuedAt.put(code, clock.instant());
        }
        return code;
    }

    /** The phone number a user's phone codes give: {@code 137} and eight digits derived from the user. */
    public static String phoneNumberOf(String user) {
        return SandboxUsers.phoneNumber("phone_" + user);
    }

    /** A fresh mini-program code {@code mp.<scenario>.<user>.<nonce>} for jscode2session (user may be null). */
    public String issueMiniProgramCode(String scenario, String user) {
        return issue(SandboxCode.MINI_PROGRAM_PREFIX, scenario, user);
    }

    private String issue(String prefix, String scenario, String user) {
        Scenario s = Scenario.byId(scenario).orElseThrow(() -> new IllegalArgumentException(
                "unknown scenario '" + scenario + "'; known: " + Scenario.ids()));
        if (user != null && !SandboxCode.PART.matcher(user).matches()) {
            throw new IllegalArgumentException("user must match " + SandboxCode.PART.pattern());
        }
        String code = prefix + s.id() + (user == null ? "" : "." + user) + "." + randomString(22);
        synchronized (lock) {
            codeIssuedAt.put(code, clock.instant());
        }
        return code;
    }

    /** The scenario ids codes may start with. */
    public static List<String> scenarios() {
        return Scenario.ids();
    }

    /**
     * The next {@code times} requests to {@code path} (e.g. {@link #CODE2VERIFYINFO_PATH}) get
     * {@code fault}. Calls queue up: faults added later apply after earlier ones are used up.
     */
    public void failNext(String path, int times, Fault fault) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fault, "fault");
        if (times < 1) throw new IllegalArgumentException("times must be >= 1");
        synchronized (lock) {
            Deque<Fault> queue = faults.computeIfAbsent(path, p -> new ArrayDeque<>());
            for (int i = 0; i < times; i++) queue.add(fault);
        }
    }

    public void clearFaults() {
        synchronized (lock) {
            faults.clear();
        }
    }

    /** Requests received for {@code path} (every request counts, faulted or not). */
    public long calls(String path) {
        LongAdder adder = calls.get(path);
        return adder == null ? 0 : adder.sum();
    }

    public void resetCounters() {
        calls.clear();
    }

    /** Every session_key the sandbox handed out so far: tests prove none reaches a log or an answer. */
    public List<String> sessionKeysHandedOut() {
        synchronized (lock) {
            return List.copyOf(sessionKeys);
        }
    }

    /** The user_ids removed by unregisteruser so far, in order. */
    public List<String> unregisteredUserIds() {
        synchronized (lock) {
            return List.copyOf(unregisteredUserIds);
        }
    }

    /** Every token minted so far now answers 42001; stable_token then mints a new one. */
    public void expireAccessTokens() {
        synchronized (lock) {
            tokens.values().forEach(t -> t.expired = true);
        }
    }

    /** Every token minted so far now answers 40001, as if another party had replaced it. */
    public void invalidateAccessTokens() {
        synchronized (lock) {
            tokens.values().forEach(t -> t.invalidated = true);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            calls.computeIfAbsent(path, p -> new LongAdder()).increment();
            Fault fault = takeFault(path);
            if (fault != null && fault.kind() != Fault.Kind.SLOW) {
                answerFault(exchange, path, fault);
                return;
            }
            if (fault != null) Thread.sleep(fault.millis());
            send(exchange, route(exchange, path));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        } catch (IOException | UncheckedIOException e) {
            // The client went away; nothing to answer.
        } catch (RuntimeException e) {
            // A sandbox bug: say so instead of leaving the client to guess.
            try {
                send(exchange, new Answer(500, "text/plain; charset=utf-8",
                        ("sandbox bug: " + e).getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent; closing is all that is left
            }
        } finally {
            exchange.close();
        }
    }

    private Answer route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        return switch (path) {
            case STABLE_TOKEN_PATH -> "POST".equals(method)
                    ? stableToken(readBody(exchange))
                    : error(WeChatErrors.REQUIRE_POST);
            case LEGACY_TOKEN_PATH -> "GET".equals(method)
                    ? legacyToken(query(exchange))
                    : error(WeChatErrors.REQUIRE_GET);
            case CODE2VERIFYINFO_PATH -> "GET".equals(method)
                    ? code2VerifyInfo(query(exchange))
                    : error(WeChatErrors.REQUIRE_GET);
            case UNREGISTER_USER_PATH -> "POST".equals(method)
                    ? unregisterUser(query(exchange), readBody(exchange))
                    : error(WeChatErrors.REQUIRE_POST);
            case PHONE_NUMBER_PATH -> "POST".equals(method)
                    ? phoneNumber(query(exchange), readBody(exchange))
                    : error(WeChatErrors.REQUIRE_POST);
            case JSCODE2SESSION_PATH -> "GET".equals(method)
                    ? jsCode2Session(query(exchange))
                    : error(WeChatErrors.REQUIRE_GET);
            case SANDBOX_CODES_PATH -> sandboxCodes(method, readBody(exchange));
            default -> error(WeChatErrors.INVALID_URL);
        };
    }

    private Answer stableToken(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return error(WeChatErrors.DATA_FORMAT_ERROR);
        }
        if (request == null || !request.isObject()) return error(WeChatErrors.DATA_FORMAT_ERROR);
        String appid = request.path("appid").asText("");
        // stable_token serves any account: the multi-terminal app's and the mini program's credentials both work.
        Credentials miniProgram = miniProgramCredentials;
        Answer rejected = miniProgram.appid().equals(appid)
                ? checkClientCredentials(miniProgram, request.path("grant_type").asText(""), appid, request.path("secret").asText(""))
                : checkClientCredentials(credentials, request.path("grant_type").asText(""), appid, request.path("secret").asText(""));
        if (rejected != null) return rejected;
        boolean forceRefresh = request.path("force_refresh").asBoolean(false);
        Instant now = clock.instant();
        AccessToken token;
        synchronized (lock) {
            AccessToken current = stableTokens.get(appid);
            boolean reusable = current != null && current.usable(now);
            if (!reusable || forceRefresh) {
                if (current != null) shortenToGrace(current, now);
                current = mint(appid, now);
                stableTokens.put(appid, current);
            }
            token = current;
        }
        return tokenAnswer(token, now);
    }

    private Answer legacyToken(Map<String, String> query) {
        Answer rejected = checkClientCredentials(credentials,
                query.getOrDefault("grant_type", ""), query.getOrDefault("appid", ""), query.getOrDefault("secret", ""));
        if (rejected != null) return rejected;
        Instant now = clock.instant();
        AccessToken token;
        synchronized (lock) {
            if (legacyToken != null) shortenToGrace(legacyToken, now);
            legacyToken = mint(credentials.appid(), now);
            token = legacyToken;
        }
        return tokenAnswer(token, now);
    }

    private Answer checkClientCredentials(Credentials current, String grantType, String appid, String secret) {
        if (!"client_credential".equals(grantType)) return error(WeChatErrors.INVALID_GRANT_TYPE);
        if (!current.appid().equals(appid)) return error(WeChatErrors.INVALID_APPID);
        if (!current.appsecret().equals(secret)) return error(WeChatErrors.INVALID_APPSECRET);
        return null;
    }

    private AccessToken mint(String appid, Instant now) {
        AccessToken token = new AccessToken("sbx_" + randomToken(), appid, now.plus(accessTokenLifetime));
        tokens.put(token.value, token);
        return token;
    }

    private static void shortenToGrace(AccessToken token, Instant now) {
        Instant graceEnd = now.plus(REPLACED_TOKEN_GRACE);
        if (graceEnd.isBefore(token.expiresAt)) token.expiresAt = graceEnd;
    }

    private static Answer tokenAnswer(AccessToken token, Instant now) {
        long remainingMillis = Duration.between(now, token.expiresAt).toMillis();
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", token.value);
        body.put("expires_in", (remainingMillis + 999) / 1000); // round up: a usable token never says 0
        return Answer.json(200, body);
    }

    /** The access_token check every token-authenticated API makes first; null when the token is good. */
    private Answer checkAccessToken(Map<String, String> query, Credentials current, Instant now) {
        String accessToken = query.get("access_token");
        if (accessToken == null || accessToken.isEmpty()) return error(WeChatErrors.ACCESS_TOKEN_MISSING);
        synchronized (lock) {
            AccessToken token = tokens.get(accessToken);
            if (token == null || token.invalidated || !token.appid.equals(current.appid())) {
                return error(WeChatErrors.INVALID_CREDENTIAL);
            }
            if (token.expired || !now.isBefore(token.expiresAt)) return error(WeChatErrors.ACCESS_TOKEN_EXPIRED);
        }
        return null;
    }

    private Answer code2VerifyInfo(Map<String, String> query) {
        Credentials current = credentials;
        Instant now = clock.instant();
        Answer badToken = checkAccessToken(query, current, now);
        if (badToken != null) return badToken;
        if (!current.appid().equals(query.get("appid"))) return error(WeChatErrors.BAD_APPID);
        // Only the parameter named appsecret counts; "secret" (the token endpoints' name) is a common mistake.
        if (!current.appsecret().equals(query.get("appsecret"))) return error(WeChatErrors.BAD_APPSECRET);
        if (!"authorization_code".equals(query.get("grant_type"))) return error(WeChatErrors.BAD_GRANT_TYPE);

        String code = query.get("code");
        SandboxCode parsed = SandboxCode.parse(code).filter(c -> !c.miniProgram()).orElse(null);
        if (parsed == null) return error(WeChatErrors.CODE_INVALID);
        Integer refused = consume(code, parsed.scenario(), parsed.scenario().errcode(), WeChatErrors.CODE_INVALID,
                WeChatErrors.CODE_EXPIRED, now);
        if (refused != null) return error(refused);
        String userId;
        synchronized (lock) {
            userId = SandboxUsers.userId(parsed.scenario(), parsed.user(),
                    unregistrations.getOrDefault(personKey(parsed), 0));
            registeredUserIds.put(userId, personKey(parsed));
        }
        return handOut(SandboxUsers.success(JSON, parsed.scenario(), parsed.user(), userId, current.appid(), now));
    }

    private Answer phoneNumber(Map<String, String> query, byte[] body) {
        Instant now = clock.instant();
        Answer badToken = checkAccessToken(query, miniProgramCredentials, now);
        if (badToken != null) return badToken;
        String code = textMember(body, "code");
        if (code == null) return error(WeChatErrors.DATA_FORMAT_ERROR);
        Matcher phone = PHONE_CODE.matcher(code);
        if (!phone.matches()) return error(WeChatErrors.JS_CODE_INVALID);
        String number = phoneNumberOf(phone.group(1));
        synchronized (lock) {
            if (consumedCodes.contains(code)) return error(WeChatErrors.JS_CODE_INVALID);
            Instant issuedAt = codeIssuedAt.computeIfAbsent(code, c -> now);
            if (!now.isBefore(issuedAt.plus(codeLifetime))) return error(WeChatErrors.JS_CODE_INVALID);
            consumedCodes.add(code);
            codeIssuedAt.remove(code);
            phoneNumbers.add(number);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("errcode", 0);
        answer.put("errmsg", "ok");
        ObjectNode info = answer.putObject("phone_info");
        info.put("phoneNumber", number);
        info.put("purePhoneNumber", number);
        info.put("countryCode", "86");
        ObjectNode watermark = info.putObject("watermark");
        watermark.put("timestamp", now.getEpochSecond());
        watermark.put("appid", miniProgramCredentials.appid());
        return Answer.json(200, answer);
    }

    private static String personKey(SandboxCode code) {
        return code.scenario().id() + "_" + code.user();
    }

    /** A string member of a JSON body; null when the body is not JSON or the member is no string (47001). */
    private static String textMember(byte[] body, String name) {
        try {
            JsonNode request = JSON.readTree(body);
            return request != null && request.path(name).isTextual() ? request.get(name).asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private Answer unregisterUser(Map<String, String> query, byte[] body) {
        Answer badToken = checkAccessToken(query, credentials, clock.instant());
        if (badToken != null) return badToken;
        String userId = textMember(body, "user_id");
        if (userId == null) return error(WeChatErrors.DATA_FORMAT_ERROR);
        synchronized (lock) {
            String person = registeredUserIds.remove(userId);
            if (person == null) return error(WeChatErrors.NO_SUCH_USER);
            unregisteredUserIds.add(userId);
            unregistrations.merge(person, 1, Integer::sum);
        }
        ObjectNode ok = JSON.createObjectNode();
        ok.put("errcode", 0);
        ok.put("errmsg", "ok");
        return Answer.json(200, ok);
    }

    private Answer jsCode2Session(Map<String, String> query) {
        Credentials current = miniProgramCredentials;
        Instant now = clock.instant();
        if (query.getOrDefault("appid", "").isEmpty()) return error(WeChatErrors.APPID_MISSING);
        if (query.getOrDefault("secret", "").isEmpty()) return error(WeChatErrors.SECRET_MISSING);
        String code = query.getOrDefault("js_code", "");
        if (code.isEmpty()) return error(WeChatErrors.JS_CODE_MISSING);
        if (!current.appid().equals(query.get("appid"))) return error(WeChatErrors.INVALID_APPID);
        if (!current.appsecret().equals(query.get("secret"))) return error(WeChatErrors.INVALID_APPSECRET);
        if (!"authorization_code".equals(query.get("grant_type"))) return error(WeChatErrors.INVALID_GRANT_TYPE);

        SandboxCode parsed = SandboxCode.parse(code).filter(SandboxCode::miniProgram).orElse(null);
        if (parsed == null) return error(WeChatErrors.JS_CODE_INVALID);
        Integer refused = consume(code, parsed.scenario(), parsed.scenario().miniProgramErrcode(), WeChatErrors.JS_CODE_USED,
                WeChatErrors.JS_CODE_INVALID, now);
        if (refused != null) return error(refused);
        return handOut(SandboxUsers.miniProgramSession(JSON, parsed.scenario(), parsed.user(), randomSessionKey()));
    }

    /** A successful answer, its session_keys recorded first. */
    private Answer handOut(ObjectNode answer) {
        synchronized (lock) {
            answer.findValues("session_key").forEach(key -> sessionKeys.add(key.asText()));
        }
        return Answer.json(200, answer);
    }

    /**
     * The code's life, the same for both code APIs: the errcode that refuses it, or null when it is
     * now consumed. A typed code counts as issued at its first presentation; only a success
     * consumes; busyOnce answers -1 once without consuming.
     */
    private Integer consume(String code, Scenario scenario, int scenarioErrcode, int usedErrcode, int expiredErrcode,
                            Instant now) {
        synchronized (lock) {
            if (consumedCodes.contains(code)) return usedErrcode;
            Instant issuedAt = codeIssuedAt.computeIfAbsent(code, c -> now);
            if (!now.isBefore(issuedAt.plus(codeLifetime))) return expiredErrcode;
            if (scenarioErrcode != 0) return scenarioErrcode;
            if (scenario == Scenario.BUSY_ONCE && busyCodesSeen.add(code)) return WeChatErrors.SYSTEM_ERROR;
            consumedCodes.add(code);
            codeIssuedAt.remove(code);
            busyCodesSeen.remove(code);
            return null;
        }
    }

    private Answer sandboxCodes(String method, byte[] body) {
        if ("GET".equals(method)) {
            ObjectNode answer = JSON.createObjectNode();
            answer.putPOJO("scenarios", Scenario.ids());
            return Answer.json(200, answer);
        }
        if (!"POST".equals(method)) return helperError(405, "use POST {\"scenario\":\"weixinApp\",\"user\":\"alice\"}");
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || !request.isObject() || !request.path("scenario").isTextual()) {
            return helperError(400, "body must be {\"scenario\":\"weixinApp\",\"user\":\"alice\"} (user optional)");
        }
        JsonNode user = request.get("user");
        String kind = request.path("kind").asText("identity");
        if (!kind.equals("identity") && !kind.equals("miniProgram") && !kind.equals("phone")) {
            return helperError(400, "kind must be \"identity\" (code2verifyinfo, the default), \"miniProgram\" (jscode2session)"
                    + " or \"phone\" (getuserphonenumber; needs a user)");
        }
        if (kind.equals("phone")) {
            try {
                ObjectNode answer = JSON.createObjectNode();
                answer.put("code", issuePhoneCode(user == null || user.isNull() ? null : user.asText()));
                return Answer.json(200, answer);
            } catch (IllegalArgumentException e) {
                return helperError(400, e.getMessage());
            }
        }
        try {
            String userName = user == null || user.isNull() ? null : user.asText();
            String scenario = request.get("scenario").asText();
            String code = kind.equals("miniProgram") ? issueMiniProgramCode(scenario, userName) : issueCode(scenario, userName);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("code", code);
            return Answer.json(200, answer);
        } catch (IllegalArgumentException e) {
            return helperError(400, e.getMessage());
        }
    }

    private static Answer helperError(int status, String message) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("error", message);
        answer.putPOJO("scenarios", Scenario.ids());
        return Answer.json(status, answer);
    }

    // ---------------------------------------------------------------- faults

    private Fault takeFault(String path) {
        synchronized (lock) {
            Deque<Fault> queue = faults.get(path);
            if (queue == null) return null;
            Fault fault = queue.poll();
            if (queue.isEmpty()) faults.remove(path);
            return fault;
        }
    }

    private void answerFault(HttpExchange exchange, String path, Fault fault) throws IOException {
        switch (fault.kind()) {
            case HTTP_500 -> send(exchange, new Answer(500, "text/html; charset=utf-8",
                    "<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>"
                            .getBytes(StandardCharsets.UTF_8)));
            case GARBAGE -> send(exchange, new Answer(200, JSON_CONTENT_TYPE,
                    "<html>not json".getBytes(StandardCharsets.UTF_8)));
            case TRUNCATED -> {
                byte[] whole = JSON.writeValueAsBytes(sampleAnswer(path));
                byte[] half = Arrays.copyOf(whole, whole.length / 2);
                send(exchange, new Answer(200, JSON_CONTENT_TYPE, half));
            }
            case HUGE -> sendHuge(exchange);
            case ERRCODE -> send(exchange, error(fault.errcode()));
            case DROP -> exchange.close(); // no status line at all: the client sees the connection end
            case SLOW -> throw new IllegalStateException("SLOW is handled before routing");
        }
    }

    /** What a successful answer on {@code path} looks like, to cut in half. */
    private ObjectNode sampleAnswer(String path) {
        Instant now = clock.instant();
        return switch (path) {
            case STABLE_TOKEN_PATH, LEGACY_TOKEN_PATH -> {
                ObjectNode body = JSON.createObjectNode();
                body.put("access_token", "sbx_" + randomToken());
                body.put("expires_in", accessTokenLifetime.toSeconds());
                yield body;
            }
            case JSCODE2SESSION_PATH -> SandboxUsers.miniProgramSession(JSON, Scenario.WEIXIN_APP,
                    SandboxCode.DEFAULT_USER, randomSessionKey());
            default -> SandboxUsers.success(JSON, Scenario.WEIXIN_APP, SandboxCode.DEFAULT_USER,
                    SandboxUsers.userId(Scenario.WEIXIN_APP, SandboxCode.DEFAULT_USER, 0), credentials.appid(), now);
        };
    }

    private static void sendHuge(HttpExchange exchange) throws IOException {
        byte[] prefix = "{\"errcode\":0,\"errmsg\":\"ok\",\"padding\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        exchange.getResponseHeaders().set("Content-Type", JSON_CONTENT_TYPE);
        exchange.sendResponseHeaders(200, (long) prefix.length + HUGE_PADDING_BYTES + suffix.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(prefix);
            for (int written = 0; written < HUGE_PADDING_BYTES; written += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, HUGE_PADDING_BYTES - written));
            }
            out.write(suffix);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Answer error(int errcode) {
        ObjectNode body = JSON.createObjectNode();
        body.put("errcode", errcode);
        body.put("errmsg", WeChatErrors.message(errcode) + " rid: " + rid());
        return Answer.json(200, body);
    }

    /** Shaped like WeChat's: 8 hex digits of epoch seconds, then two random groups. */
    private String rid() {
        return String.format("%08x-%08x-%08x",
                clock.instant().getEpochSecond() & 0xffffffffL, RANDOM.nextInt(), RANDOM.nextInt());
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        return exchange.getRequestBody().readNBytes(MAX_REQUEST_BYTES);
    }

    /** Query parameters, URL-decoded; the first occurrence of a name wins. */
    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) return params;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static String randomToken() {
        byte[] bytes = new byte[48];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** 16 random bytes in base64, the shape of WeChat's session_key. */
    private static String randomSessionKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String randomString(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        return new String(chars);
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
