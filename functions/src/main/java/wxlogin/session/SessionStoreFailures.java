package wxlogin.session;

import java.util.List;
import java.util.Set;
import wxlogin.aws.AwsFailure;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Metrics;

/**
 * How a failed call to the sessions table is reported: unavailable
 * ({@link SessionStoreUnavailableException}, 503) or misconfigured ({@link ConfigurationException},
 * 500), sorted from the SDK's exceptions in {@link #of}. Messages name the operation, the table and
 * DynamoDB's error or cancellation codes only: a service message could quote a key, and keys hold
 * token hashes.
 */
final class SessionStoreFailures {

    /** What made a transaction cancel, read from its cancellation reasons. */
    enum Cancellation { THROTTLED, CONFLICT, OTHER }

    private static final Set<String> CONFLICT_REASONS = Set.of("ConditionalCheckFailed", "TransactionConflict");
    private static final Set<String> THROTTLING_REASONS = Set.of("ThrottlingError", "ProvisionedThroughputExceeded",
            "RequestLimitExceeded");

    /** Our requests are fixed: a missing table, or one with another key schema, rejects them. */
    private static final Set<String> MISCONFIGURATION_ERRORS = Set.of("ResourceNotFoundException", "ValidationException");

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

    private static ConfigurationException tableNotFound(String operation, String table) {
        return new ConfigurationException("DynamoDB table " + table + " not found (" + operation + ")");
    }

    /**
     * The one place a DynamoDB call's failure (any exception of the SDK client, an
     * {@link java.io.UncheckedIOException}) becomes unavailable or misconfigured.
     */
    static RuntimeException of(String operation, String table, RuntimeException e) {
        AwsFailure failure = AwsFailure.of(e, MISCONFIGURATION_ERRORS, Metrics.Dependency.DYNAMODB);
        if (failure == null) {
            throw e;
        }
        if (failure.misconfigured()) {
            if ("ResourceNotFoundException".equals(failure.errorCode())) {
                return tableNotFound(operation, table);
            }
            if ("ValidationException".equals(failure.errorCode())) {
                return new ConfigurationException("DynamoDB rejected " + operation + " on table " + table
                        + " (ValidationException): is its key the string pk?");
            }
            return new ConfigurationException("no permission for DynamoDB " + operation + " on table " + table
                    + " (" + failure.what() + ")");
        }
        if (failure.throttled()) {
            return new SessionStoreUnavailableException(operation + " throttled (" + failure.what() + ")", true, e);
        }
        if (failure.status() == 0) {
            return new SessionStoreUnavailableException(operation + " unreachable or timed out: " + failure.what(),
                    false, e);
        }
        return new SessionStoreUnavailableException(operation + " failed: " + failure.what(), false, e);
    }

    static SessionStoreUnavailableException noTimeLeft() {
        return new SessionStoreUnavailableException("no time left for DynamoDB", false, null);
    }
}
