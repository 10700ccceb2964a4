package wxlogin.users;

/** The user directory could not be read or written in time (unreachable, throttled, failing, contended). */
public final class UserDirectoryUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserDirectoryUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
