package wxlogin.local.wechat;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed sandbox code: {@code <scenario>.<nonce>} or {@code <scenario>.<user>.<nonce>} for
 * code2verifyinfo (the multi-terminal identity codes), the same after {@code mp.} for
 * jscode2session (what {@code wx.login} gives). Each API refuses the other's codes, as WeChat's do.
 */
record SandboxCode(Scenario scenario, String user, String nonce, boolean miniProgram) {

    static final String DEFAULT_USER = "default";
    static final String MINI_PROGRAM_PREFIX = "mp.";
    static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    static Optional<SandboxCode> parse(String code) {
        if (code == null || code.length() > 200) return Optional.empty();
        boolean miniProgram = code.startsWith(MINI_PROGRAM_PREFIX);
        String[] parts = code.substring(miniProgram ? MINI_PROGRAM_PREFIX.length() : 0).split("\\.", -1);
        if (parts.length != 2 && parts.length != 3) return Optional.empty();
        Optional<Scenario> scenario = Scenario.byId(parts[0]);
        if (scenario.isEmpty()) return Optional.empty();
        String user = parts.length == 3 ? parts[1] : DEFAULT_USER;
        String nonce = parts[parts.length - 1];
        if (!PART.matcher(user).matches() || !PART.matcher(nonce).matches()) return Optional.empty();
        return Optional.of(new SandboxCode(scenario.get(), user, nonce, miniProgram));
    }
}
