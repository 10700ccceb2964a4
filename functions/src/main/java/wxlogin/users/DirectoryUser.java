package wxlogin.users;

/**
 * The directory's answer for one login.
 *
 * @param userId the person's stable id: the token's {@code sub}
 * @param created whether this login created the user
 * @param linksAdded how many identities this login linked (0 on a returning login with nothing new)
 * @param conflictingUserId another user some identity of the login is linked to (logged, never merged), or null
 */
public record DirectoryUser(String userId, boolean created, int linksAdded, String conflictingUserId) {
}
