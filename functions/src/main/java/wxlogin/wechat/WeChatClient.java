package wxlogin.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import wxlogin.common.Deadline;
import wxlogin.common.Json;
import wxlogin.common.Metrics;
import wxlogin.wechat.WeChatException.Kind;

/**
 * WeChat's server API over the JDK's HTTP client. Every call is bounded by the invocation's {@link Deadline}; URLs carry secrets, so they are
 * never logged or put into exceptions.
 */
public final class WeChatClient {

    static final String STABLE_TOKEN = "stable_token";
    static final String CODE_EXCHANGE = "code2verifyinfo";
    public static final String MINI_PROGRAM_EXCHANGE = "jscode2session";
    /** WeChat answers are a few hundred bytes; anything past this is not an answer. */
    static final int MAX_BODY_BYTES = 256 * 1024;
    private static final int CONNECT_CAP_MILLIS = 2_000;
    private static final int READ_CAP_MILLIS = 8_000;
    /** Below this, a call cannot succeed; fail fast instead of passing 0 (= no timeout). */
    private static final int MIN_CALL_MILLIS = 100;

    private final String baseUrl;
    // Built on first use and dropped after a SnapStart restore: a snapshot must not carry its TLS
    // state and random seed, nor pooled connections that died while the snapshot slept.
    private volatile HttpClient http;

    public WeChatClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** Forgets the HTTP client and its connections (after a SnapStart restore). */
    public void dropConnections() {
        HttpClient current = http;
        http = null;
        if (current != null) {
            current.shutdownNow();
        }
    }

    private HttpClient http() {
        HttpClient current = http;
        if (current == null) {
            synchronized (this) {
                current = http;
                if (current == null) {
                    // java.net.http rather than HttpURLConnection: the latter silently re-sends a GET whose
                    // connection broke, which would present a single-use code twice. This client retries
                    // only on a pooled connection that died before the request was read.
                    current = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofMillis(CONNECT_CAP_MILLIS))
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    http = current;
                }
            }
        }
        return current;
    }

    /** {@code POST cgi-bin/stable_token}: the same token while valid, so instances never invalidate each other. */
    public AccessToken stableToken(WeChatCredentials credentials, Deadline deadline) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("grant_type", "client_credential");
        request.put("appid", credentials.appid());
        request.put("secret", credentials.appsecret());
        request.put("force_refresh", false);
        JsonNode body = call(STABLE_TOKEN, "POST", baseUrl + "/cgi-bin/stable_token", Json.write(request), deadline);
        String token = Json.text(body, "access_token");
        Long expiresIn = wholeNumber(body.get("expires_in"));
        if (token == null || token.isEmpty() || expiresIn == null || expiresIn <= 0) {
            throw new WeChatException(STABLE_TOKEN, Kind.BAD_ANSWER, 0, null, "no access_token/expires_in", null);
        }
        return new AccessToken(token, expiresIn);
    }

    /** {@code GET donut/code2verifyinfo} with every parameter in the query string, as WeChat requires. */
    public VerifyInfo codeToVerifyInfo(WeChatCredentials credentials, String accessToken, String code,
                                       Deadline deadline) {
        String url = baseUrl + "/donut/code2verifyinfo"
                + "?access_token=" + encode(accessToken)
                + "&appid=" + encode(credentials.appid())
                + "&appsecret=" + encode(credentials.appsecret())
                + "&code=" + encode(code)
                + "&grant_type=authorization_code";
        JsonNode body = call(CODE_EXCHANGE, "GET", url, null, deadline);
        VerifyInfo info = VerifyInfo.from(body, credentials.appid());
        if (info == null) {
            throw new WeChatException(CODE_EXCHANGE, Kind.BAD_ANSWER, 0, null, "no login_info.type or user_info.user_id", null);
        }
        return info;
    }

    /**
     * {@code GET sns/jscode2session} with the mini program's appid and secret (no access token).
     * The answer's {@code session_key} is dropped here: it never leaves this method.
     */
    public MiniProgramSession jsCodeToSession(WeChatCredentials miniProgram, String code, Deadline deadline) {
        String url = baseUrl + "/sns/jscode2session"
                + "?appid=" + encode(miniProgram.appid())
                + "&secret=" + encode(miniProgram.appsecret())
                + "&js_code=" + encode(code)
                + "&grant_type=authorization_code";
        JsonNode body = call(MINI_PROGRAM_EXCHANGE, "GET", url, null, deadline);
        String openid = Json.text(body, "openid");
        if (openid == null || openid.isBlank()) {
            throw new WeChatException(MINI_PROGRAM_EXCHANGE, Kind.BAD_ANSWER, 0, null, "no openid", null);
        }
        String unionid = Json.text(body, "unionid");
        return new MiniProgramSession(miniProgram.appid(), openid, unionid == null || unionid.isBlank() ? null : unionid);
    }

    /** Who a mini-program code belongs to: the mini program's appid, the openid in it, the unionid if any. */
    public record MiniProgramSession(String appid, String openid, String unionid) {
    }

    /**
     * {@code POST <path>?access_token=} with a JSON body: WeChat's server APIs (what {@code cloud.openapi}
     * calls in WeChat Cloud). The answer, its errcode 0 or absent; any other errcode is a {@link WeChatException}.
     *
     * @param stage names the API in failures and logs, e.g. {@code getuserphonenumber}
     */
    public JsonNode post(String stage, String path, String accessToken, String jsonBody, Deadline deadline) {
        return call(stage, "POST", baseUrl + path + "?access_token=" + encode(accessToken), jsonBody, deadline);
    }

    /** One call, counted: metrics WeChatCall and WeChatLatency, and DependencyFailure when WeChat failed us. */
    private JsonNode call(String stage, String method, String url, String jsonBody, Deadline deadline) {
        long start = System.nanoTime();
        try {
            JsonNode body = send(stage, method, url, jsonBody, deadline);
            Metrics.weChatCall(stage, "ok", (System.nanoTime() - start) / 1_000_000, null, null);
            return body;
        } catch (WeChatException e) {
            boolean quota = e.kind() == Kind.ERRCODE && (e.errcode() == 45009L || e.errcode() == 45011L);
            String outcome = quota ? "quota" : e.kind() == Kind.ERRCODE ? "errcode" : "unavailable";
            Metrics.weChatCall(stage, outcome, (System.nanoTime() - start) / 1_000_000,
                    e.kind() == Kind.ERRCODE ? e.errcode() : null, e.rid());
            if (quota || e.kind() != Kind.ERRCODE) {
                Metrics.dependencyFailure(Metrics.Dependency.WECHAT, quota ? "throttled" : "unavailable");
            }
            throw e;
        }
    }

    private JsonNode send(String stage, String method, String url, String jsonBody, Deadline deadline) {
        if (!deadline.allows(MIN_CALL_MILLIS)) {
            throw new WeChatException(stage, Kind.TIMEOUT, 0, null, "no time left for the call", null);
        }
        long budget = deadline.timeoutMillis(READ_CAP_MILLIS);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMillis(budget))
                .header("Accept", "application/json");
        if (jsonBody != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        CompletableFuture<HttpResponse<byte[]>> pending =
                http().sendAsync(request.build(), info -> LimitedBody.of(MAX_BODY_BYTES));
        try {
            // The request timeout covers the headers; this bound covers the body too.
            response = pending.get(budget, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new WeChatException(stage, Kind.TIMEOUT, 0, null, "no answer in " + budget + " ms", null);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new WeChatException(stage, Kind.TIMEOUT, 0, null, "interrupted", null);
        } catch (ExecutionException e) {
            throw transportFailure(stage, e.getCause());
        }
        if (response.statusCode() != 200) {
            throw new WeChatException(stage, Kind.BAD_ANSWER, 0, null, "HTTP " + response.statusCode(), null);
        }
        if (response.body() == null) {
            throw new WeChatException(stage, Kind.BAD_ANSWER, 0, null, "answer larger than " + MAX_BODY_BYTES + " bytes", null);
        }
        JsonNode body = Json.objectOrNull(new String(response.body(), StandardCharsets.UTF_8));
        if (body == null) {
            throw new WeChatException(stage, Kind.BAD_ANSWER, 0, null, "answer is not a JSON object", null);
        }
        JsonNode errcode = body.get("errcode");
        if (errcode != null && !errcode.isNull()) {
            long code = parseErrcode(errcode, stage);
            if (code != 0) {
                throw WeChatException.errcode(stage, code, Json.text(body, "errmsg"));
            }
        }
        return body;
    }

    private static WeChatException transportFailure(String stage, Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException
                || cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
            // The request never left: safe to send again.
            return new WeChatException(stage, Kind.UNREACHABLE, 0, null, cause.getClass().getSimpleName(), null);
        }
        if (cause instanceof LimitedBody.TooLarge) {
            return new WeChatException(stage, Kind.BAD_ANSWER, 0, null, "answer larger than " + MAX_BODY_BYTES + " bytes", null);
        }
        return new WeChatException(stage, Kind.TIMEOUT, 0, null,
                "no usable answer: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()), null);
    }

    /** WeChat sends a number; a numeric string is accepted too. Anything else is not an answer we understand. */
    private static long parseErrcode(JsonNode errcode, String stage) {
        Long number = wholeNumber(errcode);
        if (number != null) {
            return number;
        }
        try {
            if (errcode.isTextual()) {
                return Long.parseLong(errcode.asText().trim());
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new WeChatException(stage, Kind.BAD_ANSWER, 0, null, "errcode is not a number", null);
    }

    /** A JSON number that is whole and fits a long, else null (absent, another type, a fraction, too large). */
    private static Long wholeNumber(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        double d = value.doubleValue();
        return d == Math.rint(d) && d >= Long.MIN_VALUE && d <= Long.MAX_VALUE ? (long) d : null;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** An access token and its lifetime in seconds. {@link #toString()} hides the token. */
    public record AccessToken(String value, long expiresInSeconds) {
        @Override
        public String toString() {
            return "AccessToken[expiresIn=" + expiresInSeconds + "]";
        }
    }
}
