// Test support: runs the same checks from several threads released at once (used by asserting tests).
package wxlogin.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Many threads on one shared object: each runs its calls, all released together. */
public final class Concurrently {

    /** One call; throws (e.g. an AssertionError) when the answer is wrong. */
    public interface Call {
        void run(int thread, int index) throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Runs {@code callsPerThread} calls on each of {@code threads} threads and answers how many
     * completed; the first failure fails the caller (as an ExecutionException).
     */
    public static int run(int threads, int callsPerThread, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Integer> work = () -> {
                    start.await();
                    for (int i = 0; i < callsPerThread; i++) {
                        call.run(thread, i);
                    }
                    return callsPerThread;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(2, TimeUnit.MINUTES);
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}
