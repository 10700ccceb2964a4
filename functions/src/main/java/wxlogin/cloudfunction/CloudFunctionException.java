package wxlogin.cloudfunction;

/**
 * Thrown by a cloud function to fail with a reason the caller may see:
 * {@code cloud.callFunction:fail <reason>}. Any other exception fails with a generic reason.
 */
public class CloudFunctionException extends RuntimeException {

    private final long errCode;

    public CloudFunctionException(long errCode, String reason) {
        super(reason, null, false, false);
        this.errCode = errCode;
    }

    public long errCode() {
        return errCode;
    }
}
