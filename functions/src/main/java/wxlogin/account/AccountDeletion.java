package wxlogin.account;

import java.time.Clock;
import java.util.Map;
import wxlogin.cloudfunction.CloudFunctionException;
import wxlogin.cloudfunction.WeChatApi;
import wxlogin.common.ApiException;
import wxlogin.common.ConfigurationException;
import wxlogin.common.Deadline;
import wxlogin.common.ErrorCodes;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.session.RefreshSessions;
import wxlogin.token.SessionClaims;
import wxlogin.users.DeletionRecord;
import wxlogin.users.UserDirectory;
import wxlogin.users.UserDirectoryUnavailableException;

/**
 * Deletes a person's account, in an order that any attempt can resume: the deletion record first
 * (from then on logins treat the person as unknown), then every session revoked, the linked
 * multi-terminal {@code user_id}s unregistered with WeChat, {@code user.deleted} put on the event
 * bus, the links deleted, the sessions revoked again (a login racing the deletion may have started
 * one), and the record last. Every step is idempotent: a failure part-way answers 503 and a repeat
 * finishes the job; a repeat after success finds nothing left and answers as a success.
 */
public final class AccountDeletion {

    /** How recent the login must be ({@code auth_time}): deleting is for the person at the device now. */
    public static final long RECENT_LOGIN_SECONDS = 600;
    /** WeChat's "no such user": unregistered already. */
    static final long WECHAT_USER_GONE = 10001038L;
    static final String UNREGISTER_PATH = "/donut/unregisteruser";
    static final String REVOKE_REASON = "account_deleted";
    /** Part-way failures are outages: the client kit retries once after at most 5 s. */
    static final int RETRY_AFTER_SECONDS = 1;
    static final String INCOMPLETE_MESSAGE = "The account deletion has not finished (a service is unavailable). "
            + "Send the same request again in a moment: it continues where it stopped.";
    static final String MISCONFIGURED_MESSAGE = "Account deletion is misconfigured on the server. Please try again later.";

    /** What a deletion found. */
    public enum Outcome {
        /** This request deleted the account (or finished an earlier attempt). */
        DELETED,
        /** Nothing left to delete: deleted before, or never in the directory. */
        NOTHING_LEFT
    }

    private final UserDirectory directory;
    private final RefreshSessions sessions;
    private final WeChatApi wechat;
    private final UserDeletedEvents events;

    public AccountDeletion(UserDirectory directory, RefreshSessions sessions, WeChatApi wechat, UserDeletedEvents events) {
        this.directory = directory;
        this.sessions = sessions;
        this.wechat = wechat;
        this.events = events;
    }

    /**
     * The recent-login rule: a token whose {@code auth_time} is missing or older than
     * {@link #RECENT_LOGIN_SECONDS} is refused with 401 {@link ErrorCodes#RECENT_LOGIN_REQUIRED}.
     */
    public static void requireRecentLogin(SessionClaims claims, Clock clock) {
        long now = clock.instant().getEpochSecond();
        Long authTime = claims.authTime();
        if (authTime == null || now - authTime > RECENT_LOGIN_SECONDS) {
            throw new ApiException(401, ErrorCodes.RECENT_LOGIN_REQUIRED,
                    "Deleting the account needs a login from the last 10 minutes: log in again, then delete.",
                    authTime == null ? "no auth_time" : "login " + (now - authTime) + " s ago");
        }
    }

    /** Deletes the account of {@code userId} (the verified token's {@code sub}) or finishes an earlier attempt. */
    public Outcome delete(String userId, Deadline deadline) {
        DeletionRecord record = step("begin", () -> directory.beginDeletion(userId, deadline));
        if (record == null) {
            // Deleted before (a repeat) or never in the directory: its sessions may still exist.
            step("revoke", () -> sessions.revokeAllOf(userId, REVOKE_REASON, deadline));
            return Outcome.NOTHING_LEFT;
        }
        if (record.resumed()) {
            Log.info("account.deletion_resumed", "userId", userId);
        }
        step("revoke", () -> sessions.revokeAllOf(userId, REVOKE_REASON, deadline));
        for (String wechatUserId : record.wechatUserIds()) {
            step("unregister", () -> unregister(wechatUserId, deadline));
        }
        step("event", () -> {
            events.put(userId, deadline);
            return null;
        });
        step("links", () -> {
            directory.deleteLinks(record, deadline);
            return null;
        });
        int revoked = step("revoke_again", () -> sessions.revokeAllOf(userId, REVOKE_REASON, deadline));
        step("finish", () -> {
            directory.finishDeletion(record, deadline);
            return null;
        });
        Log.info("account.deleted", "userId", userId, "sessions", revoked, "unregistered", record.wechatUserIds().size());
        Metrics.revocation(Metrics.RevocationReason.ACCOUNT_DELETED, revoked);
        return Outcome.DELETED;
    }

    /** Forgets WeChat's access token and connections (after a SnapStart restore). */
    public void refreshAfterRestore() {
        wechat.refreshAfterRestore();
        directory.refreshAfterRestore();
        sessions.refreshAfterRestore();
    }

    private Object unregister(String wechatUserId, Deadline deadline) {
        try {
            wechat.post(UNREGISTER_PATH, Map.of("user_id", wechatUserId), deadline);
        } catch (CloudFunctionException e) {
            if (e.errCode() != WECHAT_USER_GONE) {
                throw e;
            }
        }
        return null;
    }

    private interface Step<T> {
        T run();
    }

    /** Runs one step; a failure becomes the answer: 503 to repeat, or 500 for a misconfiguration. */
    private static <T> T step(String name, Step<T> step) {
        try {
            return step.run();
        } catch (UserDirectoryUnavailableException | UserDeletedEvents.UnavailableException e) {
            throw incomplete(name, e.getMessage());
        } catch (CloudFunctionException e) {
            if (e.errCode() == ErrorCodes.MISCONFIGURED) {
                throw misconfigured(name, "WeChat: " + e.getMessage());
            }
            throw incomplete(name, "WeChat: status " + e.status() + " errcode " + e.errCode());
        } catch (ApiException e) {
            // The session store's own answers: 503 (unavailable) or 500 (misconfigured).
            if (e.status() >= 500 && e.status() != 503) {
                throw misconfigured(name, e.getMessage());
            }
            throw incomplete(name, e.getMessage());
        } catch (ConfigurationException e) {
            throw misconfigured(name, e.getMessage());
        }
    }

    private static ApiException incomplete(String step, String cause) {
        return new ApiException(503, ErrorCodes.ACCOUNT_DELETION_INCOMPLETE, INCOMPLETE_MESSAGE, RETRY_AFTER_SECONDS,
                "step " + step + ": " + cause, null);
    }

    private static ApiException misconfigured(String step, String cause) {
        return new ApiException(500, ErrorCodes.MISCONFIGURED, MISCONFIGURED_MESSAGE, "step " + step + ": " + cause);
    }
}
