package wxlogin.common;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A handler's SnapStart hooks: {@code beforeCheckpoint} primes code paths (no network, nothing
 * random), {@code afterRestore} marks what a snapshot must not reuse as stale. The handler keeps
 * the returned hook in a field: CRaC holds resources weakly.
 */
public final class SnapStartHook implements Resource {

    private final Runnable beforeCheckpoint;
    private final Runnable afterRestore;

    private SnapStartHook(Runnable beforeCheckpoint, Runnable afterRestore) {
        this.beforeCheckpoint = beforeCheckpoint;
        this.afterRestore = afterRestore;
    }

    /** Creates the hook and registers it with CRaC's global context. */
    public static SnapStartHook register(Runnable beforeCheckpoint, Runnable afterRestore) {
        SnapStartHook hook = new SnapStartHook(beforeCheckpoint, afterRestore);
        Core.getGlobalContext().register(hook);
        return hook;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        beforeCheckpoint.run();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        afterRestore.run();
    }
}
