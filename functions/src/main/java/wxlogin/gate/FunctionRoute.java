package wxlogin.gate;

import java.util.regex.Pattern;

/**
 * The cloud function a call is for, as API Gateway routed it, and whether the client spelled the
 * path canonically. The policy decides on the name; a spelling API Gateway may have normalised
 * (percent-encoded characters in the function's segment, dot segments, doubled slashes) is denied
 * rather than guessed at, so no spelling of one function can borrow another's decision.
 */
final class FunctionRoute {

    static final String FUNCTIONS_PREFIX = "/functions/";
    /** What a function's name may be, as it stands in the path. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private FunctionRoute() {
    }

    /**
     * @param routeKey the matched route, e.g. {@code POST /functions/myCloudFunction},
     *                 {@code POST /functions/{name}} or {@code $default}
     * @param rawPath  the path as the client sent it
     * @return the function's name; the path itself for a route outside {@code /functions/};
     *         null when the path is not canonical (deny)
     */
    static String name(String routeKey, String rawPath) {
        String routePath = routeKey == null || routeKey.indexOf(' ') < 0 ? null : routeKey.substring(routeKey.indexOf(' ') + 1);
        boolean concrete = routePath != null && !routePath.contains("{");
        if (concrete && !routePath.startsWith(FUNCTIONS_PREFIX)) {
            return routePath; // another gated route (not a cloud function): the route key alone decides
        }
        if (rawPath == null || !canonical(rawPath)) {
            return null;
        }
        int at = rawPath.indexOf(FUNCTIONS_PREFIX);
        if (at < 0) {
            return concrete ? null : rawPath;
        }
        String rest = rawPath.substring(at + FUNCTIONS_PREFIX.length());
        int slash = rest.indexOf('/');
        String segment = slash < 0 ? rest : rest.substring(0, slash);
        if (!NAME.matcher(segment).matches()) {
            return null;
        }
        if (concrete) {
            String routed = routePath.substring(FUNCTIONS_PREFIX.length());
            int end = routed.indexOf('/');
            // API Gateway matched this route for that spelling: only the route's own spelling passes.
            return segment.equals(end < 0 ? routed : routed.substring(0, end)) ? segment : null;
        }
        return segment;
    }

    /** No empty or dot segments, and no percent-encoding of a character that needs none. */
    private static boolean canonical(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return false;
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if ((segment.isEmpty() && !last) || segment.equals(".") || segment.equals("..")) {
                return false;
            }
            for (int p = segment.indexOf('%'); p >= 0; p = segment.indexOf('%', p + 1)) {
                if (p + 2 >= segment.length() || unreservedOrSeparator(segment.charAt(p + 1), segment.charAt(p + 2))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether %XY encodes a letter, digit, '-', '.', '_', '~' or '/' (or is not hex at all). */
    private static boolean unreservedOrSeparator(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        if (h < 0 || l < 0) {
            return true;
        }
        char c = (char) (h * 16 + l);
        return Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    }
}
