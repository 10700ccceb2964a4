package wxlogin.session;

import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.secrets.CachedSecret;
import wxlogin.secrets.SecretUnavailableException;
import wxlogin.token.SessionTokens;
import wxlogin.token.SigningKeys;

/**
 * {@code /session/refresh} and {@code /logout} (SessionFunction): a refresh token in, a new access
 * token and a new refresh token out, or the family revoked.
 */
public final class SessionRenewal {

    private final CachedSecret<SigningKeys> signingKeys;
    private final SessionTokens accessTokens;
    private final RefreshSessions refreshSessions;

    public SessionRenewal(CachedSecret<SigningKeys> signingKeys, SessionTokens accessTokens,
                          RefreshSessions refreshSessions) {
        this.signingKeys = signingKeys;
        this.accessTokens = accessTokens;
        this.refreshSessions = refreshSessions;
    }

    /** Rotates the refresh token and mints an access token for the family's identity. */
    public Renewed refresh(String refreshToken, Deadline deadline) {
        // Keys first: without them nothing can be minted, and the refresh token must then stay unspent.
        SigningKeys keys = keys(deadline);
        RefreshSessions.Rotated rotated = refreshSessions.rotate(refreshToken, keys, deadline);
        SessionIdentity id = rotated.identity();
        SessionTokens.Minted access = accessTokens.mint(keys.signingKey(), id.userId(), id.appid(), id.loginType(),
                id.openid(), id.unionid(), rotated.authTime());
        return new Renewed(access, rotated.refresh());
    }

    /** Revokes the family of the refresh token, or with {@code everywhere} every family of its user. */
    public void logout(String refreshToken, boolean everywhere, Deadline deadline) {
        if (everywhere) {
            refreshSessions.revokeEverywhere(refreshToken, deadline);
        } else {
            refreshSessions.revoke(refreshToken, deadline);
        }
    }

    public long accessTokenLifetimeSeconds() {
        return accessTokens.ttlSeconds();
    }

    /** After a SnapStart restore: secrets re-read, randomness re-seeded. */
    public void refreshAfterRestore() {
        signingKeys.expire();
        refreshSessions.refreshAfterRestore();
    }

    private SigningKeys keys(Deadline deadline) {
        try {
            return signingKeys.get(deadline);
        } catch (SecretUnavailableException e) {
            throw new ApiException(503, ErrorCodes.SECRETS_UNAVAILABLE,
                    "The session service is temporarily unavailable. Retry in a second with the same refresh token.",
                    RefreshSessions.RETRY_AFTER_SECONDS,
                    "secret " + signingKeys.secretId() + " unavailable: " + e.getMessage(), null);
        } catch (ConfigurationException e) {
            throw new ApiException(500, ErrorCodes.MISCONFIGURED, RefreshSessions.MISCONFIGURED_MESSAGE, e.getMessage());
        }
    }

    /** A new token pair. {@link #toString()} hides both tokens. */
    public record Renewed(SessionTokens.Minted access, RefreshSessions.Issued refresh) {
        @Override
        public String toString() {
            return "Renewed[" + access + ", " + refresh + "]";
        }
    }
}
