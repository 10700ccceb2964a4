package wxlogin.local.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP API route selection: the most specific route wins (literal segments over {@code {param}},
 * {@code {proxy+}} last, a method over {@code ANY}), then the {@code $default} route, else no match.
 */
final class RouteTable {

    record Match(SamTemplate.Route route, Map<String, String> pathParameters) {
    }

    private record Compiled(SamTemplate.Route route, String[] segments, int literals, boolean greedy) {
    }

    private final List<Compiled> routes = new ArrayList<>();
    private SamTemplate.Route defaultRoute;

    RouteTable(List<SamTemplate.Route> all) {
        for (SamTemplate.Route r : all) {
            if (r.path() == null) {
                defaultRoute = r;
                continue;
            }
            String[] segments = split(r.path());
            int literals = 0;
            boolean greedy = false;
            for (String s : segments) {
                if (s.startsWith("{") && s.endsWith("+}")) {
                    greedy = true;
                } else if (!(s.startsWith("{") && s.endsWith("}"))) {
                    literals++;
                }
            }
            routes.add(new Compiled(r, segments, literals, greedy));
        }
        routes.sort(Comparator.comparing((Compiled c) -> c.greedy)
                .thenComparing(c -> -c.literals)
                .thenComparing(c -> -c.segments.length)
                .thenComparing(c -> "ANY".equals(c.route.method())));
    }

    Match match(String method, String rawPath) {
        String[] actual = split(rawPath);
        for (Compiled c : routes) {
            if (!"ANY".equals(c.route.method()) && !c.route.method().equals(method)) {
                continue;
            }
            Map<String, String> params = matchPath(c.segments, actual);
            if (params != null) {
                return new Match(c.route, params);
            }
        }
        return defaultRoute == null ? null : new Match(defaultRoute, Map.of());
    }

    private static Map<String, String> matchPath(String[] template, String[] actual) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("+}")) {
                if (i >= actual.length) {
                    return null; // a greedy variable needs at least one segment
                }
                String rest = String.join("/", Arrays.copyOfRange(actual, i, actual.length));
                params.put(t.substring(1, t.length() - 2), decode(rest));
                return params;
            }
            if (i >= actual.length) {
                return null;
            }
            if (t.startsWith("{") && t.endsWith("}")) {
                if (actual[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), decode(actual[i]));
            } else if (!t.equals(decode(actual[i]))) {
                return null;
            }
        }
        return template.length == actual.length ? params : null;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/");
    }

    private static String decode(String segment) {
        try {
            // Path segments: '+' is a literal plus, only %xx is decoded.
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return segment;
        }
    }
}
