package wxlogin.session;

/**
 * What the store keeps of one refresh token (times in epoch seconds). {@code rotatedAt} is set
 * once a newer token of the family replaced it, and never changes afterwards.
 * {@link #toString()} leaves the hash out: it must not reach a log.
 */
public record StoredToken(String hash, String familyId, SessionIdentity identity, long issuedAt, long expiresAt,
                          Long rotatedAt) {

    public boolean expiredAt(long now) {
        return now >= expiresAt;
    }

    @Override
    public String toString() {
        return "StoredToken[familyId=" + familyId + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt
                + ", rotatedAt=" + rotatedAt + "]";
    }
}
