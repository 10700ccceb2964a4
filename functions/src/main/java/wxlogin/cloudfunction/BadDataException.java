package wxlogin.cloudfunction;

/** {@code data} does not bind to the class a {@link TypedCloudFunction} declares: a 400 naming the field. */
final class BadDataException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String field;

    BadDataException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** The JSON path of the offending member, e.g. {@code items[2].count}; empty for data itself. */
    String field() {
        return field;
    }
}
