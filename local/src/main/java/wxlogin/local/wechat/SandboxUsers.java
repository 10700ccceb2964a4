package wxlogin.local.wechat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * Builds the successful {@code code2verifyinfo} answers. Every identifier is derived from the
 * scenario and the user, so the same code shape always yields the same identity and different
 * users (or scenarios) never share one — except that {@code bound} deliberately shares its unionid
 * between its openapp and miniprogram blocks.
 */
final class SandboxUsers {

    /** The mobile app's appid inside openapp_info (a fixed fake, not the multi-terminal appid). */
    static final String OPENAPP_APPID = "wxsandboxopenapp01";
    /** The mini program's appid inside miniprogram_info. */
    static final String MINIPROGRAM_APPID = "wxsandboxminiprog1";
    static final String APPLE_BUNDLE_ID = "io.github.wxlogin.sandbox";

    private SandboxUsers() {
    }

    /** The multi-terminal user_id of a person; a person unregistered {@code n} times gets suffix {@code -n+1}. */
    static String userId(Scenario scenario, String user, int unregistrations) {
        return "sbx-" + scenario.id() + "-" + user + (unregistrations == 0 ? "" : "-" + (unregistrations + 1));
    }

    static ObjectNode success(ObjectMapper json, Scenario scenario, String user, String userId, String appid,
                              Instant now) {
        String key = scenario.id() + "_" + user;
        ObjectNode body = json.createObjectNode();
        body.put("errcode", 0);
        body.put("errmsg", "ok");
        ObjectNode loginInfo = body.putObject("login_info");
        loginInfo.put("type", scenario.loginType().orElseThrow());
        if (scenario == Scenario.LOGIN_TIME_STRING) {
            loginInfo.put("login_time", Long.toString(now.getEpochSecond()));
        } else {
            loginInfo.put("login_time", now.getEpochSecond());
        }
        loginInfo.put("appid", appid);

        ObjectNode userInfo = body.putObject("user_info");
        userInfo.put("user_id", userId);
        switch (scenario) {
            case WEIXIN_APP, BUSY_ONCE, LOGIN_TIME_STRING, SESSION_KEY -> openapp(userInfo, key, user, true);
            case NO_UNIONID -> openapp(userInfo, key, user, false);
            case BOUND_NO_UNIONID -> {
                openapp(userInfo, key, user, false);
                miniprogram(userInfo, key, false);
            }
            case WEIXIN_MINI_PROGRAM -> miniprogram(userInfo, key, true);
            case APPLE -> apple(userInfo, key, user, scenario);
            case PHONE_SMS, PHONE_ONE_CLICK -> phone(userInfo, key);
            case BOUND -> {
                openapp(userInfo, key, user, true);
                miniprogram(userInfo, key, true);
                phone(userInfo, key);
                apple(userInfo, key, user, scenario);
            }
            default -> throw new IllegalStateException("not a success scenario: " + scenario);
        }
        if (scenario == Scenario.LOGIN_TIME_STRING) {
            userInfo.putObject("future_info").put("x", 1);
            body.put("extra", "y");
        }
        if (scenario == Scenario.SESSION_KEY) {
            ((ObjectNode) userInfo.get("openapp_info")).put("session_key", "sbxSessionKey+" + key + "==");
        }
        return body;
    }

    private static void openapp(ObjectNode userInfo, String key, String user, boolean withUnionid) {
        ObjectNode block = userInfo.putObject("openapp_info");
        block.put("appid", OPENAPP_APPID);
        block.put("openid", "o_app_" + key);
        if (withUnionid) block.put("unionid", unionid(key));
        block.put("headimgurl", "https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox-" + key + "/132");
        block.put("nickname", "Sandbox " + user);
    }

    private static void miniprogram(ObjectNode userInfo, String key, boolean withUnionid) {
        ObjectNode block = userInfo.putObject("miniprogram_info");
        block.put("appid", MINIPROGRAM_APPID);
        block.put("openid", miniProgramOpenid(key));
        if (withUnionid) block.put("unionid", unionid(key));
    }

    /**
     * A successful {@code jscode2session} answer: the same person as the scenario's
     * code2verifyinfo user (the openid of its miniprogram_info block; the unionid when that user
     * has one), plus a fresh {@code session_key} the backend must never pass on or log.
     */
    static ObjectNode miniProgramSession(ObjectMapper json, Scenario scenario, String user, String sessionKey) {
        String key = scenario.id() + "_" + user;
        ObjectNode body = json.createObjectNode();
        body.put("openid", miniProgramOpenid(key));
        body.put("session_key", sessionKey);
        if (hasUnionid(scenario)) body.put("unionid", unionid(key));
        return body;
    }

    private static boolean hasUnionid(Scenario scenario) {
        return switch (scenario) {
            case NO_UNIONID, BOUND_NO_UNIONID, APPLE, PHONE_SMS, PHONE_ONE_CLICK -> false;
            default -> true;
        };
    }

    private static String miniProgramOpenid(String key) {
        return "o_mp_" + key;
    }

    private static void apple(ObjectNode userInfo, String key, String user, Scenario scenario) {
        ObjectNode block = userInfo.putObject("apple_info");
        block.put("bundleid", APPLE_BUNDLE_ID);
        block.put("apple_user_id", "000000.sbx_" + key + ".0000");
        block.put("apple_email", user + "." + scenario.id() + "@privaterelay.appleid.com");
    }

    private static void phone(ObjectNode userInfo, String key) {
        // A phone number cannot contain the user's name; a stable hash keeps users apart instead.
        userInfo.putObject("phone_info").put("phone", phoneNumber(key));
    }

    /** A mainland mobile number derived from the key: a phone number cannot contain a user's name. */
    static String phoneNumber(String key) {
        return "137" + String.format("%08d", Math.floorMod(key.hashCode(), 100_000_000));
    }

    private static String unionid(String key) {
        return "u_" + key;
    }
}
