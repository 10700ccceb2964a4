package wxlogin.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

/**
 * The metric catalogue (README, "Logs and metrics"): one method per metric, each writing one
 * record in CloudWatch's embedded metric format to stdout through awslabs' aws-embedded-metrics.
 * Namespace {@code METRICS_NAMESPACE} (default {@value #DEFAULT_NAMESPACE}); dimension
 * {@code Function} is the logical function ({@link Invocation#function()}), with at most one more
 * per dimension set; errCodes, errcodes, rids and reasons' details are properties, never
 * dimensions (each dimension combination is billed as a metric of its own). A metric that cannot
 * be written is a log line, never a failed request. While SnapStart primes, records are built and
 * serialized but dropped: priming's calls must not count.
 */
public final class Metrics {

    public static final String NAMESPACE_VARIABLE = "METRICS_NAMESPACE";
    public static final String DEFAULT_NAMESPACE = "WeixinAppLogin";

    private static final String NAMESPACE = namespace(System.getenv(NAMESPACE_VARIABLE));
    /** Lambda's console environment: a record is one line on stdout, whatever the host (tests, the local API). */
    private static final Environment CONSOLE = new LambdaEnvironment();
    private static final Environment DROPPED = new Dropped();

    private Metrics() {
    }

    /** Where a dependency failed, for {@link #dependencyFailure}. */
    public enum Dependency {
        SECRETS_MANAGER("SecretsManager"), DYNAMODB("DynamoDB"), EVENT_BRIDGE("EventBridge"), WECHAT("WeChat");

        private final String dimension;

        Dependency(String dimension) {
            this.dimension = dimension;
        }
    }

    /** Why a session family was revoked, for {@link #revocation}. */
    public enum RevocationReason {
        LOGOUT("logout"), EVERYWHERE("everywhere"), REUSE("reuse"), ACCOUNT_DELETED("account_deleted"), MAX_AGE("max_age");

        private final String dimension;

        RevocationReason(String dimension) {
            this.dimension = dimension;
        }
    }

    /** How a {@code POST /session/refresh} ended, for {@link #refresh}. */
    public enum RefreshOutcome {
        OK("ok"), REPEATED("repeated"), REJECTED("rejected"), UNAVAILABLE("unavailable");

        private final String dimension;

        RefreshOutcome(String dimension) {
            this.dimension = dimension;
        }
    }

    /** How a {@code POST /account/delete} ended, for {@link #accountDeletion}. */
    public enum AccountDeletionOutcome {
        COMPLETED("completed"), REPEAT("repeat"), PARTIAL("partial");

        private final String dimension;

        AccountDeletionOutcome(String dimension) {
            this.dimension = dimension;
        }
    }

    /**
     * {@code Login}: one per {@code POST /login} answer.
     *
     * @param loginType     {@code app} or {@code miniProgram}; null when the request was not read that far
     * @param errCode       the answer's errCode, 0 for a 200
     * @param wechatErrcode WeChat's errcode when WeChat's answer decided, else null
     */
    public static void login(int status, String loginType, long errCode, Long wechatErrcode) {
        String outcome = status == 200 ? "ok" : status == 429 ? "throttled" : status >= 502 && status <= 504 ? "unavailable"
                : status >= 500 ? "failed" : "rejected";
        String[] byLoginType = loginType == null ? null : new String[] {"LoginType", loginType};
        write("Login", Unit.COUNT, 1, new String[][] {{}, {"Outcome", outcome}, byLoginType},
                "errCode", errCode, "wechatErrcode", wechatErrcode);
    }

    /**
     * {@code WeChatCall} and {@code WeChatLatency}: one HTTP call to WeChat.
     *
     * @param api           the URL path's last segment (code2verifyinfo, jscode2session, stable_token...)
     * @param outcome       {@code ok}, {@code errcode}, {@code quota} or {@code unavailable}
     * @param wechatErrcode WeChat's errcode, null when it gave none
     */
    public static void weChatCall(String api, String outcome, long millis, Long wechatErrcode, String rid) {
        write("WeChatCall", Unit.COUNT, 1, new String[][] {{"Api", api}, {"Outcome", outcome}},
                "wechatErrcode", wechatErrcode, "rid", rid);
        write("WeChatLatency", Unit.MILLISECONDS, millis, new String[][] {{"Api", api}});
    }

    /** {@code StableTokenFetch}: a stable_token fetched from WeChat (not served from the cache). */
    public static void stableTokenFetch() {
        write("StableTokenFetch", Unit.COUNT, 1, new String[][] {{}});
    }

    /** {@code GateDecision} (and {@code GateDenied} for a deny). @param deniedReason null: allowed */
    public static void gateDecision(String deniedReason) {
        write("GateDecision", Unit.COUNT, 1, new String[][] {{}, {"Outcome", deniedReason == null ? "allow" : "deny"}},
                "reason", deniedReason);
        if (deniedReason != null) {
            write("GateDenied", Unit.COUNT, 1, new String[][] {{"Reason", deniedReason}});
        }
    }

    /** {@code Refresh}: one per {@code POST /session/refresh} answer. */
    public static void refresh(RefreshOutcome outcome) {
        write("Refresh", Unit.COUNT, 1, new String[][] {{"Outcome", outcome.dimension}});
    }

    /** {@code ReuseDetected}: a refresh token presented again after its rotation (its family is revoked). */
    public static void reuseDetected() {
        write("ReuseDetected", Unit.COUNT, 1, new String[][] {{}});
    }

    /** {@code Revocation}: session families revoked at once, for one reason. */
    public static void revocation(RevocationReason reason, int families) {
        if (families <= 0) {
            return;
        }
        write("Revocation", Unit.COUNT, families, new String[][] {{"Reason", reason.dimension}});
    }

    /** {@code DirectoryLinkCreated}: a person's first entry or a new link in the user directory. */
    public static void directoryLinkCreated(int links) {
        write("DirectoryLinkCreated", Unit.COUNT, links, new String[][] {{}});
    }

    /** {@code AccountDeletion}: one per {@code POST /account/delete} answer that got that far. */
    public static void accountDeletion(AccountDeletionOutcome outcome) {
        write("AccountDeletion", Unit.COUNT, 1, new String[][] {{"Outcome", outcome.dimension}});
    }

    /** {@code DependencyFailure}. @param kind {@code unavailable}, {@code misconfigured} or {@code throttled} */
    public static void dependencyFailure(Dependency dependency, String kind) {
        write("DependencyFailure", Unit.COUNT, 1, new String[][] {{"Dependency", dependency.dimension}}, "kind", kind);
    }

    /** {@code Restore}: one per SnapStart restore of this function. */
    public static void restore() {
        write("Restore", Unit.COUNT, 1, new String[][] {{}});
    }

    /** {@code CloudFunctionCall}: one per call of a cloud function, by its answer's status. */
    public static void cloudFunctionCall(int status) {
        String outcome = status == 200 ? "ok" : status == 503 || status == 429 ? "unavailable"
                : status == 500 ? "failed" : "error";
        write("CloudFunctionCall", Unit.COUNT, 1, new String[][] {{"Outcome", outcome}});
    }

    static String namespace(String configured) {
        return configured == null || configured.isBlank() ? DEFAULT_NAMESPACE : configured.trim();
    }

    /**
     * One record: the metric under each dimension set ({@code Function} plus the set's one
     * dimension, or {@code Function} alone for an empty set; a null set is left out), the
     * properties that are not null, and the invocation's request id.
     */
    private static void write(String metric, Unit unit, double value, String[][] dimensionSets, Object... properties) {
        String function = Invocation.function() == null ? "unknown" : Invocation.function();
        try {
            MetricsLogger record = new MetricsLogger(SnapStartHook.priming() ? DROPPED : CONSOLE);
            record.setNamespace(NAMESPACE);
            List<DimensionSet> sets = new ArrayList<>(dimensionSets.length);
            for (String[] set : dimensionSets) {
                if (set != null) {
                    sets.add(set.length == 0 ? DimensionSet.of("Function", function)
                            : DimensionSet.of("Function", function, set[0], set[1]));
                }
            }
            // Only these sets: not the library's defaults (LogGroup, ServiceName, ServiceType).
            record.setDimensions(false, sets.toArray(DimensionSet[]::new));
            record.putMetric(metric, value, unit);
            for (int i = 0; i + 1 < properties.length; i += 2) {
                if (properties[i + 1] != null) {
                    record.putProperty((String) properties[i], properties[i + 1]);
                }
            }
            String requestId = Invocation.requestId();
            if (requestId != null) {
                record.putProperty("requestId", requestId);
            }
            record.flush();
        } catch (RuntimeException | LinkageError e) {
            // LinkageError too: a deployment missing one of the library's jars still answers.
            Log.warn("metrics.not_written", "metric", metric, "type", e.getClass().getName());
        }
    }

    /**
     * Priming's environment: the console's, except that a record is serialized (so that code is
     * primed too) and dropped rather than printed.
     */
    private static final class Dropped implements Environment, ISink {
        @Override
        public boolean probe() {
            return false;
        }

        @Override
        public String getName() {
            return CONSOLE.getName();
        }

        @Override
        public String getType() {
            return CONSOLE.getType();
        }

        @Override
        public String getLogGroupName() {
            return CONSOLE.getLogGroupName();
        }

        @Override
        public void configureContext(MetricsContext context) {
            CONSOLE.configureContext(context);
        }

        @Override
        public ISink getSink() {
            CONSOLE.getSink();
            return this;
        }

        @Override
        public void accept(MetricsContext context) {
            try {
                context.serialize();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public CompletableFuture<Void> shutdown() {
            return CompletableFuture.completedFuture(null);
        }
    }
}
