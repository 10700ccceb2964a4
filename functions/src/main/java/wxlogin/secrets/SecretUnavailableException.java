package wxlogin.secrets;

/** Secrets Manager could not answer now (network, throttling, 5xx): transient. */
public class SecretUnavailableException extends RuntimeException {

    public SecretUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
