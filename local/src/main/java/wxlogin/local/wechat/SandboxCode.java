package wxlogin.local.wechat;

import java.util.Optional;
import java.util.regex.Pattern;

/** A parsed sandbox code: {@code <scenario>.<nonce>} or {@code <scenario>.<user>.<nonce>}. */
record SandboxCode(Scenario scenario, String user, String nonce) {

    static final String DEFAULT_USER = "default";
    static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    static Optional<SandboxCode> parse(String code) {
        if (code == null || code.length() > 200) return Optional.empty();
        String[] parts = code.split("\\.", -1);
        if (parts.length != 2 && parts.length != 3) return Optional.empty();
        Optional<Scenario> scenario = Scenario.byId(parts[0]);
        if (scenario.isEmpty()) return Optional.empty();
        String user = parts.length == 3 ? parts[1] : DEFAULT_USER;
        String nonce = parts[parts.length - 1];
        if (!PART.matcher(user).matches() || !PART.matcher(nonce).matches()) return Optional.empty();
        return Optional.of(new SandboxCode(scenario.get(), user, nonce));
    }
}
