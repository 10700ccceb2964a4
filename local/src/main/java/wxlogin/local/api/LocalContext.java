package wxlogin.local.api;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/** The Lambda {@link Context} of one local invocation. */
public final class LocalContext implements Context {

    private final String awsRequestId;
    private final String functionName;
    private final int memoryLimitInMB;
    private final long deadlineNanos;
    private final LambdaLogger logger;

    public LocalContext(String functionName, int memoryLimitInMB, int timeoutSeconds) {
        this(UUID.randomUUID().toString(), functionName, memoryLimitInMB, timeoutSeconds * 1000L);
    }

    LocalContext(String awsRequestId, String functionName, int memoryLimitInMB, long timeoutMillis) {
        this.awsRequestId = awsRequestId;
        this.functionName = functionName;
        this.memoryLimitInMB = memoryLimitInMB;
        this.deadlineNanos = System.nanoTime() + timeoutMillis * 1_000_000L;
        this.logger = new StdoutLogger(System.out);
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[live]/" + functionName;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        // The template publishes an alias (AutoPublishAlias: live); locally there is one version.
        return "1";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + SamTemplate.REGION + ":" + SamTemplate.ACCOUNT_ID + ":function:" + functionName + ":live";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitInMB;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    /** Lambda's logger writes each call as one log event; locally: one line on stdout. */
    private record StdoutLogger(PrintStream out) implements LambdaLogger {
        @Override
        public void log(String message) {
            if (message == null) {
                return;
            }
            out.print(message.endsWith("\n") ? message : message + "\n");
            out.flush();
        }

        @Override
        public void log(byte[] message) {
            if (message != null) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        }
    }
}
