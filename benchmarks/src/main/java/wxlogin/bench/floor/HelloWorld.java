package wxlogin.bench.floor;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * The floor: the hello-world handler of AWS's Java documentation, laid out and started exactly
 * like the functions. No Java Lambda starts faster than this.
 */
public final class HelloWorld implements RequestHandler<Map<String, String>, String> {

    @Override
    public String handleRequest(Map<String, String> event, Context context) {
        return "hello world";
    }
}
