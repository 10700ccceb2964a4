// Level: component test — WeChatSandbox under 32 concurrent clients over real HTTP.
package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatSandboxConcurrencyTest {

    private static final int CLIENTS = 32;
    private static final int EXCHANGES_PER_CLIENT = 5;

    @Test
    void concurrentClientsShareOneStableTokenAndEachCodeWorksExactlyOnce() throws Exception {
        try (WeChatSandbox sandbox = WeChatSandbox.builder().credentials("wxload", "load-secret").start()) {
            SandboxHttp http = new SandboxHttp(sandbox, "wxload", "load-secret");
            Set<String> tokens = ConcurrentHashMap.newKeySet();
            Set<String> userIds = ConcurrentHashMap.newKeySet();
            // Every client also presents one shared code: exactly one of them may win it.
            String shared = sandbox.issueCode("weixinApp", "shared");
            List<Integer> sharedResults = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    String user = "u" + c;
                    futures.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < EXCHANGES_PER_CLIENT; i++) {
                            String token = http.stableToken();
                            tokens.add(token);
                            JsonNode answer = http.code2VerifyInfo(http.code2VerifyInfoParams(token, sandbox.issueCode("weixinApp", user)));
                            assertThat(answer.get("errcode").asInt()).isZero();
                            userIds.add(answer.at("/user_info/user_id").asText());
                        }
                        sharedResults.add(http.exchange(shared).get("errcode").asInt());
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> future : futures) future.get(20, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(tokens).hasSize(1);
            assertThat(userIds).hasSize(CLIENTS);
            assertThat(sharedResults).hasSize(CLIENTS).containsOnlyOnce(0).filteredOn(r -> r != 0).containsOnly(10001001);
            assertThat(sandbox.calls(WeChatSandbox.CODE2VERIFYINFO_PATH)).isEqualTo(CLIENTS * (EXCHANGES_PER_CLIENT + 1L));
            assertThat(sandbox.calls(WeChatSandbox.LEGACY_TOKEN_PATH)).isZero();
        }
    }
}
