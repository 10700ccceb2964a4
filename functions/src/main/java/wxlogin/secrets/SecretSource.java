package wxlogin.secrets;

/** Where secret strings come from: Secrets Manager in production. */
@FunctionalInterface
public interface SecretSource {

    /**
     * The current {@code SecretString} of a secret.
     *
     * @throws SecretUnavailableException when the service cannot answer now (retry later)
     * @throws wxlogin.common.ConfigurationException when the secret is missing or not readable
     */
    String fetch(String secretId);
}
