package wxlogin.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import wxlogin.common.Json;

/**
 * What {@code donut/code2verifyinfo} says about the user, reduced to what a session and the user
 * directory need. Parsed leniently: unknown fields and blocks are ignored, {@code login_time} may be
 * a number or a string. Everything else WeChat sends (phone, nickname, session_key...) is dropped here.
 *
 * @param openid  the openid the token carries (the contract's rule: the login type's block first)
 * @param unionid the unionid the token carries, from any block
 * @param openids every block's {@code (appid, openid)}: the identities the user directory links to
 *                the multi-terminal user_id ({@code miniprogram_info}'s is the openid
 *                {@code jscode2session} gives for the same person)
 */
public record VerifyInfo(String loginType, String userId, String appid, String openid, String unionid,
                         List<AppOpenid> openids) {

    /** An openid and the app it belongs to (openids are per app). */
    public record AppOpenid(String appid, String openid) {
    }

    public VerifyInfo {
        openids = List.copyOf(openids);
    }

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
        JsonNode loginInfo = object(body, "login_info");
        JsonNode userInfo = object(body, "user_info");
        String type = nonEmpty(loginInfo, "type");
        String userId = nonEmpty(userInfo, "user_id");
        if (type == null || userId == null) {
            return null;
        }
        String appid = nonEmpty(loginInfo, "appid");
        String ownBlock = BLOCK_OF_TYPE.get(type);
        String openid = pick(userInfo, ownBlock, "openid", false);
        String unionid = pick(userInfo, ownBlock, "unionid", true);
        return new VerifyInfo(type, userId, appid != null ? appid : fallbackAppid, openid, unionid, openids(userInfo));
    }

    /** The {@code (appid, openid)} of each block that has both, in the order WeChat sent them. */
    private static List<AppOpenid> openids(JsonNode userInfo) {
        List<AppOpenid> openids = new ArrayList<>();
        for (Iterator<String> blocks = userInfo.fieldNames(); blocks.hasNext(); ) {
            JsonNode block = object(userInfo, blocks.next());
            String appid = nonEmpty(block, "appid");
            String openid = nonEmpty(block, "openid");
            if (appid != null && openid != null) {
                openids.add(new AppOpenid(appid, openid));
            }
        }
        return openids;
    }

    /** The field from the login type's own block, else the first openid-bearing block, else (if allowed) any block. */
    private static String pick(JsonNode userInfo, String ownBlock, String field, boolean anyBlock) {
        if (ownBlock != null) {
            String own = nonEmpty(object(userInfo, ownBlock), field);
            if (own != null) {
                return own;
            }
        }
        for (String block : OPENID_BLOCKS) {
            String value = nonEmpty(object(userInfo, block), field);
            if (value != null) {
                return value;
            }
        }
        if (anyBlock) {
            for (Iterator<String> blocks = userInfo.fieldNames(); blocks.hasNext(); ) {
                String value = nonEmpty(object(userInfo, blocks.next()), field);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    private static String nonEmpty(JsonNode block, String field) {
        String value = Json.text(block, field);
        return value != null && !value.isBlank() ? value : null;
    }

    /** The member if it is an object, else null. */
    private static JsonNode object(JsonNode json, String field) {
        JsonNode value = json == null ? null : json.get(field);
        return value != null && value.isObject() ? value : null;
    }
}
