package wxlogin.session;

import java.util.Map;
import wxlogin.common.ApiException;
import wxlogin.common.ErrorCodes;
import wxlogin.http.RequestBodies;

/**
 * The body of {@code POST /session/refresh} and {@code POST /logout}: {@code {"refreshToken": "..."}},
 * for logout optionally with {@code "everywhere": true}.
 */
public record RefreshRequest(String refreshToken, boolean everywhere) {

    static final String EXAMPLE = "{\"refreshToken\": \"<refreshToken from /login or /session/refresh>\"}";

    @Override
    public String toString() {
        return "RefreshRequest[everywhere=" + everywhere + "]";
    }

    /** The request, its refresh token validated in shape, or a 400 that says what is wrong. */
    public static RefreshRequest parse(String body, boolean base64) {
        Map<String, Object> json = RequestBodies.jsonObject(body, base64, EXAMPLE);
        String token = refreshToken(json);
        Object everywhere = json.getOrDefault("everywhere", false);
        if (!(everywhere instanceof Boolean flag)) {
            throw new ApiException(400, ErrorCodes.BAD_REQUEST_BODY,
                    "The field \"everywhere\" must be true or false (or left out).", "everywhere not a boolean");
        }
        return new RefreshRequest(token, flag);
    }

    private static String refreshToken(Map<String, Object> json) {
        Object token = json.get("refreshToken");
        if (token == null) {
            throw bad("The field \"refreshToken\" is missing: send " + EXAMPLE + ".", "no refreshToken");
        }
        if (!(token instanceof String value)) {
            throw bad("The field \"refreshToken\" must be a string: send " + EXAMPLE + ".", "refreshToken not a string");
        }
        if (value.isEmpty()) {
            throw bad("The field \"refreshToken\" is empty: send the refreshToken of your last /login or /session/refresh answer.",
                    "empty refreshToken");
        }
        if (!RefreshTokens.wellFormed(value)) {
            throw bad("The field \"refreshToken\" is not a refresh token: send it unchanged, as /login or /session/refresh returned it.",
                    "refreshToken has bad length or characters");
        }
        return value;
    }

    private static ApiException bad(String message, String cause) {
        return new ApiException(400, ErrorCodes.BAD_REFRESH_TOKEN_FIELD, message, cause);
    }
}
