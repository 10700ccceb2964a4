package wxlogin.bench.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;
import org.crac.Resource;

/**
 * A handler that registers itself with {@code org.crac} as the functions do, records which hooks
 * ran, and answers them as a JSON string ({@code "beforeCheckpoint afterRestore"}): proof that the
 * restore mode runs the runtime client's SnapStart sequence and that Lambda's
 * {@code -Dorg.crac.Core.Compat} option routes {@code org.crac} hooks to it.
 */
public final class SnapStartProbe implements RequestStreamHandler, Resource {

    private final List<String> hooks = new ArrayList<>();

    public SnapStartProbe() {
        // The runtime client keeps this handler, so the (weakly held) resource stays registered.
        Core.getGlobalContext().register(this);
    }

    @Override
    public synchronized void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        hooks.add("beforeCheckpoint");
    }

    @Override
    public synchronized void afterRestore(org.crac.Context<? extends Resource> context) {
        hooks.add("afterRestore");
    }

    @Override
    public synchronized void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write(("\"" + String.join(" ", hooks) + "\"").getBytes(StandardCharsets.UTF_8));
    }
}
