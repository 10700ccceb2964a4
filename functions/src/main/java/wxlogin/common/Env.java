package wxlogin.common;

import java.util.Map;

/** Typed reading of a function's environment; a bad value fails fast with the variable's name. */
public final class Env {

    private final Map<String, String> values;

    public Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("environment variable " + name + " is not set");
        }
        return value.trim();
    }

    public String optional(String name, String fallback) {
        String value = values.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public long number(String name, long fallback, long min, long max) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < min || parsed > max) {
                throw new ConfigurationException(name + " must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name + " must be a whole number");
        }
    }

    /** The function's region: Lambda sets AWS_REGION; AWS_DEFAULT_REGION and us-east-1 are fallbacks. */
    public String awsRegion() {
        return optional("AWS_REGION", optional("AWS_DEFAULT_REGION", "us-east-1"));
    }

    /**
     * The SDK's standard endpoint override for a service (e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}),
     * else the global {@code AWS_ENDPOINT_URL}, else null (the region's own endpoint).
     */
    public String awsEndpointOverride(String serviceVariable) {
        return optional(serviceVariable, optional("AWS_ENDPOINT_URL", null));
    }

    public Map<String, String> asMap() {
        return values;
    }
}
