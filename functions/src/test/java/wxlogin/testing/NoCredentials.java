// Test support: an AWS credentials provider that finds none, as the SDK's chain does with nothing configured.
package wxlogin.testing;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/** Fails like the SDK's provider chain when no provider has credentials. */
public final class NoCredentials implements IdentityProvider<AwsCredentialsIdentity> {

    @Override
    public Class<AwsCredentialsIdentity> identityType() {
        return AwsCredentialsIdentity.class;
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        throw new IllegalStateException("Unable to load credentials from any of the providers in the chain");
    }
}
