// Level: test utility (integration suite) - the local stand-ins plus the real handlers wired to them, with a clock tests can move.
package wxlogin.it.reliability;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wxlogin.common.Env;
import wxlogin.gate.CallGateHandler;
import wxlogin.it.faults.FaultProxy;
import wxlogin.it.faults.OffsetClock;
import wxlogin.testing.SecretLedger;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;
import wxlogin.login.LoginHandler;
import wxlogin.secrets.SecretsManagerSource;

/**
 * A WeChat sandbox and a Secrets Manager endpoint seeded with the development secrets, and the
 * production handlers wired to them exactly as Lambda wires them (real SDK client, real HTTP
 * client), Secrets Manager reached through a {@link FaultProxy} that tests can break, except for the clock: {@link #clock} follows the system clock plus an offset tests can
 * advance, so cache lifetimes pass without sleeping while deadlines stay real.
 */
final class StandIns implements AutoCloseable {

    static final String STABLE_TOKEN = WeChatSandbox.STABLE_TOKEN_PATH;
    static final String CODE_EXCHANGE = WeChatSandbox.CODE2VERIFYINFO_PATH;
    static final String LEGACY_TOKEN = WeChatSandbox.LEGACY_TOKEN_PATH;
    /** CodeExchangeFunction's Timeout in template.yaml: what a login invocation has. */
    static final int LOGIN_TIMEOUT_MILLIS = 15_000;
    /** CallGateFunction's Timeout in template.yaml. */
    static final int GATE_TIMEOUT_MILLIS = 8_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    final WeChatSandbox wechat;
    final SecretsManagerEndpoint secrets;
    /** In front of {@link #secrets}: what the handlers' SDK client connects to. */
    final FaultProxy secretsProxy;
    final OffsetClock clock = new OffsetClock();

    StandIns() {
        wechat = DevelopmentSecrets.sandboxFor();
        secrets = SecretsManagerEndpoint.start();
        DevelopmentSecrets.seed(secrets);
        secretsProxy = FaultProxy.start(secrets.endpoint());
    }

    Map<String, String> env() {
        Map<String, String> env = DevelopmentSecrets.environment(wechat, secrets);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsProxy.endpoint());
        return env;
    }

    /** CodeExchangeFunction's handler, wired by its own wiring code, on {@link #clock}. */
    LoginHandler loginHandler() {
        return loginHandler(env());
    }

    LoginHandler loginHandler(Map<String, String> env) {
        Env environment = new Env(env);
        return new LoginHandler(LoginHandler.wire(environment, SecretsManagerSource.fromEnvironment(environment), clock), clock);
    }

    /** CallGateFunction's handler, wired by its own wiring code, on {@link #clock}. */
    CallGateHandler gateHandler() {
        Env environment = new Env(env());
        return new CallGateHandler(CallGateHandler.wire(environment, SecretsManagerSource.fromEnvironment(environment), clock));
    }

    /** A fresh code of this sandbox scenario, recorded as sensitive. */
    String code(String scenario) {
        String code = wechat.issueCode(scenario);
        SecretLedger.register(SecretLedger.Kind.WECHAT_CODE, code);
        return code;
    }

    static APIGatewayV2HTTPEvent loginEvent(String code) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /login").withRawPath("/login")
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"code\":\"" + code + "\"}").withIsBase64Encoded(false).build();
    }

    static APIGatewayV2CustomAuthorizerEvent gateEvent(String authorization) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (authorization != null) {
            headers.put("authorization", authorization);
        }
        return APIGatewayV2CustomAuthorizerEvent.builder().withVersion("2.0").withType("REQUEST")
                .withRouteArn("arn:aws:execute-api:us-east-1:000000000000:local/$default/POST/functions/myCloudFunction")
                .withIdentitySource(authorization == null ? List.of() : List.of(authorization, "POST /functions/myCloudFunction"))
                .withRouteKey("POST /functions/myCloudFunction").withRawPath("/functions/myCloudFunction")
                .withRawQueryString("").withHeaders(headers).build();
    }

    /** The token of a 200 answer, recorded as sensitive; null for any other answer. */
    static String tokenOf(APIGatewayV2HTTPResponse response) {
        if (response.getStatusCode() != 200) {
            return null;
        }
        String token = body(response).get("token").asText();
        SecretLedger.register(SecretLedger.Kind.SESSION_TOKEN, token);
        return token;
    }

    static JsonNode body(APIGatewayV2HTTPResponse response) {
        try {
            return JSON.readTree(response.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        secretsProxy.close();
        wechat.close();
        secrets.close();
    }
}
