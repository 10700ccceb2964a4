package wxlogin.common;

/**
 * Which function a thread works for, and for which request: the {@code function} and
 * {@code requestId} of every log line and the {@code Function} dimension of every metric. A
 * handler opens a {@link Scope} for each invocation; outside one (init, priming, SnapStart hooks)
 * the function is the one whose handler this JVM started first (in Lambda, the only one).
 */
public final class Invocation {

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private static volatile String started;

    private Invocation() {
    }

    /** Names this JVM's function, unless a handler already did (first wins: in Lambda, the handler Lambda loaded). */
    public static synchronized void startedAs(String function) {
        if (started == null) {
            started = function;
        }
    }

    /** Opens the scope of one invocation on this thread; closing it restores what was there before. */
    public static Scope begin(String function, String requestId) {
        Scope scope = new Scope(function, requestId, CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** The logical function name (login, gate, session, account, or a cloud function's name), null if none is known. */
    public static String function() {
        Scope scope = CURRENT.get();
        return scope != null ? scope.function : started;
    }

    /** The Lambda request id of the invocation this thread runs, null outside one. */
    public static String requestId() {
        Scope scope = CURRENT.get();
        return scope != null ? scope.requestId : null;
    }

    /** One invocation on one thread. */
    public static final class Scope implements AutoCloseable {
        private final String function;
        private final String requestId;
        private final Scope outer;

        private Scope(String function, String requestId, Scope outer) {
            this.function = function;
            this.requestId = requestId;
            this.outer = outer;
        }

        @Override
        public void close() {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }
}
