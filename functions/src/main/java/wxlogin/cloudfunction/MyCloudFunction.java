package wxlogin.cloudfunction;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sample cloud function ({@code POST /functions/myCloudFunction}). It answers what WeChat's
 * starter function answers: the data it was sent and who sent it.
 */
public final class MyCloudFunction extends CloudFunction {

    @Override
    protected Object call(JsonNode data, WxContext context) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("event", data);
        result.put("openid", context.openid());
        result.put("appid", context.appid());
        result.put("unionid", context.unionid());
        return result;
    }
}
