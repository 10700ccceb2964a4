package wxlogin.local.wechat;

/**
 * A fault the {@link WeChatSandbox} injects instead of (or, for {@link #SLOW(long)}, before) its
 * normal answer; see {@link WeChatSandbox#failNext(String, int, Fault)}.
 *
 * <p>The parameterless faults are constants and the two parameterised ones are factories named
 * like constants, so a call site reads as a list of faults: {@code Fault.HTTP_500},
 * {@code Fault.SLOW(2_000)}, {@code Fault.ERRCODE(-1)}.
 */
public record Fault(Kind kind, long millis, int errcode) {

    public enum Kind { HTTP_500, GARBAGE, TRUNCATED, HUGE, SLOW, ERRCODE, DROP }

    /** HTTP 500 with an HTML body, as a gateway in front of WeChat would answer. */
    public static final Fault HTTP_500 = new Fault(Kind.HTTP_500, 0, 0);
    /** HTTP 200 whose body is {@code <html>not json}. */
    public static final Fault GARBAGE = new Fault(Kind.GARBAGE, 0, 0);
    /** HTTP 200 whose body is a plausible JSON answer cut in half (Content-Length matches the cut body). */
    public static final Fault TRUNCATED = new Fault(Kind.TRUNCATED, 0, 0);
    /** HTTP 200 with a valid JSON answer padded to about 5 MiB inside a string value. */
    public static final Fault HUGE = new Fault(Kind.HUGE, 0, 0);
    /** The connection is closed without any response bytes. */
    public static final Fault DROP = new Fault(Kind.DROP, 0, 0);

    public Fault {
        if (kind == null) throw new IllegalArgumentException("kind is required");
        if (millis < 0) throw new IllegalArgumentException("millis must be >= 0");
    }

    /** Sleeps {@code millis} and then answers normally (a code presented this way is consumed). */
    public static Fault SLOW(long millis) {
        return new Fault(Kind.SLOW, millis, 0);
    }

    /** HTTP 200 with {@code {"errcode":errcode,"errmsg":"<its usual message> rid: ..."}}. */
    public static Fault ERRCODE(int errcode) {
        return new Fault(Kind.ERRCODE, 0, errcode);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SLOW -> "SLOW(" + millis + ")";
            case ERRCODE -> "ERRCODE(" + errcode + ")";
            default -> kind.name();
        };
    }
}
