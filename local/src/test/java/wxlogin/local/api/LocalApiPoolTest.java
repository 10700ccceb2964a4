// Component level: Lambda-like instances (pool size, reuse, timeouts) of the local API.
package wxlogin.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import wxlogin.local.api.fixtures.SlowHandler;

class LocalApiPoolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private LocalApi api;

    @BeforeEach
    void start() {
        api = LocalApi.builder().template(SamTemplateTest.testTemplate()).maxInstancesPerFunction(1).build().start();
        SlowHandler.MAX_RUNNING.set(0);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private CompletableFuture<HttpResponse<String>> slow(long ms) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(api.url() + "/slow?ms=" + ms)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oneInstanceServesConcurrentRequestsOneAfterTheOther() throws Exception {
        assertThat(api.instancesCreated("SlowFunction")).isZero(); // created lazily
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> first = slow(300);
        CompletableFuture<HttpResponse<String>> second = slow(300);
        HttpResponse<String> a = first.get();
        HttpResponse<String> b = second.get();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(b.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(a.body()).get("instance")).isEqualTo(JSON.readTree(b.body()).get("instance"));
        assertThat(api.instancesCreated("SlowFunction")).isEqualTo(1);
        assertThat(api.invocations("SlowFunction")).isEqualTo(2);
        assertThat(SlowHandler.MAX_RUNNING.get()).isEqualTo(1);
        assertThat(elapsedMs).isGreaterThanOrEqualTo(600);
    }

    @Test
    void invocationPastTheTimeoutIs503AndTheInstanceIsReplaced() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> late = slow(5_000).get(); // the function's Timeout is 1 s
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(late.body()).isEqualTo("{\"message\":\"Service Unavailable\"}");
        assertThat(elapsedMs).isLessThan(3_000);

        assertThat(slow(10).get().statusCode()).isEqualTo(200);
        assertThat(api.instancesCreated("SlowFunction")).isEqualTo(2); // the timed-out one was discarded
    }
}
