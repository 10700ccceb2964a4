package wxlogin.common;

/**
 * The project's one error type for answers to clients: an HTTP status, the contract's
 * {@code errCode} (WeChat's own errcode when WeChat decided, else a project code from
 * {@link ErrorCodes}) and an {@code errMsg} that is safe to show and says what to do.
 * The message of this exception is the loggable cause, never sent to the client.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final long errCode;
    private final String clientMessage;
    private final Integer retryAfterSeconds;

    public ApiException(int status, long errCode, String clientMessage, Integer retryAfterSeconds,
                        String logCause, Throwable cause) {
        super(logCause, cause, false, false);
        this.status = status;
        this.errCode = errCode;
        this.clientMessage = clientMessage;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ApiException(int status, long errCode, String clientMessage, String logCause) {
        this(status, errCode, clientMessage, null, logCause, null);
    }

    public int status() {
        return status;
    }

    public long errCode() {
        return errCode;
    }

    public String clientMessage() {
        return clientMessage;
    }

    /** Seconds for a {@code Retry-After} header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
