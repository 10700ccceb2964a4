package wxlogin.account;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import wxlogin.aws.AwsClients;
import wxlogin.aws.AwsFailure;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.Env;
import wxlogin.common.Json;
import wxlogin.common.Metrics;

/**
 * Puts {@code user.deleted} on the account's default EventBridge bus, so the app's own functions
 * (subscribed with a rule on {@link #SOURCE} and {@link #DETAIL_TYPE}) delete what they keep about
 * the user. A repeat of a deletion may put it again: subscribers must be idempotent.
 */
public final class UserDeletedEvents {

    public static final String SOURCE = "weixin-app-login";
    public static final String DETAIL_TYPE = "user.deleted";
    static final long CALL_CAP_MILLIS = 3_000;
    static final long ATTEMPT_CAP_MILLIS = 1_500;
    static final long MIN_CALL_MILLIS = 50;
    static final AwsClients.Limits LIMITS = new AwsClients.Limits(Duration.ofSeconds(1), Duration.ofSeconds(2), 2);
    /** Our entry is fixed: a refusal of it, or of the bus, is the deployment's to fix. */
    private static final Set<String> MISCONFIGURATION_ERRORS = Set.of("ResourceNotFoundException", "ValidationException");

    /** The event could not be put now; a repeat of the deletion puts it again. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private final EventBridgeClient client;

    public UserDeletedEvents(EventBridgeClient client) {
        this.client = client;
    }

    /** The client as {@link AwsClients} builds it ({@code AWS_ENDPOINT_URL_EVENTBRIDGE} for local runs). */
    public static UserDeletedEvents fromEnvironment(Env env, AwsCredentialsProvider credentials) {
        return new UserDeletedEvents(AwsClients.build(EventBridgeClient.builder(), env, "AWS_ENDPOINT_URL_EVENTBRIDGE",
                credentials, LIMITS));
    }

    /** Puts one {@code user.deleted} event whose detail is {@code {"userId": ...}}. */
    public void put(String userId, Deadline deadline) {
        AwsRequestOverrideConfiguration timeouts = AwsClients.timeouts(deadline, CALL_CAP_MILLIS, ATTEMPT_CAP_MILLIS,
                MIN_CALL_MILLIS);
        if (timeouts == null) {
            throw new UnavailableException("EventBridge: no time left for a call", null);
        }
        PutEventsRequestEntry entry = PutEventsRequestEntry.builder().source(SOURCE).detailType(DETAIL_TYPE)
                .detail(Json.write(Map.of("userId", userId))).build();
        PutEventsResponse answer;
        try {
            answer = client.putEvents(r -> r.entries(entry).overrideConfiguration(timeouts));
        } catch (RuntimeException e) {
            AwsFailure failure = AwsFailure.of(e, MISCONFIGURATION_ERRORS, Metrics.Dependency.EVENT_BRIDGE);
            if (failure == null) {
                throw e;
            }
            if (failure.misconfigured()) {
                throw new ConfigurationException("EventBridge PutEvents on the default bus: " + failure.what()
                        + ": may this function put events there?");
            }
            throw new UnavailableException("EventBridge " + (failure.throttled() ? "throttled: " : "unavailable: ")
                    + failure.what(), e);
        }
        // PutEvents answers 200 when entries fail: the entry's own result says whether it was put.
        Integer failed = answer.failedEntryCount();
        if (failed != null && failed > 0) {
            String code = answer.hasEntries() && !answer.entries().isEmpty() ? answer.entries().get(0).errorCode() : null;
            throw new UnavailableException("EventBridge refused the entry: " + code, null);
        }
    }
}
