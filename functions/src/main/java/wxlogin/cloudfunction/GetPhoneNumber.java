package wxlogin.cloudfunction;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import wxlogin.common.ErrorCodes;
import wxlogin.common.SnapStartHook;

/**
 * The sample function that calls a WeChat server API ({@code POST /functions/getPhoneNumber}): the
 * caller's phone number from the code a mini program's {@code getPhoneNumber} button gives,
 * exchanged with {@code wxa/business/getuserphonenumber} under the mini program's access token.
 * The number goes back to the caller and nowhere else: never to a log.
 */
public final class GetPhoneNumber extends TypedCloudFunction<GetPhoneNumber.Request> {

    /** {@code data}: {@code {"code": "<from the getPhoneNumber button>"}}. */
    public record Request(String code) {
    }

    private final WeChatApi wechat;
    // Strong reference: CRaC holds resources weakly.
    private final SnapStartHook snapStartHook;

    /** Used by Lambda. */
    public GetPhoneNumber() {
        this(System.getenv());
    }

    /** Used by the local API and tests: the same wiring with a given environment. */
    public GetPhoneNumber(Map<String, String> environment) {
        this(WeChatApi.fromEnvironment(environment));
    }

    /** On a given client (tests, the outage drill). */
    public GetPhoneNumber(WeChatApi wechat) {
        super(Request.class);
        this.wechat = wechat;
        this.snapStartHook = SnapStartHook.register(() -> { }, wechat::refreshAfterRestore);
    }

    @Override
    protected Object call(Request data, WxContext caller) throws BadDataException {
        if (data == null || data.code() == null || data.code().isBlank() || data.code().length() > 512) {
            throw new BadDataException("code", "data.code must be the code from the getPhoneNumber button");
        }
        Map<String, String> body = Map.of("code", data.code());
        JsonNode info = wechat.post("/wxa/business/getuserphonenumber", body, deadline()).path("phone_info");
        if (!info.path("phoneNumber").isTextual()) {
            throw new CloudFunctionException(ErrorCodes.UPSTREAM_BAD_ANSWER,
                    "WeChat answered without a phone number: try again later");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("phoneNumber", info.path("phoneNumber").asText());
        result.put("purePhoneNumber", info.path("purePhoneNumber").asText(null));
        result.put("countryCode", info.path("countryCode").asText(null));
        return result;
    }
}
