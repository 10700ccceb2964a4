package wxlogin.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Json;

/** The multi-terminal app's appid and appsecret. {@link #toString()} never shows the secret. */
public record WeChatCredentials(String appid, String appsecret) {

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

    @Override
    public String toString() {
        return "WeChatCredentials[appid=" + appid + "]";
    }
}
