package wxlogin.token;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wxlogin.common.ConfigurationException;
import wxlogin.common.JsonObjects;

/**
 * The session signing keys, parsed from the secret: {@code {"keys":[{"kid","secret"},...]}} or
 * {@code {"secret":"..."}}. The first key signs; every key verifies. Parsed with
 * {@link JsonObjects} (strict: a key given twice is refused).
 */
public final class SigningKeys {

    private final List<SigningKey> keys;
    private final Map<String, SigningKey> byKid;
    /**
     * One HS256 verifier per key, made with the keys and dropped with them: a rotation (a new
     * SigningKeys) can never verify with a key it no longer lists.
     */
    private final Map<String, Hs256Verifier> verifiers;

    private SigningKeys(List<SigningKey> keys) {
        this.keys = List.copyOf(keys);
        Map<String, SigningKey> index = new LinkedHashMap<>();
        Map<String, Hs256Verifier> byKidVerifiers = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            if (index.putIfAbsent(key.kid(), key) != null) {
                throw new ConfigurationException("session keys secret lists kid " + key.kid() + " twice");
            }
            byKidVerifiers.put(key.kid(), Hs256Verifier.of(key));
        }
        this.byKid = Map.copyOf(index);
        this.verifiers = Map.copyOf(byKidVerifiers);
    }

    public static SigningKeys of(SigningKey... keys) {
        return new SigningKeys(List.of(keys));
    }

    /** Parses the secret string; a malformed secret is a configuration error (never echoed). */
    public static SigningKeys parse(String secretString) {
        Map<String, Object> json = JsonObjects.parseOrNull(secretString);
        if (json == null) {
            throw new ConfigurationException("session keys secret is not a JSON object");
        }
        List<SigningKey> keys = new ArrayList<>();
        Object list = json.get("keys");
        if (list instanceof List<?> entries) {
            for (Object entry : entries) {
                if (!(entry instanceof Map<?, ?> map)) {
                    throw new ConfigurationException("session keys secret: every entry of keys must be an object");
                }
                keys.add(key(map.get("kid"), map.get("secret")));
            }
        } else if (list == null && json.get("secret") != null) {
            Object secret = json.get("secret");
            keys.add(key(secret instanceof String s ? SigningKey.derivedKid(s) : null, secret));
        }
        if (keys.isEmpty()) {
            throw new ConfigurationException("session keys secret has no key: expected {\"keys\":[...]} or {\"secret\":\"...\"}");
        }
        return new SigningKeys(keys);
    }

    private static SigningKey key(Object kid, Object secret) {
        if (!(kid instanceof String k) || k.isBlank() || k.length() > 64) {
            throw new ConfigurationException("session keys secret: every key needs a kid (1-64 characters)");
        }
        if (!(secret instanceof String s)) {
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

    /** The HS256 verifier of the key with this kid, or null when no key has it. */
    Hs256Verifier verifier(String kid) {
        return kid == null ? null : verifiers.get(kid);
    }

    public List<SigningKey> all() {
        return keys;
    }
}
