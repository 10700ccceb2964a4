package wxlogin.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what the code under test logs (Lambda's logger prints to System.out outside Lambda). */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    }

    public String text() {
        System.out.flush();
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setOut(original);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream first;
        private final ByteArrayOutputStream second;

        TeeStream(PrintStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
