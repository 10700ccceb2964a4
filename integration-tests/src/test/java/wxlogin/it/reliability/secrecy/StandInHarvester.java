// Level: test utility (integration suite) - a JUnit extension, registered for every test class of the module, that collects what the local stand-ins issued.
package wxlogin.it.reliability.secrecy;

import com.fasterxml.jackson.databind.JsonNode;
import wxlogin.testing.SecretLedger;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import wxlogin.testing.SecretLedger.Kind;
import wxlogin.local.DevelopmentSecrets;
import wxlogin.local.LocalMain;
import wxlogin.local.secrets.SecretsManagerEndpoint;
import wxlogin.local.wechat.WeChatSandbox;

/**
 * After each test (and each test class), finds the WeChat sandboxes and Secrets Manager endpoints
 * the test holds in its fields (instance or static, directly, in a {@link LocalMain.Stack}, or in a
 * collection) and records into the {@link SecretLedger} what they issued or stored: app secrets,
 * every access token minted, every code issued or presented, the session_key of every successful
 * answer, every secret string and the keys inside it. Session tokens minted by the handlers are
 * found by the check itself: any JWS in a log line that verifies under a recorded signing key.
 *
 * <p>The stand-ins do not publish this state, so it is read reflectively; if their fields change,
 * this fails loudly rather than letting the check go blind. Registered for every test class of
 * integration-tests through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} (set by the POM).
 */
public final class StandInHarvester implements AfterEachCallback, AfterAllCallback {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The local development secrets are in every stack the module starts.
        SecretLedger.register(Kind.APP_SECRET, DevelopmentSecrets.APPSECRET);
        SecretLedger.register(Kind.SIGNING_KEY, DevelopmentSecrets.SIGNING_SECRET);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getTestInstance().ifPresent(instance -> harvestFields(instance, instance.getClass()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        harvestFields(null, context.getRequiredTestClass());
    }

    /** Records what these stand-ins hold now (tests that keep stand-ins in local variables call this). */
    public static void harvest(Object... standIns) {
        for (Object standIn : standIns) {
            harvestValue(standIn, 0);
        }
    }

    private static void harvestFields(Object instance, Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if ((instance == null) != Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    harvestValue(field.get(instance), 0);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // A field of some other type that cannot be opened holds no stand-in.
                }
            }
        }
    }

    private static void harvestValue(Object value, int depth) {
        if (value instanceof WeChatSandbox sandbox) {
            harvestSandbox(sandbox);
        } else if (value instanceof SecretsManagerEndpoint endpoint) {
            harvestEndpoint(endpoint);
        } else if (value instanceof LocalMain.Stack stack) {
            harvestSandbox(stack.wechat());
            harvestEndpoint(stack.secrets());
        } else if (depth == 0 && value instanceof Collection<?> items) {
            for (Object item : new ArrayList<>(items)) {
                harvestValue(item, 1);
            }
        }
    }

    // ------------------------------------------------------------------ WeChat sandbox

    private static void harvestSandbox(WeChatSandbox sandbox) {
        List<String> tokens;
        List<String> codes = new ArrayList<>();
        List<String> consumed;
        List<String> sessionKeys;
        List<String> phoneNumbers;
        synchronized (field(sandbox, "lock")) {
            sessionKeys = new ArrayList<>(StandInHarvester.<List<String>>read(sandbox, "sessionKeys"));
            phoneNumbers = new ArrayList<>(StandInHarvester.<List<String>>read(sandbox, "phoneNumbers"));
            tokens = new ArrayList<>(StandInHarvester.<Map<String, ?>>read(sandbox, "tokens").keySet());
            codes.addAll(StandInHarvester.<Map<String, ?>>read(sandbox, "codeIssuedAt").keySet());
            consumed = new ArrayList<>(StandInHarvester.<Set<String>>read(sandbox, "consumedCodes"));
            codes.addAll(consumed);
            codes.addAll(StandInHarvester.<Set<String>>read(sandbox, "busyCodesSeen"));
        }
        Object credentials = field(sandbox, "credentials");
        SecretLedger.register(Kind.APP_SECRET, (String) call(credentials, "appsecret"));
        SecretLedger.register(Kind.APP_SECRET, (String) call(field(sandbox, "miniProgramCredentials"), "appsecret"));
        tokens.forEach(token -> SecretLedger.register(Kind.ACCESS_TOKEN, token));
        codes.forEach(code -> SecretLedger.register(Kind.WECHAT_CODE, code));
        sessionKeys.forEach(key -> SecretLedger.register(Kind.SESSION_KEY, key));
        phoneNumbers.forEach(number -> SecretLedger.register(Kind.PHONE_NUMBER, number));
    }

    // ------------------------------------------------------------------ Secrets Manager endpoint

    private static void harvestEndpoint(SecretsManagerEndpoint endpoint) {
        List<String> secretStrings = new ArrayList<>();
        synchronized (field(endpoint, "lock")) {
            for (Object secret : StandInHarvester.<Map<String, ?>>read(endpoint, "secrets").values()) {
                for (Object version : StandInHarvester.<Map<String, ?>>read(secret, "versions").values()) {
                    secretStrings.add((String) call(version, "secretString"));
                }
            }
        }
        secretStrings.forEach(StandInHarvester::registerSecretString);
    }

    /** The whole string, and the secret members of the contract's two formats. */
    static void registerSecretString(String secretString) {
        SecretLedger.register(Kind.SECRET_STRING, secretString);
        JsonNode json;
        try {
            json = JSON.readTree(secretString);
        } catch (Exception notJson) {
            return;
        }
        if (json == null || !json.isObject()) {
            return;
        }
        if (json.path("appsecret").isTextual()) {
            SecretLedger.register(Kind.APP_SECRET, json.get("appsecret").asText());
        }
        if (json.path("secret").isTextual()) {
            SecretLedger.register(Kind.SIGNING_KEY, json.get("secret").asText());
        }
        for (JsonNode key : json.path("keys")) {
            if (key.path("secret").isTextual()) {
                SecretLedger.register(Kind.SIGNING_KEY, key.get("secret").asText());
            }
        }
    }

    // ------------------------------------------------------------------ reflection

    @SuppressWarnings("unchecked")
    private static <T> T read(Object target, String name) {
        return (T) field(target, name);
    }

    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                throw drifted(target.getClass().getSimpleName() + "." + name, e);
            }
        }
        throw drifted(target.getClass().getSimpleName() + "." + name, null);
    }

    private static Object call(Object target, String method) {
        try {
            Method m = target.getClass().getDeclaredMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw drifted(target.getClass().getSimpleName() + "." + method + "()", e);
        } catch (InvocationTargetException e) {
            throw drifted(target.getClass().getSimpleName() + "." + method + "()", e.getCause());
        }
    }

    private static AssertionError drifted(String what, Throwable cause) {
        return new AssertionError("The log-secrecy harvest cannot read " + what + ": the stand-in changed; update "
                + StandInHarvester.class.getName() + " so the secrecy check keeps seeing what the run issued", cause);
    }
}
