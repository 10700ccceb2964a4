package wxlogin.aws;

import java.io.UncheckedIOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import wxlogin.common.Metrics;

/**
 * What a failed SDK call means for our callers, read once from the SDK's exception hierarchy:
 * either the service is <em>unavailable</em> now (no answer, a timeout, throttling, any 5xx
 * whatever its body, an unknown error) and a retry later may succeed, or the deployment is
 * <em>misconfigured</em> (no permission, a missing resource, our fixed request rejected) and only
 * an operator can fix it. Each AWS dependency sorts its calls' failures through {@link #of} in one
 * place and turns the result into its own exceptions.
 *
 * <p>{@link #what()} names the failure for a log line (type, HTTP status, AWS error code), never a
 * message: a service's message can quote a key or a secret's name.
 *
 * @param misconfigured true: only an operator can fix it (HTTP 500 for clients); false: unavailable (503)
 * @param throttled     the service asked us to slow down
 * @param status        the HTTP status of the service's answer, 0 when there was none
 * @param errorCode     the AWS error code without namespace, null when none was readable
 */
public record AwsFailure(boolean misconfigured, boolean throttled, int status, String errorCode, String what) {

    /** Permission errors, in any service. */
    private static final Set<String> PERMISSION_ERRORS = Set.of("AccessDeniedException", "AccessDenied",
            "UnauthorizedOperation", "UnrecognizedClientException", "InvalidClientTokenId",
            "MissingAuthenticationTokenException", "IncompleteSignature", "KMSAccessDeniedException");

    /**
     * Sorts an exception thrown by an SDK client's call.
     *
     * @param misconfigurationCodes the service's own error codes that only an operator can fix
     *                              (e.g. ResourceNotFoundException, ValidationException)
     * @return null when {@code e} is not an SDK or I/O failure (a bug: let it surface)
     */
    public static AwsFailure of(RuntimeException e, Set<String> misconfigurationCodes) {
        return sort(e, misconfigurationCodes);
    }

    /**
     * Sorts as {@link #of(RuntimeException, Set)} and counts the failure against {@code dependency}
     * (metric {@code DependencyFailure}, property {@code kind}).
     */
    public static AwsFailure of(RuntimeException e, Set<String> misconfigurationCodes, Metrics.Dependency dependency) {
        AwsFailure failure = sort(e, misconfigurationCodes);
        if (failure != null) {
            Metrics.dependencyFailure(dependency, failure.kind());
        }
        return failure;
    }

    /** {@code misconfigured}, {@code throttled} or {@code unavailable}: the property of a DependencyFailure. */
    public String kind() {
        return misconfigured ? "misconfigured" : throttled ? "throttled" : "unavailable";
    }

    private static AwsFailure sort(RuntimeException e, Set<String> misconfigurationCodes) {
        if (e instanceof SdkServiceException service) {
            String code = errorCode(service);
            int status = service.statusCode();
            boolean throttled = service.isThrottlingException() || status == 429;
            String what = "HTTP " + status + (code == null ? "" : " " + code);
            if (throttled || status >= 500) {
                // Throttling, or a 5xx with or without a JSON body.
                return new AwsFailure(false, throttled, status, code, what);
            }
            // Any other 4xx (an error no code could be read from, a code we do not know) counts as an outage.
            boolean misconfigured = status == 403 || code != null
                    && (PERMISSION_ERRORS.contains(code) || misconfigurationCodes.contains(code));
            return new AwsFailure(misconfigured, false, status, code, what);
        }
        if (e instanceof SdkClientException || e instanceof UncheckedIOException) {
            // No answer: refused, reset, timed out (ApiCallTimeoutException...), no credentials.
            return new AwsFailure(false, false, 0, null, describe(e));
        }
        return null;
    }

    /** The exception's type and its root cause's type, e.g. {@code SdkClientException (ConnectException)}. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return e.getClass().getSimpleName() + (root == e ? "" : " (" + root.getClass().getSimpleName() + ")");
    }

    private static String errorCode(SdkServiceException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String code = aws.awsErrorDetails().errorCode();
            return code == null || code.isBlank() ? null : code;
        }
        return null;
    }
}
