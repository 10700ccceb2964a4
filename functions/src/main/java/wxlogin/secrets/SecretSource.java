package wxlogin.secrets;

import wxlogin.common.Deadline;

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

    /** The same within the invocation's deadline (Secrets Manager bounds its call by it). */
    default String fetch(String secretId, Deadline deadline) {
        return fetch(secretId);
    }
}
