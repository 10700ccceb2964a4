package wxlogin.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What {@code donut/code2verifyinfo} says about the user, reduced to what a session needs.
 * Parsed leniently: unknown fields and blocks are ignored, {@code login_time} may be a number or
 * a string. Everything else WeChat sends (phone, nickname, session_key...) is dropped here.
 */
public record VerifyInfo(String loginType, String userId, String appid, String openid, String unionid) {

    /** The block that belongs to each login type; the first two are the ones with an openid. */
    private static final Map<String, String> BLOCK_OF_TYPE = Map.of(
            "weixinApp", "openapp_info",
            "weixinMiniProgram", "miniprogram_info");
    private static final List<String> OPENID_BLOCKS = List.of("openapp_info", "miniprogram_info");

    /**
     * @param body the successful answer (errcode 0)
     * @param fallbackAppid the configured multi-terminal appid, used when login_info has none
     * @return the identity, or null when the answer lacks login_info.type or user_info.user_id
     */
    public static VerifyInfo from(JsonNode body, String fallbackAppid) {
        JsonNode loginInfo = body.get("login_info");
        JsonNode userInfo = body.get("user_info");
        String type = nonEmpty(loginInfo, "type");
        String userId = nonEmpty(userInfo, "user_id");
        if (type == null || userId == null) {
            return null;
        }
        String appid = nonEmpty(loginInfo, "appid");
        String ownBlock = BLOCK_OF_TYPE.get(type);
        String openid = pick(userInfo, ownBlock, "openid", false);
        String unionid = pick(userInfo, ownBlock, "unionid", true);
        return new VerifyInfo(type, userId, appid != null ? appid : fallbackAppid, openid, unionid);
    }

    /** The field from the login type's own block, else the first openid-bearing block, else (if allowed) any block. */
    private static String pick(JsonNode userInfo, String ownBlock, String field, boolean anyBlock) {
        if (ownBlock != null) {
            String own = nonEmpty(userInfo.get(ownBlock), field);
            if (own != null) {
                return own;
            }
        }
        for (String block : OPENID_BLOCKS) {
            String value = nonEmpty(userInfo.get(block), field);
            if (value != null) {
                return value;
            }
        }
        if (anyBlock) {
            for (Iterator<Map.Entry<String, JsonNode>> it = userInfo.fields(); it.hasNext(); ) {
                String value = nonEmpty(it.next().getValue(), field);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    private static String nonEmpty(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
