// Level: test utility (integration suite) - runs the runbook's Logs Insights queries over sample log lines.
package wxlogin.it.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The subset of the CloudWatch Logs Insights query language the queries in {@code ops/queries/}
 * use: {@code #} comments; {@code fields a, b}; {@code filter} with {@code = != < <= > >=},
 * {@code like /regex/} or {@code like "text"}, {@code in [...]}, {@code and}, {@code or},
 * {@code not} and parentheses; {@code stats count(*) | count(f) | sum(f) | max(f) | min(f) as name,
 * ... by f, ...}; {@code sort f asc|desc}; {@code limit n}. Hand-written because no library
 * evaluates Logs Insights queries (the service is the only implementation); anything outside the
 * subset fails loudly rather than being guessed at.
 *
 * <p>Semantics kept strict where Logs Insights is lenient, so a query passes here only if it holds
 * there: a missing field never matches (not even {@code !=}), a number compares only with a number
 * and a string only with a string, nested JSON is reached as {@code a.b}, {@code @timestamp} is the
 * sample's {@code timestamp} (where the samples keep the time CloudWatch Logs gives each event).
 */
final class LogsInsights {

    private LogsInsights() {
    }

    static List<Map<String, Object>> run(String query, List<Map<String, Object>> records) {
        List<Map<String, Object>> rows = new ArrayList<>(records);
        for (List<Token> command : commands(tokens(query))) {
            String verb = command.get(0).text;
            Cursor c = new Cursor(command.subList(1, command.size()));
            rows = switch (verb) {
                case "fields" -> fields(c, rows);
                case "filter" -> filter(c, rows);
                case "stats" -> stats(c, rows);
                case "sort" -> sort(c, rows);
                case "limit" -> {
                    int n = Integer.parseInt(c.next().text);
                    c.end();
                    yield rows.subList(0, Math.min(n, rows.size()));
                }
                default -> throw new IllegalArgumentException("command not in the evaluated subset: " + verb);
            };
        }
        return rows;
    }

    /** The value of a field of a record: top level, else a dotted path into nested objects. */
    static Object field(Map<String, Object> record, String name) {
        String key = name.equals("@timestamp") ? "timestamp" : name;
        if (record.containsKey(key)) {
            return record.get(key);
        }
        Object node = record;
        for (String part : key.split("\\.")) {
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(part)) {
                return null;
            }
            node = m.get(part);
        }
        return node;
    }

    // ------------------------------------------------------------------ commands

    private static List<Map<String, Object>> fields(Cursor c, List<Map<String, Object>> rows) {
        List<String> names = new ArrayList<>();
        do {
            names.add(c.identifier());
        } while (c.accept(","));
        c.end();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> projected = new LinkedHashMap<>();
            for (String name : names) {
                projected.put(name, field(row, name));
            }
            // Other fields stay reachable for later commands (Logs Insights' fields only adds to the display).
            Map<String, Object> kept = new LinkedHashMap<>(row);
            kept.put(DISPLAY, projected);
            out.add(kept);
        }
        return out;
    }

    /** Where {@code fields} keeps the projection; {@link #display} returns it. */
    private static final String DISPLAY = "\u0000display";

    /** What the console would show for a row: the {@code fields} projection, or the stats row itself. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> display(Map<String, Object> row) {
        Object projected = row.get(DISPLAY);
        return projected == null ? row : (Map<String, Object>) projected;
    }

    private static List<Map<String, Object>> filter(Cursor c, List<Map<String, Object>> rows) {
        Expression e = or(c);
        c.end();
        return rows.stream().filter(e::test).toList();
    }

    private record Aggregate(String function, String field, String name) {
    }

    private static List<Map<String, Object>> stats(Cursor c, List<Map<String, Object>> rows) {
        List<Aggregate> aggregates = new ArrayList<>();
        do {
            String function = c.identifier();
            c.expect("(");
            String field = c.accept("*") ? "*" : c.identifier();
            c.expect(")");
            if (!List.of("count", "sum", "max", "min").contains(function) || (field.equals("*") && !function.equals("count"))) {
                throw new IllegalArgumentException("aggregate not in the evaluated subset: " + function + "(" + field + ")");
            }
            String name = c.accept("as") ? c.identifier() : function + "(" + field + ")";
            aggregates.add(new Aggregate(function, field, name));
        } while (c.accept(","));
        List<String> by = new ArrayList<>();
        if (c.accept("by")) {
            do {
                by.add(c.identifier());
            } while (c.accept(","));
        }
        c.end();
        Map<List<Object>, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            List<Object> key = new ArrayList<>();
            by.forEach(f -> key.add(field(row, f)));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        groups.forEach((key, members) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < by.size(); i++) {
                row.put(by.get(i), key.get(i));
            }
            for (Aggregate a : aggregates) {
                row.put(a.name(), aggregate(a, members));
            }
            out.add(row);
        });
        return out;
    }

    private static Object aggregate(Aggregate a, List<Map<String, Object>> rows) {
        if (a.function().equals("count")) {
            return a.field().equals("*") ? (long) rows.size()
                    : rows.stream().filter(r -> field(r, a.field()) != null).count();
        }
        List<Double> numbers = rows.stream().map(r -> field(r, a.field())).filter(v -> v instanceof Number)
                .map(v -> ((Number) v).doubleValue()).toList();
        if (numbers.isEmpty()) {
            return null;
        }
        double result = switch (a.function()) {
            case "sum" -> numbers.stream().mapToDouble(Double::doubleValue).sum();
            case "max" -> numbers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            default -> numbers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        };
        return result == Math.rint(result) ? (Object) (long) result : (Object) result;
    }

    private static List<Map<String, Object>> sort(Cursor c, List<Map<String, Object>> rows) {
        String name = c.identifier();
        boolean descending = c.accept("desc");
        if (!descending) {
            c.accept("asc");
        }
        c.end();
        Comparator<Map<String, Object>> order = (a, b) -> compareForSort(field(a, name), field(b, name));
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        sorted.sort(descending ? order.reversed() : order);
        return sorted;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareForSort(Object a, Object b) {
        if (a == null || b == null) {
            return a == b ? 0 : a == null ? -1 : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        return ((Comparable) a.toString()).compareTo(b.toString());
    }

    // ------------------------------------------------------------------ filter expressions

    private interface Expression {
        boolean test(Map<String, Object> record);
    }

    private static Expression or(Cursor c) {
        Expression left = and(c);
        while (c.accept("or")) {
            Expression l = left;
            Expression r = and(c);
            left = rec -> l.test(rec) || r.test(rec);
        }
        return left;
    }

    private static Expression and(Cursor c) {
        Expression left = not(c);
        while (c.accept("and")) {
            Expression l = left;
            Expression r = not(c);
            left = rec -> l.test(rec) && r.test(rec);
        }
        return left;
    }

    private static Expression not(Cursor c) {
        if (c.accept("not")) {
            Expression inner = not(c);
            return rec -> !inner.test(rec);
        }
        if (c.accept("(")) {
            Expression inner = or(c);
            c.expect(")");
            return inner;
        }
        return comparison(c);
    }

    private static Expression comparison(Cursor c) {
        String name = c.identifier();
        boolean negated = c.accept("not");
        Token op = c.next();
        Expression e = switch (op.text) {
            case "like" -> {
                Token pattern = c.next();
                Pattern regex = pattern.kind == Kind.REGEX ? Pattern.compile(pattern.text)
                        : Pattern.compile(Pattern.quote(c.literalString(pattern)));
                yield rec -> field(rec, name) instanceof String s && regex.matcher(s).find();
            }
            case "in" -> {
                c.expect("[");
                List<Object> values = new ArrayList<>();
                do {
                    values.add(c.literal());
                } while (c.accept(","));
                c.expect("]");
                yield rec -> values.stream().anyMatch(v -> same(field(rec, name), v));
            }
            case "=", "!=", "<", "<=", ">", ">=" -> {
                if (negated) {
                    throw new IllegalArgumentException("'not' before " + op.text);
                }
                Object value = c.literal();
                yield rec -> compare(field(rec, name), op.text, value);
            }
            default -> throw new IllegalArgumentException("operator not in the evaluated subset: " + op.text);
        };
        if (negated) {
            Expression positive = e;
            return rec -> field(rec, name) != null && !positive.test(rec);
        }
        return e;
    }

    private static boolean same(Object field, Object literal) {
        if (field instanceof Number a && literal instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return field instanceof String && field.equals(literal);
    }

    private static boolean compare(Object field, String op, Object literal) {
        if (field == null) {
            return false;
        }
        if (op.equals("=")) {
            return same(field, literal);
        }
        if (op.equals("!=")) {
            return (field instanceof Number) == (literal instanceof Number) && !same(field, literal);
        }
        if (!(field instanceof Number a) || !(literal instanceof Number b)) {
            return false;
        }
        int cmp = Double.compare(a.doubleValue(), b.doubleValue());
        return switch (op) {
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case ">" -> cmp > 0;
            default -> cmp >= 0;
        };
    }

    // ------------------------------------------------------------------ tokens

    private enum Kind { WORD, STRING, NUMBER, REGEX, SYMBOL }

    private record Token(Kind kind, String text) {
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z_@][A-Za-z0-9_.@]*");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    static List<Token> tokens(String query) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < query.length()) {
            char ch = query.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '#') {
                while (i < query.length() && query.charAt(i) != '\n') {
                    i++;
                }
            } else if (ch == '"' || ch == '\'') {
                int end = query.indexOf(ch, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated string at " + i);
                }
                out.add(new Token(Kind.STRING, query.substring(i + 1, end)));
                i = end + 1;
            } else if (ch == '/' && !out.isEmpty() && out.get(out.size() - 1).text.equals("like")) {
                int end = query.indexOf('/', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated regex at " + i);
                }
                out.add(new Token(Kind.REGEX, query.substring(i + 1, end)));
                i = end + 1;
            } else if (Character.isDigit(ch) || (ch == '-' && i + 1 < query.length() && Character.isDigit(query.charAt(i + 1)))) {
                var m = NUMBER.matcher(query).region(i, query.length());
                m.lookingAt();
                out.add(new Token(Kind.NUMBER, m.group()));
                i = m.end();
            } else if (Character.isLetter(ch) || ch == '_' || ch == '@') {
                var m = WORD.matcher(query).region(i, query.length());
                m.lookingAt();
                out.add(new Token(Kind.WORD, m.group()));
                i = m.end();
            } else {
                String two = i + 1 < query.length() ? query.substring(i, i + 2) : "";
                String symbol = List.of("!=", "<=", ">=").contains(two) ? two : String.valueOf(ch);
                if (!"|(),[]*=<>".contains(symbol) && symbol.length() == 1) {
                    throw new IllegalArgumentException("character not in the evaluated subset: " + symbol);
                }
                out.add(new Token(Kind.SYMBOL, symbol));
                i += symbol.length();
            }
        }
        return out;
    }

    private static List<List<Token>> commands(List<Token> tokens) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token t : tokens) {
            if (t.kind == Kind.SYMBOL && t.text.equals("|")) {
                out.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        out.add(current);
        if (out.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("empty command");
        }
        return out;
    }

    private static final class Cursor {
        private final List<Token> tokens;
        private int at;

        Cursor(List<Token> tokens) {
            this.tokens = tokens;
        }

        Token next() {
            if (at >= tokens.size()) {
                throw new IllegalArgumentException("command ends too early: " + tokens);
            }
            return tokens.get(at++);
        }

        boolean accept(String text) {
            if (at < tokens.size() && tokens.get(at).kind != Kind.STRING && tokens.get(at).text.equals(text)) {
                at++;
                return true;
            }
            return false;
        }

        void expect(String text) {
            if (!accept(text)) {
                throw new IllegalArgumentException("expected " + text + " in " + tokens);
            }
        }

        String identifier() {
            Token t = next();
            if (t.kind != Kind.WORD) {
                throw new IllegalArgumentException("expected a field name, got " + t.text);
            }
            return t.text;
        }

        Object literal() {
            Token t = next();
            return switch (t.kind) {
                case STRING -> t.text;
                case NUMBER -> Double.valueOf(t.text);
                default -> throw new IllegalArgumentException("expected a literal, got " + t.text);
            };
        }

        String literalString(Token t) {
            if (t.kind != Kind.STRING) {
                throw new IllegalArgumentException("expected a string or /regex/, got " + t.text);
            }
            return t.text;
        }

        void end() {
            if (at != tokens.size()) {
                throw new IllegalArgumentException("unexpected " + tokens.get(at).text + " in " + tokens);
            }
        }
    }
}
