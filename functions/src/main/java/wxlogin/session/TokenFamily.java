package wxlogin.session;

/**
 * One login's chain of refresh tokens (times in epoch seconds): the hash of the only token that
 * may be refreshed now, and whether the family was revoked (logout, or a token used twice).
 * {@link #toString()} leaves the hash out: it must not reach a log.
 */
public record TokenFamily(String familyId, String currentHash, String userId, long createdAt, long expiresAt,
                          Long revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }

    @Override
    public String toString() {
        return "TokenFamily[familyId=" + familyId + ", userId=" + userId + ", expiresAt=" + expiresAt
                + ", revokedAt=" + revokedAt + "]";
    }
}
