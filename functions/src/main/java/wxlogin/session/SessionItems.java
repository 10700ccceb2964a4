package wxlogin.session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The items of the sessions table (layout: {@link DynamoDbSessionStore}).
 *
 * <p>Values are {@link String} (DynamoDB type S) or {@link Long} (type N). Items hold token
 * hashes: never log one.
 */
final class SessionItems {

    static final String PK = "pk";
    static final String TTL = "ttl";
    static final String TOKEN_PREFIX = "token#";
    static final String FAMILY_PREFIX = "family#";
    /**
     * The user-to-families index (template.yaml: SessionsTable's GSI): keyed by {@link #FAMILY_USER},
     * an attribute only family items carry, so token items stay out of it (a sparse index).
     */
    static final String BY_USER_INDEX = "ByUser";
    static final String FAMILY_USER = "familyUser";
    /** The condition of each put that starts a family: neither the family nor the token exists yet. */
    static final String NOT_YET_STORED = "attribute_not_exists(pk)";

    private SessionItems() {
    }

    static Map<String, Object> family(TokenFamily family) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put(PK, FAMILY_PREFIX + family.familyId());
        item.put("kind", "family");
        item.put("currentHash", family.currentHash());
        item.put("userId", family.userId());
        item.put(FAMILY_USER, family.userId());
        item.put("createdAt", family.createdAt());
        item.put("expiresAt", family.expiresAt());
        item.put(TTL, family.expiresAt());
        return item;
    }

    static Map<String, Object> token(StoredToken token) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put(PK, TOKEN_PREFIX + token.hash());
        item.put("kind", "token");
        item.put("familyId", token.familyId());
        SessionIdentity identity = token.identity();
        item.put("userId", identity.userId());
        item.put("appid", identity.appid());
        item.put("loginType", identity.loginType());
        if (identity.openid() != null) {
            item.put("openid", identity.openid());
        }
        if (identity.unionid() != null) {
            item.put("unionid", identity.unionid());
        }
        item.put("issuedAt", token.issuedAt());
        item.put("expiresAt", token.expiresAt());
        item.put(TTL, token.expiresAt());
        return item;
    }

    /** The item in a client's vocabulary: each S value through {@code s}, each N value through {@code n}. */
    static <T> Map<String, T> convert(Map<String, Object> item, Function<String, T> s, Function<Long, T> n) {
        Map<String, T> converted = new LinkedHashMap<>();
        for (Map.Entry<String, Object> attribute : item.entrySet()) {
            Object value = attribute.getValue();
            converted.put(attribute.getKey(), value instanceof Long number ? n.apply(number) : s.apply((String) value));
        }
        return converted;
    }
}
