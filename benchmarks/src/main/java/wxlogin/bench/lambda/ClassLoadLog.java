package wxlogin.bench.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's class-load log written with {@code -Xlog:class+load=info:file=<path>:tn}: one line per
 * class, stamped with the JVM's {@code System.nanoTime()} ({@code [123ns] name source: ...}). On
 * Linux that clock is {@code CLOCK_MONOTONIC}, shared by every process on the machine, so the
 * harness splits the log at moments it stamped itself (the restore, the first response) instead
 * of guessing from markers in the output.
 */
public final class ClassLoadLog {

    private static final Pattern LINE = Pattern.compile("^\\[(\\d+)ns\\] (\\S+)");

    /** Where a class comes from, for reports: first matching prefix wins. */
    private static final Map<String, String> GROUPS = groups();

    private final long[] stamps;
    private final List<String> names;

    private ClassLoadLog(long[] stamps, List<String> names) {
        this.stamps = stamps;
        this.names = names;
    }

    public static ClassLoadLog read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            long[] stamps = new long[lines.size()];
            List<String> names = new ArrayList<>(lines.size());
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    stamps[names.size()] = Long.parseLong(m.group(1));
                    names.add(m.group(2));
                }
            }
            return new ClassLoadLog(java.util.Arrays.copyOf(stamps, names.size()), names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class-load log " + file, e);
        }
    }

    /** Classes in the log. */
    public int size() {
        return names.size();
    }

    /** Names of the classes loaded at or after {@code fromNanos} and at or before {@code toNanos}, in order. */
    public List<String> between(long fromNanos, long toNanos) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (stamps[i] >= fromNanos && stamps[i] <= toNanos) {
                out.add(names.get(i));
            }
        }
        return out;
    }

    /** Counts by origin (AWS SDK, Jackson databind, java.net.http, the project...), largest first. */
    public static Map<String, Integer> byGroup(List<String> classes) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : classes) {
            counts.merge(group(name), 1, Integer::sum);
        }
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    static String group(String className) {
        for (Map.Entry<String, String> g : GROUPS.entrySet()) {
            if (className.startsWith(g.getKey())) {
                return g.getValue();
            }
        }
        return "other";
    }

    private static Map<String, String> groups() {
        Map<String, String> g = new LinkedHashMap<>();
        g.put("software.amazon.awssdk.", "AWS SDK");
        g.put("com.fasterxml.jackson.databind.", "Jackson databind");
        g.put("com.fasterxml.jackson.", "Jackson core");
        g.put("java.net.http.", "java.net.http");
        g.put("jdk.internal.net.http.", "java.net.http");
        g.put("com.nimbusds.", "Nimbus");
        g.put("wxlogin.", "project");
        g.put("com.amazonaws.services.lambda.runtime.events.", "aws-lambda-java-events");
        g.put("com.amazonaws.", "runtime client");
        g.put("lambdainternal.", "runtime client");
        g.put("java.lang.invoke.", "JDK: java.lang.invoke (lambdas, method handles)");
        g.put("sun.security.", "JDK: security, TLS");
        g.put("javax.net.ssl.", "JDK: security, TLS");
        g.put("java.security.", "JDK: security, TLS");
        g.put("javax.crypto.", "JDK: security, TLS");
        g.put("java.", "JDK: other");
        g.put("javax.", "JDK: other");
        g.put("jdk.", "JDK: other");
        g.put("sun.", "JDK: other");
        g.put("com.sun.", "JDK: other");
        return g;
    }
}
