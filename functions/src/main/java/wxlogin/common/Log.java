package wxlogin.common;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;

/**
 * One log line per event, as {@code event key=value ...}. Callers pass only values that are
 * safe to log: never a code, secret, token or session_key (see the log-secrecy tests).
 */
public final class Log {

    private Log() {
    }

    public static void info(String event, Object... keyValues) {
        write(LogLevel.INFO, event, keyValues);
    }

    public static void warn(String event, Object... keyValues) {
        write(LogLevel.WARN, event, keyValues);
    }

    public static void error(String event, Object... keyValues) {
        write(LogLevel.ERROR, event, keyValues);
    }

    /**
     * A value as one token of the line: control characters (a client's CR/LF could forge a log
     * line) become spaces, and values with spaces, quotes or '=' are quoted.
     */
    static String safe(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        boolean quote = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(' ');
                quote = true;
            } else if (c == '"') {
                out.append('\'');
                quote = true;
            } else {
                quote |= c == ' ' || c == '=';
                out.append(c);
            }
        }
        return quote ? "\"" + out + "\"" : out.toString();
    }

    private static void write(LogLevel level, String event, Object... keyValues) {
        StringBuilder line = new StringBuilder(96).append(level).append(' ').append(event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=');
            line.append(safe(String.valueOf(keyValues[i + 1])));
        }
        LambdaLogger logger = LambdaRuntime.getLogger();
        logger.log(line.append('\n').toString(), level);
    }
}
