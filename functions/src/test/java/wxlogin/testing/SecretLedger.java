// Level: test utility - the run's list of sensitive values, one file per test JVM, read by the log-secrecy check.
package wxlogin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every secret, key, code and token a test JVM created, minted or was handed, appended to
 * {@code <wxlogin.secretLedger>/ledger-<pid>.tsv} as it appears, so that one check after all the
 * test JVMs of the run (functions/ and integration-tests/) can look for each of them in every log
 * line. {@code wxlogin.secretLedger} may list several folders (path-separator separated): this
 * JVM writes into the first, the check reads them all.
 *
 * <p>Values come from two places: tests register what they make (tokens a login returned, codes
 * they issued), and the integration suite's {@code StandInHarvester} reads what the local stand-ins issued or stored.
 * Values shorter than {@link #MIN_LENGTH} are ignored: they cannot be told apart from ordinary text.
 */
public final class SecretLedger {

    /** What a value is; the check reports leaks by kind, never by value. */
    public enum Kind {
        APP_SECRET, SIGNING_KEY, SECRET_STRING, WECHAT_CODE, ACCESS_TOKEN, SESSION_TOKEN, SESSION_KEY, PHONE_NUMBER
    }

    public static final int MIN_LENGTH = 8;
    public static final String DIRECTORY_PROPERTY = "wxlogin.secretLedger";

    private static final Set<String> registered = ConcurrentHashMap.newKeySet();
    private static Writer writer;

    private SecretLedger() {
    }

    /** Records a sensitive value (idempotent). A session token also records its signature alone. */
    public static void register(Kind kind, String value) {
        if (value == null || value.length() < MIN_LENGTH || !registered.add(kind + "\t" + value)) {
            return;
        }
        append(kind, value);
        if (kind == Kind.SESSION_TOKEN) {
            int dot = value.lastIndexOf('.');
            if (dot > 0) {
                // With the header and claims (not secret), the signature alone rebuilds the token.
                register(Kind.SESSION_TOKEN, value.substring(dot + 1));
            }
        }
    }

    /** Where this JVM writes. */
    public static Path directory() {
        return directories().get(0);
    }

    /** Every folder the check reads. */
    public static List<Path> directories() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return List.of(Path.of("target/secret-ledger"));
        }
        return Arrays.stream(configured.split(java.io.File.pathSeparator)).filter(d -> !d.isBlank()).map(Path::of).toList();
    }

    private static List<Path> ledgerFiles() {
        List<Path> all = new ArrayList<>();
        for (Path dir : directories()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".tsv")).forEach(all::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the secret ledger in " + dir, e);
            }
        }
        return all;
    }

    /** Everything every JVM of the run recorded, by kind. */
    public static Map<Kind, Set<String>> readAll() {
        Map<Kind, Set<String>> all = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            all.put(kind, new LinkedHashSet<>());
        }
        for (Path file : ledgerFiles()) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    int tab = line.indexOf('\t');
                    if (tab > 0) {
                        all.get(Kind.valueOf(line.substring(0, tab))).add(unescape(line.substring(tab + 1)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the secret ledger " + file, e);
            }
        }
        return all;
    }

    /** How many ledger files (one per test JVM) the run left. */
    public static long jvmCount() {
        return ledgerFiles().size();
    }

    /** Deletes every JVM's ledger (after a passing check). */
    public static synchronized void clear() {
        for (Path file : ledgerFiles()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException inUse) {
                // This JVM's own ledger may be open (Windows refuses): it is cleared next time.
            }
        }
    }

    private static synchronized void append(Kind kind, String value) {
        try {
            if (writer == null) {
                Files.createDirectories(directory());
                writer = Files.newBufferedWriter(directory().resolve("ledger-" + ProcessHandle.current().pid() + ".tsv"),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            writer.write(kind + "\t" + escape(value) + "\n");
            // Flushed at once: a JVM that dies mid-run still leaves what it had recorded.
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the secret ledger", e);
        }
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                out.append(switch (next) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
