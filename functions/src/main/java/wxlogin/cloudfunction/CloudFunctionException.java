package wxlogin.cloudfunction;

/**
 * Thrown by a cloud function to fail with a reason the caller may see:
 * {@code cloud.callFunction:fail <reason>}, HTTP 500. Any other exception fails with a generic
 * reason. {@link #unavailable} and {@link #rateLimited} say that an upstream is down or busy, not
 * that the function is broken: 503 or 429 with {@code Retry-After}, which clients retry.
 */
public class CloudFunctionException extends RuntimeException {

    private final long errCode;
    private final int status;
    private final Integer retryAfterSeconds;

    public CloudFunctionException(long errCode, String reason) {
        this(errCode, reason, 500, null);
    }

    private CloudFunctionException(long errCode, String reason, int status, Integer retryAfterSeconds) {
        super(reason, null, false, false);
        this.errCode = errCode;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** An upstream is unreachable, too slow or busy: 503 with {@code Retry-After}. */
    public static CloudFunctionException unavailable(long errCode, String reason, int retryAfterSeconds) {
        return new CloudFunctionException(errCode, reason, 503, retryAfterSeconds);
    }

    /** An upstream's quota is used up: 429 with {@code Retry-After}. */
    public static CloudFunctionException rateLimited(long errCode, String reason, int retryAfterSeconds) {
        return new CloudFunctionException(errCode, reason, 429, retryAfterSeconds);
    }

    public long errCode() {
        return errCode;
    }

    /** The HTTP status of the answer: 500, or 503/429 for an upstream outage or quota. */
    public int status() {
        return status;
    }

    /** Seconds for {@code Retry-After}, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
