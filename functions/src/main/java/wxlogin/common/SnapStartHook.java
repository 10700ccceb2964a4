package wxlogin.common;

import java.util.concurrent.atomic.AtomicBoolean;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A handler's SnapStart hooks. {@code beforeCheckpoint} primes: it runs the function's first
 * invocation against a loopback endpoint (see {@code wxlogin.priming.Priming}), so the snapshot
 * holds its classes loaded and its code compiled; a priming failure is logged and ignored, never
 * failing init; its metrics are dropped ({@link #priming()}). {@code afterRestore} counts the
 * restore (metric {@code Restore}, once however many hooks) and marks what a snapshot must not reuse (secrets, tokens,
 * connections, random generators) as stale. The handler keeps the returned hook in a field: CRaC
 * holds resources weakly.
 */
public final class SnapStartHook implements Resource {

    /** Set while a hook primes: the handlers priming builds register no hooks of their own. */
    private static volatile boolean priming;
    /** Whether this restore was counted: one Restore per restore, however many hooks the function has. */
    private static final AtomicBoolean RESTORE_COUNTED = new AtomicBoolean();

    private final Runnable beforeCheckpoint;
    private final Runnable afterRestore;

    private SnapStartHook(Runnable beforeCheckpoint, Runnable afterRestore) {
        this.beforeCheckpoint = beforeCheckpoint;
        this.afterRestore = afterRestore;
    }

    /** Creates the hook and registers it with CRaC's global context (not while priming: see {@link #priming}). */
    public static SnapStartHook register(Runnable beforeCheckpoint, Runnable afterRestore) {
        SnapStartHook hook = new SnapStartHook(beforeCheckpoint, afterRestore);
        if (!priming) {
            Core.getGlobalContext().register(hook);
        }
        return hook;
    }

    /** True while a hook primes: what runs then is SnapStart's rehearsal, not a request (no metrics). */
    public static boolean priming() {
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        RESTORE_COUNTED.set(false);
        long start = System.nanoTime();
        priming = true;
        try {
            beforeCheckpoint.run();
            Log.info("snapstart.primed", "millis", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Only the type: priming's messages are ours, but an SDK message could quote anything.
            Log.warn("snapstart.priming_failed", "type", e.getClass().getName());
        } finally {
            priming = false;
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        if (RESTORE_COUNTED.compareAndSet(false, true)) {
            Metrics.restore();
        }
        afterRestore.run();
    }
}
