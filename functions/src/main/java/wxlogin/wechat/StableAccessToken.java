package wxlogin.wechat;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import wxlogin.common.Deadline;
import wxlogin.common.Log;
import wxlogin.common.Metrics;
import wxlogin.wechat.WeChatException.Kind;

/**
 * The app's access token, cached per instance until shortly before it expires. Only one fetch
 * runs at a time; a rejected token is dropped only if it is still the cached one, so two callers
 * that both saw it fail cause one fetch, not two.
 */
public final class StableAccessToken {

    /** Renew this long before WeChat's expiry (capped at half the lifetime). */
    static final long RENEW_MARGIN_SECONDS = 300;

    private final WeChatClient client;
    private final Clock clock;
    private final ReentrantLock fetchLock = new ReentrantLock();

    private volatile Cached cached;

    public StableAccessToken(WeChatClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** A valid token for this app, fetched with {@code stable_token} when none is cached. */
    public String get(WeChatCredentials credentials, Deadline deadline) {
        Cached current = cached;
        if (current != null && current.usableFor(credentials.appid(), clock.millis())) {
            return current.token;
        }
        try {
            if (!fetchLock.tryLock(deadline.remainingMillis(), TimeUnit.MILLISECONDS)) {
                throw new WeChatException(WeChatClient.STABLE_TOKEN, Kind.TIMEOUT, 0, null, "waited for another fetch", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeChatException(WeChatClient.STABLE_TOKEN, Kind.TIMEOUT, 0, null, "interrupted", null);
        }
        try {
            current = cached;
            if (current != null && current.usableFor(credentials.appid(), clock.millis())) {
                return current.token;
            }
            WeChatClient.AccessToken fresh = client.stableToken(credentials, deadline);
            long lifetime = fresh.expiresInSeconds();
            long margin = Math.min(RENEW_MARGIN_SECONDS, lifetime / 2);
            cached = new Cached(credentials.appid(), fresh.value(), clock.millis() + (lifetime - margin) * 1000);
            Log.info("wechat.access_token.fetched", "appid", credentials.appid(), "expiresIn", lifetime);
            Metrics.stableTokenFetch();
            return fresh.value();
        } finally {
            fetchLock.unlock();
        }
    }

    /** Drops the token WeChat rejected, unless another caller already replaced it. */
    public void invalidate(String rejectedToken) {
        fetchLock.lock();
        try {
            Cached current = cached;
            if (current != null && current.token.equals(rejectedToken)) {
                cached = null;
            }
        } finally {
            fetchLock.unlock();
        }
    }

    /** Forgets the token (after a SnapStart restore the snapshot's token may be stale). */
    public void clear() {
        cached = null;
    }

    private record Cached(String appid, String token, long renewAtMillis) {
        boolean usableFor(String forAppid, long nowMillis) {
            return appid.equals(forAppid) && nowMillis < renewAtMillis;
        }

        @Override
        public String toString() {
            return "Cached[appid=" + appid + "]";
        }
    }
}
