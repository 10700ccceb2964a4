package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Test helper: talks to a {@link WeChatSandbox} over real HTTP, the way a backend would. */
final class SandboxHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final WeChatSandbox sandbox;
    private final HttpClient client;
    private final String appid;
    private final String appsecret;

    SandboxHttp(WeChatSandbox sandbox, String appid, String appsecret) {
        this.sandbox = sandbox;
        this.appid = appid;
        this.appsecret = appsecret;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().timeout(Duration.ofSeconds(5)).build());
    }

    HttpResponse<String> post(String pathAndQuery, String body) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(5)).build());
    }

    JsonNode stableTokenAnswer(boolean forceRefresh) {
        return json(post(WeChatSandbox.STABLE_TOKEN_PATH, """
                {"grant_type":"client_credential","appid":"%s","secret":"%s","force_refresh":%s}"""
                .formatted(appid, appsecret, forceRefresh)));
    }

    String stableToken() {
        JsonNode answer = stableTokenAnswer(false);
        if (!answer.has("access_token")) throw new AssertionError("no token: " + answer);
        return answer.get("access_token").asText();
    }

    /** The five query parameters the way WeChat documents them; {@code overrides} replace or add (null removes). */
    Map<String, String> code2VerifyInfoParams(String accessToken, String code) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("access_token", accessToken);
        params.put("appid", appid);
        params.put("appsecret", appsecret);
        params.put("code", code);
        params.put("grant_type", "authorization_code");
        return params;
    }

    JsonNode code2VerifyInfo(Map<String, String> params) {
        return json(get(WeChatSandbox.CODE2VERIFYINFO_PATH + "?" + query(params)));
    }

    /** A full exchange with a fresh stable token, as the backend does it. */
    JsonNode exchange(String code) {
        return code2VerifyInfo(code2VerifyInfoParams(stableToken(), code));
    }

    static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    private URI uri(String pathAndQuery) {
        return URI.create(sandbox.baseUrl() + pathAndQuery);
    }
}
