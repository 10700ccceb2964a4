package wxlogin.priming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.util.function.Consumer;
import wxlogin.common.Deadline;
import wxlogin.wechat.WeChatClient;
import wxlogin.wechat.WeChatCredentials;
import wxlogin.wechat.WeChatException;

/**
 * The HTTPS half of priming, without certificates: a deployed function talks HTTPS to WeChat and
 * AWS, the priming endpoints plain HTTP. A loopback socket answers every TLS ClientHello with a
 * {@code handshake_failure} alert, so the JDK's TLS client runs up to the server's first record
 * (default {@code SSLContext} and trust store, ClientHello and key shares, the record layer, the
 * alert) and fails; that is what an HTTPS client's first handshake loads up to the server's
 * certificate. The certificate's validation, the key exchange and the encrypted records still
 * load on the first real handshake (a server key would be needed to run them here).
 */
public final class TlsPriming implements AutoCloseable {

    /** A TLS 1.2-framed fatal handshake_failure alert. */
    private static final byte[] ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    private static final int TIMEOUT_MILLIS = 2_000;

    private final ServerSocket server;
    private final Thread acceptor;

    private TlsPriming(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("priming-tls").start(this::refuseAll);
    }

    /**
     * Runs one {@code HttpsURLConnection} request (the SDK's url-connection client's transport)
     * against the refusing socket, then {@code more} with its {@code https://} URL (e.g. the
     * WeChat client's {@code java.net.http} path), and closes the socket.
     */
    public static void run(Consumer<String> more) {
        try (TlsPriming tls = new TlsPriming(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()))) {
            String url = "https://127.0.0.1:" + tls.server.getLocalPort();
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(url + "/").toURL().openConnection();
                connection.setConnectTimeout(TIMEOUT_MILLIS);
                connection.setReadTimeout(TIMEOUT_MILLIS);
                connection.getResponseCode();
            } catch (IOException expected) {
                // The handshake fails at the alert: what priming wanted loaded is loaded.
            }
            more.accept(url);
        } catch (IOException e) {
            throw new IllegalStateException("priming: no loopback port for TLS", e);
        }
    }

    /**
     * The WeChat client's HTTPS path ({@code java.net.http}) up to the server's first record, for
     * {@link #run}'s {@code more} in functions that call WeChat. Throwaway credentials: the request
     * never leaves the handshake.
     */
    public static void weChatClient(String httpsUrl) {
        WeChatClient wechat = new WeChatClient(httpsUrl);
        try {
            wechat.stableToken(WeChatCredentials.parse("{\"appid\":\"wxpriming\",\"appsecret\":\"priming-throwaway\"}"),
                    Deadline.in(TIMEOUT_MILLIS, Clock.systemUTC()));
            throw new IllegalStateException("priming: the TLS refuser answered");
        } catch (WeChatException expected) {
            // The handshake failed at the alert, as it should.
        } finally {
            wechat.dropConnections();
        }
    }

    private void refuseAll() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                InputStream in = socket.getInputStream();
                byte[] header = in.readNBytes(5);
                if (header.length == 5) {
                    in.readNBytes(((header[3] & 0xff) << 8) | (header[4] & 0xff));
                }
                OutputStream out = socket.getOutputStream();
                out.write(ALERT);
                out.flush();
            } catch (IOException e) {
                // Closed, or the client gave up: nothing to answer.
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
