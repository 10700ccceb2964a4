package wxlogin.bench.floor;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The floor's hello world as a stream handler: reads the event's bytes and writes the JSON
 * string {@code "hello world"}, so the runtime client maps no event or answer (its reflective
 * serialization is the main difference to {@link HelloWorld}). Laid out and started like the floor,
 * reported next to it; ratios are still taken to the typed floor.
 */
public final class StreamHelloWorld implements RequestStreamHandler {

    private static final byte[] ANSWER = "\"hello world\"".getBytes(StandardCharsets.UTF_8);

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write(ANSWER);
    }
}
