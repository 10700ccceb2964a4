package wxlogin.local.secrets;

/**
 * A fault the {@link SecretsManagerEndpoint} injects; see
 * {@link SecretsManagerEndpoint#failNext(int, SmFault)}. Named like constants so call sites read
 * as a list: {@code SmFault.THROTTLING}, {@code SmFault.SLOW(500)}.
 */
public record SmFault(Kind kind, long millis) {

    public enum Kind { THROTTLING, INTERNAL, SLOW }

    /** HTTP 400 {@code {"__type":"ThrottlingException","message":"Rate exceeded"}}. */
    public static final SmFault THROTTLING = new SmFault(Kind.THROTTLING, 0);
    /** HTTP 500 {@code {"__type":"InternalServiceError",...}}. */
    public static final SmFault INTERNAL = new SmFault(Kind.INTERNAL, 0);

    public SmFault {
        if (kind == null) throw new IllegalArgumentException("kind is required");
        if (millis < 0) throw new IllegalArgumentException("millis must be >= 0");
    }

    /** Sleeps {@code millis}, then answers normally. */
    public static SmFault SLOW(long millis) {
        return new SmFault(Kind.SLOW, millis);
    }

    @Override
    public String toString() {
        return kind == Kind.SLOW ? "SLOW(" + millis + ")" : kind.name();
    }
}
