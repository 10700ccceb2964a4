package wxlogin.session;

import java.util.List;
import java.util.Set;
import wxlogin.common.ConfigurationException;

/**
 * How a failed call to the sessions table is reported, the same for {@link DynamoDbSessionStore}
 * (the SDK) and {@link DynamoDbSessionStarter} (login). Messages name the operation, the table and
 * DynamoDB's error or cancellation codes only: a service message could quote a key, and keys hold
 * token hashes.
 */
final class SessionStoreFailures {

    /** What made a transaction cancel, read from its cancellation reasons. */
    enum Cancellation { THROTTLED, CONFLICT, OTHER }

    private static final Set<String> CONFLICT_REASONS = Set.of("ConditionalCheckFailed", "TransactionConflict");
    private static final Set<String> THROTTLING_REASONS = Set.of("ThrottlingError", "ProvisionedThroughputExceeded",
            "RequestLimitExceeded");

    private SessionStoreFailures() {
    }

    /** Throttling wins over a conflict (retrying later may succeed); a conflict means a condition did not hold. */
    static Cancellation classify(List<String> reasonCodes) {
        boolean conflict = false;
        for (String code : reasonCodes) {
            if (THROTTLING_REASONS.contains(code)) {
                return Cancellation.THROTTLED;
            }
            conflict |= CONFLICT_REASONS.contains(code);
        }
        return conflict ? Cancellation.CONFLICT : Cancellation.OTHER;
    }

    /** A cancelled transaction that is not a conflict. */
    static SessionStoreUnavailableException cancelled(String operation, List<String> reasonCodes, Cancellation why,
                                                      Throwable cause) {
        boolean throttled = why == Cancellation.THROTTLED;
        return new SessionStoreUnavailableException(operation + (throttled ? " throttled " : " cancelled ") + reasonCodes,
                throttled, cause);
    }

    /** Creating a family met an existing family or token. */
    static SessionStoreUnavailableException alreadyExists() {
        // 128 and 256 random bits do not collide; if they ever did, no session is better than a shared one.
        return new SessionStoreUnavailableException("new family or token already exists", false, null);
    }

    static ConfigurationException tableNotFound(String operation, String table) {
        return new ConfigurationException("DynamoDB table " + table + " not found (" + operation + ")");
    }

    /**
     * Any other error answer: throttling (retryable), no permission or a rejected request
     * (configuration), the rest unavailable.
     */
    static RuntimeException serviceError(String operation, String table, int status, String code, boolean throttled,
                                         Throwable cause) {
        if (throttled) {
            return new SessionStoreUnavailableException(operation + " throttled (" + code + ")", true, cause);
        }
        if (status == 403 || "AccessDeniedException".equals(code)) {
            return new ConfigurationException("no permission for DynamoDB " + operation + " on table " + table);
        }
        if ("ValidationException".equals(code)) {
            // Our requests are fixed: a table with another key schema rejects them.
            return new ConfigurationException("DynamoDB rejected " + operation + " on table " + table
                    + " (ValidationException): is its key the string pk?");
        }
        return new SessionStoreUnavailableException(operation + " failed: HTTP " + status + " " + code, false, cause);
    }

    /** No answer: network, timeout, no credentials; {@code what} names the failure without its message. */
    static SessionStoreUnavailableException unreachable(String operation, String what, Throwable cause) {
        return new SessionStoreUnavailableException(operation + " unreachable or timed out: " + what, false, cause);
    }

    static SessionStoreUnavailableException noTimeLeft() {
        return new SessionStoreUnavailableException("no time left for DynamoDB", false, null);
    }
}
