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
    /** Where Lambda's runtime client puts the invocation's X-Ray trace header. */
    private static final String TRACE_HEADER = "com.amazonaws.xray.traceHeader";

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
        // Lambda's runtime sets a trace id per invocation, and the SDK's clients then pass it on.
        String traceHeader = System.getProperty(TRACE_HEADER);
        System.setProperty(TRACE_HEADER, "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0");
        try (LoopbackEndpoint loopback = LoopbackEndpoint.start(answers)) {
            AwsClients.withCredentials(PrimingCredentials.fetch(loopback), () -> prime.accept(loopback));
        } finally {
            if (traceHeader == null) {
                System.clearProperty(TRACE_HEADER);
            } else {
                System.setProperty(TRACE_HEADER, traceHeader);
            }
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

    /**
     * An HTTP API payload 2.0 event for {@code routeKey} with a JSON {@code body}, every member
     * API Gateway can send present (the reader's setters run now, not on the first real request).
     */
    public static String httpEvent(String routeKey, String body, String authorizerContext) {
        int space = routeKey.indexOf(' ');
        String path = routeKey.substring(space + 1);
        return "{\"version\":\"2.0\",\"routeKey\":\"" + routeKey + "\",\"rawPath\":\"" + path + "\","
                + "\"rawQueryString\":\"p=1\",\"cookies\":[\"p=1\"],\"headers\":" + HEADERS + ","
                + "\"queryStringParameters\":{\"p\":\"1\"},\"pathParameters\":{\"p\":\"1\"},\"stageVariables\":{\"p\":\"1\"},"
                + "\"requestContext\":" + requestContext(routeKey, authorizerContext == null ? ""
                        : ",\"authorizer\":{\"lambda\":" + authorizerContext + "}")
                + ",\"body\":" + quoted(body) + ",\"isBase64Encoded\":false}";
    }

    /** A payload 2.0 REQUEST authorizer event for {@code routeKey} with an {@code Authorization} header. */
    public static String authorizerEvent(String routeKey, String authorization) {
        int space = routeKey.indexOf(' ');
        String path = routeKey.substring(space + 1);
        String headers = HEADERS.substring(0, HEADERS.length() - 1) + ",\"authorization\":" + quoted(authorization) + "}";
        return "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"routeArn\":\"arn:aws:execute-api:us-east-1:000000000000:"
                + "priming/$default/" + routeKey.substring(0, space) + path + "\",\"identitySource\":[" + quoted(authorization)
                + ",\"" + routeKey + "\",\"" + path + "\"],\"routeKey\":\"" + routeKey + "\",\"rawPath\":\"" + path + "\","
                + "\"rawQueryString\":\"p=1\",\"cookies\":[\"p=1\"],\"headers\":" + headers + ","
                + "\"queryStringParameters\":{\"p\":\"1\"},\"pathParameters\":{\"p\":\"1\"},\"stageVariables\":{\"p\":\"1\"},"
                + "\"requestContext\":" + requestContext(routeKey, "") + "}";
    }

    private static final String HEADERS = "{\"accept\":\"application/json\",\"content-length\":\"2\","
            + "\"content-type\":\"application/json\",\"host\":\"priming.invalid\",\"user-agent\":\"priming\","
            + "\"x-amzn-trace-id\":\"Root=1-00000000-000000000000000000000000\",\"x-forwarded-for\":\"127.0.0.1\","
            + "\"x-forwarded-port\":\"443\",\"x-forwarded-proto\":\"https\"}";

    private static String requestContext(String routeKey, String authorizer) {
        int space = routeKey.indexOf(' ');
        return "{\"accountId\":\"000000000000\",\"apiId\":\"priming\",\"domainName\":\"priming.invalid\","
                + "\"domainPrefix\":\"priming\",\"http\":{\"method\":\"" + routeKey.substring(0, space) + "\",\"path\":\""
                + routeKey.substring(space + 1) + "\",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"127.0.0.1\",\"userAgent\":\"priming\"},"
                + "\"requestId\":\"priming\",\"routeKey\":\"" + routeKey + "\",\"stage\":\"$default\","
                + "\"time\":\"01/Jan/2026:00:00:00 +0000\",\"timeEpoch\":1767225600000" + authorizer + "}";
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
