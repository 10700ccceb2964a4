package wxlogin.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Json;

/**
 * The session signing keys, parsed from the secret: {@code {"keys":[{"kid","secret"},...]}} or
 * {@code {"secret":"..."}}. The first key signs; every key verifies. Parsed with
 * {@link Json} (strict: a key given twice is refused).
 */
public final class SigningKeys {

    private final List<SigningKey> keys;
    private final Map<String, SigningKey> byKid;

    private SigningKeys(List<SigningKey> keys) {
        this.keys = List.copyOf(keys);
        Map<String, SigningKey> index = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            if (index.putIfAbsent(key.kid(), key) != null) {
                throw new ConfigurationException("session keys secret lists kid " + key.kid() + " twice");
            }
        }
        this.byKid = Map.copyOf(index);
    }

    public static SigningKeys of(SigningKey... keys) {
        return new SigningKeys(List.of(keys));
    }

    /** Parses the secret string; a malformed secret is a configuration error (never echoed). */
    public static SigningKeys parse(String secretString) {
        JsonNode json = Json.objectOrNull(secretString);
        if (json == null) {
            throw new ConfigurationException("session keys secret is not a JSON object");
        }
        List<SigningKey> keys = new ArrayList<>();
        JsonNode list = json.path("keys");
        if (list.isArray()) {
            for (JsonNode entry : list) {
                if (!entry.isObject()) {
                    throw new ConfigurationException("session keys secret: every entry of keys must be an object");
                }
                keys.add(key(Json.text(entry, "kid"), Json.text(entry, "secret")));
            }
        } else if ((list.isMissingNode() || list.isNull()) && !json.path("secret").isMissingNode() && !json.path("secret").isNull()) {
            String secret = Json.text(json, "secret");
            keys.add(key(secret == null ? null : SigningKey.derivedKid(secret), secret));
        }
        if (keys.isEmpty()) {
            throw new ConfigurationException("session keys secret has no key: expected {\"keys\":[...]} or {\"secret\":\"...\"}");
        }
        return new SigningKeys(keys);
    }

    private static SigningKey key(String k, String s) {
        if (k == null || k.isBlank() || k.length() > 64) {
            throw new ConfigurationException("session keys secret: every key needs a kid (1-64 characters)");
        }
        if (s == null) {
            throw new ConfigurationException("session keys secret: key " + k + " has no secret");
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < SigningKey.MIN_BYTES) {
            throw new ConfigurationException("session keys secret: key " + k + " is shorter than "
                    + SigningKey.MIN_BYTES + " bytes");
        }
        return new SigningKey(k, bytes);
    }

    public SigningKey signingKey() {
        return keys.get(0);
    }

    /** The key with this kid, or null. */
    public SigningKey find(String kid) {
        return kid == null ? null : byKid.get(kid);
    }

    public List<SigningKey> all() {
        return keys;
    }
}
