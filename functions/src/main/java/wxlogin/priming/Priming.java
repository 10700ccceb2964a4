package wxlogin.priming;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import wxlogin.aws.AwsClients;

/**
 * What every function's {@code beforeCheckpoint} does: start a {@link LoopbackEndpoint}, fetch
 * throwaway credentials from it ({@link PrimingCredentials}), run one request through a handler
 * wired exactly as Lambda wires it, except that every endpoint is the loopback one and the SDK
 * clients sign with the throwaway credentials ({@link AwsClients#withCredentials}), then stop the
 * endpoint. The priming handler and its clients are dropped afterwards; only loaded classes and
 * compiled code stay in the snapshot.
 */
public final class Priming {

    /** What a priming invocation has left, like a short Lambda timeout. */
    static final int REMAINING_MILLIS = 10_000;

    private Priming() {
    }

    /**
     * Runs {@code prime} against a loopback endpoint answering {@code answers}, with throwaway
     * credentials, then the TLS client's first handshake ({@link TlsPriming}).
     */
    public static void run(LoopbackEndpoint.Answers answers, Consumer<LoopbackEndpoint> prime) {
        run(answers, prime, httpsUrl -> { });
    }

    /** The same, and {@code https} with the {@code https://} URL of {@link TlsPriming}'s refusing socket. */
    public static void run(LoopbackEndpoint.Answers answers, Consumer<LoopbackEndpoint> prime, Consumer<String> https) {
        try (LoopbackEndpoint loopback = LoopbackEndpoint.start(answers)) {
            AwsClients.withCredentials(PrimingCredentials.fetch(loopback), () -> prime.accept(loopback));
        }
        TlsPriming.run(https);
    }

    /**
     * A function's environment for priming: the region of the real one, every endpoint the
     * loopback, plus {@code keyValues} (secret ids, table names: any name, the loopback answers).
     */
    public static Map<String, String> environment(LoopbackEndpoint loopback, String... keyValues) {
        Map<String, String> env = new HashMap<>();
        String region = System.getenv("AWS_REGION");
        env.put("AWS_REGION", region == null ? "us-east-1" : region);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", loopback.url());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", loopback.url());
        env.put("WECHAT_API_BASE_URL", loopback.url());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    /** Secrets Manager's {@code GetSecretValue} answer for a secret string (a JSON object). */
    public static String secretValue(String name, String secretJson) {
        return "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name + "\",\"CreatedDate\":1.7E9,"
                + "\"Name\":\"" + name + "\",\"SecretString\":" + quoted(secretJson) + ",\"VersionId\":\"priming\","
                + "\"VersionStages\":[\"AWSCURRENT\"]}";
    }

    /** One invocation through Lambda's stream entry: the event's JSON in, the answer's JSON out. */
    public static String invoke(RequestStreamHandler handler, String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, context());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Fails priming (logged by the hook) when an answer is not what the real path would give. */
    public static void expect(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("priming: " + what);
        }
    }

    /** An HTTP API payload 2.0 event for {@code routeKey} with a JSON {@code body}. */
    public static String httpEvent(String routeKey, String body, String authorizerContext) {
        int space = routeKey.indexOf(' ');
        return "{\"version\":\"2.0\",\"routeKey\":\"" + routeKey + "\",\"rawPath\":\"" + routeKey.substring(space + 1) + "\","
                + "\"headers\":{\"content-type\":\"application/json\"},\"requestContext\":{\"requestId\":\"priming\","
                + "\"timeEpoch\":0,\"http\":{\"method\":\"" + routeKey.substring(0, space) + "\",\"sourceIp\":\"127.0.0.1\"}"
                + (authorizerContext == null ? "" : ",\"authorizer\":{\"lambda\":" + authorizerContext + "}")
                + "},\"body\":" + quoted(body) + ",\"isBase64Encoded\":false}";
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A Lambda context for priming invocations. */
    public static Context context() {
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "priming";
            }

            @Override
            public String getLogGroupName() {
                return "priming";
            }

            @Override
            public String getLogStreamName() {
                return "priming";
            }

            @Override
            public String getFunctionName() {
                return "priming";
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:000000000000:function:priming";
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
                return REMAINING_MILLIS;
            }

            @Override
            public int getMemoryLimitInMB() {
                return 1024;
            }

            @Override
            public LambdaLogger getLogger() {
                return LambdaRuntime.getLogger();
            }
        };
    }
}
