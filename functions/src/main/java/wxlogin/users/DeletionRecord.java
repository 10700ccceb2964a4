package wxlogin.users;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An account deletion under way, as its record in the user directory holds it: what the deletion
 * still needs once the person is unknown to logins.
 *
 * @param userId         the user being deleted
 * @param linkKeys       the partition keys of the user's links, deleted near the end
 * @param wechatUserIds  the linked multi-terminal {@code user_id}s, to unregister with WeChat
 * @param resumed        whether an earlier attempt wrote the record (this one finishes its job)
 */
public record DeletionRecord(String userId, Set<String> linkKeys, List<String> wechatUserIds, boolean resumed) {

    private static final String WECHAT_USER_LINK = "link#" + IdentityKey.WECHAT_USER + "#";

    public DeletionRecord {
        linkKeys = Set.copyOf(linkKeys);
        wechatUserIds = List.copyOf(wechatUserIds);
    }

    static DeletionRecord of(String userId, Set<String> linkKeys, boolean resumed) {
        Set<String> sorted = new TreeSet<>(linkKeys);
        List<String> wechatUserIds = sorted.stream().filter(k -> k.startsWith(WECHAT_USER_LINK))
                .map(k -> k.substring(WECHAT_USER_LINK.length())).toList();
        return new DeletionRecord(userId, sorted, wechatUserIds, resumed);
    }
}
