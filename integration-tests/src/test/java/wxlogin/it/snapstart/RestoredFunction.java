// Test helper (no tests): the main class of the child JVM FirstInvocationAfterRestoreTest starts: a handler built from the environment as Lambda builds it, its SnapStart hooks, then one invocation between two markers.
package wxlogin.it.snapstart;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import wxlogin.common.SnapStartHook;
import wxlogin.testing.FakeContext;

/**
 * {@code RestoredFunction <handler class> <event file>}: constructs the handler with its no-argument
 * constructor (Lambda's), runs {@code beforeCheckpoint} and {@code afterRestore} as the runtime
 * does around a snapshot, prints {@value #RESTORED}, invokes the handler through its stream entry
 * with the event, prints {@value #ANSWERED} and the answer. Run with {@code -Xlog:class+load} on
 * stdout, the classes the first invocation loads are the lines between the markers.
 */
public final class RestoredFunction {

    static final String RESTORED = "@@restored";
    static final String ANSWERED = "@@answered";

    private RestoredFunction() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> type = Class.forName(args[0]);
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        RequestStreamHandler handler = (RequestStreamHandler) type.getDeclaredConstructor().newInstance();
        SnapStartHook hook = (SnapStartHook) hooksOf(type).invoke(handler);
        hook.beforeCheckpoint(null);
        hook.afterRestore(null);
        FakeContext context = new FakeContext();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        System.out.println(RESTORED);
        System.out.flush();
        handler.handleRequest(new ByteArrayInputStream(event), answer, context);
        System.out.println(ANSWERED);
        System.out.println(answer.toString(StandardCharsets.UTF_8));
        System.out.flush();
    }

    /** The handler's (package-private) {@code snapStartHook()}, on it or a superclass. */
    private static Method hooksOf(Class<?> type) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method method = c.getDeclaredMethod("snapStartHook");
                method.setAccessible(true);
                return method;
            } catch (NoSuchMethodException e) {
                // look further up
            }
        }
        throw new NoSuchMethodException(type.getName() + ".snapStartHook()");
    }
}
