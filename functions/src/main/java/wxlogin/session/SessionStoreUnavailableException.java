package wxlogin.session;

/** The session store could not answer now (network, throttling, 5xx, no time left): transient. */
public class SessionStoreUnavailableException extends RuntimeException {

    private final boolean throttled;

    public SessionStoreUnavailableException(String message, boolean throttled, Throwable cause) {
        super(message, cause, false, false);
        this.throttled = throttled;
    }

    public boolean throttled() {
        return throttled;
    }
}
