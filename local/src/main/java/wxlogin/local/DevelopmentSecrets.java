package wxlogin.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

import java.io.UncheckedIOException;

/**
 * The secrets of local development: published in the source on purpose, valid only against the
 * local {@link WeChatSandbox} and {@link SecretsManagerEndpoint}, never deployed. Their formats are
 * the ones the deployed secrets use (see the contract's "Secret formats").
 */
public final class DevelopmentSecrets {

    public static final String WECHAT_APP_SECRET_ID = "wxlogin/local/wechat-app";
    public static final String SESSION_KEYS_SECRET_ID = "wxlogin/local/session-keys";
    public static final String MINIPROGRAM_SECRET_ID = "wxlogin/local/mini-program";
    /** The sandbox's mini program: jscode2session accepts these. */
    public static final String MINIPROGRAM_APPID = WeChatSandbox.MINIPROGRAM_APPID;
    public static final String MINIPROGRAM_APPSECRET = "local-miniprogram-secret-for-the-sandbox-only";
    public static final String APPID = "wxlocal0000000001";
    public static final String APPSECRET = "local-appsecret-for-the-sandbox-only";
    public static final String SIGNING_KID = "local-dev";
    /** At least 32 bytes of UTF-8, as the HMAC key must be. */
    public static final String SIGNING_SECRET = "local-development-signing-key-not-for-deployment-0001";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DevelopmentSecrets() {
    }

    /** {@code {"appid":"wxlocal0000000001","appsecret":"local-appsecret-for-the-sandbox-only"}}. */
    public static String wechatAppSecretJson() {
        ObjectNode secret = JSON.createObjectNode();
        secret.put("appid", APPID);
        secret.put("appsecret", APPSECRET);
        return write(secret);
    }

    /** {@code {"appid":"wxsandboxminiprog1","appsecret":"local-miniprogram-secret-for-the-sandbox-only"}}. */
    public static String miniProgramSecretJson() {
        ObjectNode secret = JSON.createObjectNode();
        secret.put("appid", MINIPROGRAM_APPID);
        secret.put("appsecret", MINIPROGRAM_APPSECRET);
        return write(secret);
    }

    /** {@code {"keys":[{"kid":"local-dev","secret":"local-development-signing-key-not-for-deployment-0001"}]}}. */
    public static String sessionKeysJson() {
        ObjectNode secret = JSON.createObjectNode();
        ObjectNode key = secret.putArray("keys").addObject();
        key.put("kid", SIGNING_KID);
        key.put("secret", SIGNING_SECRET);
        return write(secret);
    }

    /** Stores the three secrets (as new AWSCURRENT versions if they already exist). */
    public static void seed(SecretsManagerEndpoint secretsManager) {
        secretsManager.put(WECHAT_APP_SECRET_ID, wechatAppSecretJson());
        secretsManager.put(MINIPROGRAM_SECRET_ID, miniProgramSecretJson());
        secretsManager.put(SESSION_KEYS_SECRET_ID, sessionKeysJson());
    }

    /**
     * What a function needs to run against the local stand-ins: the development secret ids, the
     * sandbox as WeChat, the endpoint as Secrets Manager, a region. A mutable copy callers extend.
     */
    public static Map<String, String> environment(WeChatSandbox wechat, SecretsManagerEndpoint secretsManager) {
        Map<String, String> env = new HashMap<>();
        env.put("WECHAT_APP_SECRET_ID", WECHAT_APP_SECRET_ID);
        env.put("SESSION_KEYS_SECRET_ID", SESSION_KEYS_SECRET_ID);
        env.put("MINIPROGRAM_SECRET_ID", MINIPROGRAM_SECRET_ID);
        // The openapi sample (GetPhoneNumberFunction) calls WeChat with the mini program's token.
        env.put("WECHAT_API_SECRET_ID", MINIPROGRAM_SECRET_ID);
        env.put("WECHAT_API_BASE_URL", wechat.baseUrl());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsManager.endpoint().toString());
        env.put("AWS_REGION", secretsManager.region());
        return env;
    }

    /**
     * A sandbox builder that accepts {@link #APPID}/{@link #APPSECRET} and, for jscode2session,
     * {@link #MINIPROGRAM_APPID}/{@link #MINIPROGRAM_APPSECRET}; add port, clock, ... then start().
     */
    public static WeChatSandbox.Builder sandboxBuilder() {
        return WeChatSandbox.builder().credentials(APPID, APPSECRET).miniProgramCredentials(MINIPROGRAM_APPID,
                MINIPROGRAM_APPSECRET);
    }

    /** A started sandbox on a free port accepting {@link #APPID}/{@link #APPSECRET}. */
    public static WeChatSandbox sandboxFor() {
        return sandboxFor(0);
    }

    /** A started sandbox on {@code port} (0: a free one) accepting {@link #APPID}/{@link #APPSECRET}. */
    public static WeChatSandbox sandboxFor(int port) {
        return sandboxBuilder().port(port).start();
    }

    private static String write(ObjectNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
