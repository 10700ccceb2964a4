package wxlogin.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Json;

/**
 * An app's appid and secret: the multi-terminal app's, or the mini program's (the same format).
 * {@link #toString()} never shows the secret.
 */
public record WeChatCredentials(String appid, String appsecret) {

    /** What template.yaml puts into a secret it creates, until the operator puts the real values. */
    public static final String PLACEHOLDER = "REPLACE_ME";

    /** Parses the contract's secret format {@code {"appid": "...", "appsecret": "..."}}. */
    public static WeChatCredentials parse(String secretString) {
        JsonNode json = Json.objectOrNull(secretString);
        String appid = Json.text(json, "appid");
        String appsecret = Json.text(json, "appsecret");
        if (json == null) {
            throw new ConfigurationException("WeChat app secret is not a JSON object");
        }
        if (appid == null || appid.isBlank() || appsecret == null || appsecret.isBlank()) {
            throw new ConfigurationException("WeChat app secret needs non-empty \"appid\" and \"appsecret\"");
        }
        return new WeChatCredentials(appid.trim(), appsecret.trim());
    }

    /** The template's placeholder is still there: not configured yet. */
    public boolean isPlaceholder() {
        return PLACEHOLDER.equals(appid) || PLACEHOLDER.equals(appsecret);
    }

    @Override
    public String toString() {
        return "WeChatCredentials[appid=" + appid + "]";
    }
}
