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

    private static void write(LogLevel level, String event, Object... keyValues) {
        StringBuilder line = new StringBuilder(96).append(level).append(' ').append(event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=');
            Object value = keyValues[i + 1];
            String text = String.valueOf(value);
            // Quote values with spaces so a line stays machine-readable.
            if (text.indexOf(' ') >= 0 || text.indexOf('"') >= 0) {
                line.append('"').append(text.replace("\"", "'").replace('\n', ' ')).append('"');
            } else {
                line.append(text);
            }
        }
        LambdaLogger logger = LambdaRuntime.getLogger();
        logger.log(line.append('\n').toString(), level);
    }
}
