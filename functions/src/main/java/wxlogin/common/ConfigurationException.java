package wxlogin.common;

/** The deployment is misconfigured (env var, secret content): an operator must act. */
public class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message, null, false, false);
    }
}
