package wxlogin.local.aws;

/**
 * A fault an {@link AwsJsonEndpoint} injects; see {@link AwsJsonEndpoint#failNext(int, AwsFault)}.
 * Named like constants so call sites read as a list: {@code AwsFault.THROTTLING}, {@code AwsFault.SLOW(500)}.
 */
public record AwsFault(Kind kind, long millis) {

    public enum Kind { THROTTLING, INTERNAL, SLOW }

    /** HTTP 400 {@code {"__type":"ThrottlingException","message":"Rate exceeded"}}. */
    public static final AwsFault THROTTLING = new AwsFault(Kind.THROTTLING, 0);
    /** HTTP 500 with the service's internal-error type. */
    public static final AwsFault INTERNAL = new AwsFault(Kind.INTERNAL, 0);

    public AwsFault {
        if (kind == null) throw new IllegalArgumentException("kind is required");
        if (millis < 0) throw new IllegalArgumentException("millis must be >= 0");
    }

    /** Sleeps {@code millis}, then answers normally. */
    public static AwsFault SLOW(long millis) {
        return new AwsFault(Kind.SLOW, millis);
    }

    @Override
    public String toString() {
        return kind == Kind.SLOW ? "SLOW(" + millis + ")" : kind.name();
    }
}
