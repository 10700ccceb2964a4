package wxlogin.wechat;

import java.util.Map;
import wxlogin.common.ConfigurationException;
import wxlogin.common.JsonObjects;

/** The multi-terminal app's appid and appsecret. {@link #toString()} never shows the secret. */
public record WeChatCredentials(String appid, String appsecret) {

    /** Parses the contract's secret format {@code {"appid": "...", "appsecret": "..."}}. */
    public static WeChatCredentials parse(String secretString) {
        Map<String, Object> json = JsonObjects.parseOrNull(secretString);
        String appid = JsonObjects.text(json, "appid");
        String appsecret = JsonObjects.text(json, "appsecret");
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
