package wxlogin.local.dynamodb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBServerHandler;
import wxlogin.local.api.SamTemplate;

/**
 * DynamoDB Local (the Maven Central artifact) in this JVM, in memory, on a free port of 127.0.0.1 only:
 * no Docker, no download at run time, no telemetry. Its sqlite4java natives ship inside this
 * module's classes (see local/pom.xml) and are unpacked on first use. Tables are created from a
 * template's {@code AWS::DynamoDB::Table} definitions, so tests and the local API use the key
 * schema that gets deployed.
 *
 * <p>{@link #shared()} is one instance per JVM, started on first use and stopped at exit: starting
 * it costs about a second, which tests that each build a stack would otherwise pay every time.
 */
public final class DynamoDbLocal implements AutoCloseable {

    /** DynamoDB Local accepts any credentials; the SDK still needs some to sign. */
    public static final String ACCESS_KEY = "local";
    public static final String SECRET_KEY = "local";
    private static final String NATIVES = "/wxlogin/local/dynamodb/natives/";

    private static DynamoDbLocal shared;

    private final Server server;
    private final LocalDynamoDBServerHandler handler;
    private final int port;
    private final DynamoDbClient client;

    private DynamoDbLocal(Server server, LocalDynamoDBServerHandler handler, int port) {
        this.server = server;
        this.handler = handler;
        this.port = port;
        this.client = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint())
                .build();
    }

    /** Starts a new in-memory instance; close it when done. */
    public static DynamoDbLocal start() {
        useBundledNatives();
        LocalDynamoDBServerHandler handler;
        try {
            // What ServerRunner builds for "-inMemory -sharedDb" (one database whatever region and
            // credentials a client signs with), without its Jetty server, which listens on every
            // interface and prints its configuration: ours binds loopback only, on a free port.
            handler = new LocalDynamoDBServerHandler(new LocalDynamoDBRequestHandler(0, true, null, true, false), null);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e, e);
        }
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        jetty.addConnector(connector);
        ContextHandler context = new ContextHandler();
        context.setHandler(handler);
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly(jetty, handler);
            throw new IllegalStateException("DynamoDB Local did not start: " + e, e);
        }
        return new DynamoDbLocal(jetty, handler, connector.getLocalPort());
    }

    /** The JVM's one instance, started on first use and stopped when the JVM exits. */
    public static synchronized DynamoDbLocal shared() {
        if (shared == null) {
            DynamoDbLocal started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "dynamodb-local-stop"));
            shared = started;
        }
        return shared;
    }

    /** {@code http://127.0.0.1:<port>}: what {@code AWS_ENDPOINT_URL_DYNAMODB} should say. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client for this instance (tests inspect items with it). */
    public DynamoDbClient client() {
        return client;
    }

    /**
     * Creates every enabled {@code AWS::DynamoDB::Table} of the template, named as a local run of the
     * template resolves its {@code Ref} (the logical id, or its literal TableName); an existing table
     * is kept. Returns the names.
     */
    public List<String> createTables(SamTemplate template) {
        List<String> names = new ArrayList<>();
        Map<String, Object> resources = map(template.raw().get("Resources"));
        for (Map.Entry<String, Object> e : resources.entrySet()) {
            Map<String, Object> resource = map(e.getValue());
            if (!"AWS::DynamoDB::Table".equals(resource.get("Type"))) {
                continue;
            }
            Object condition = resource.get("Condition");
            if (condition != null && !template.condition(String.valueOf(condition))) {
                continue;
            }
            Map<String, Object> properties = map(resource.get("Properties"));
            String name = properties.get("TableName") instanceof String literal ? literal : e.getKey();
            createTable(name, properties);
            names.add(name);
        }
        return names;
    }

    /** Creates a table from CloudFormation {@code AWS::DynamoDB::Table} properties (keys, indexes). */
    public void createTable(String name, Map<String, Object> properties) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (Object a : list(properties.get("AttributeDefinitions"))) {
            Map<String, Object> def = map(a);
            attributes.add(AttributeDefinition.builder().attributeName(str(def.get("AttributeName")))
                    .attributeType(str(def.get("AttributeType"))).build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (Object i : list(properties.get("GlobalSecondaryIndexes"))) {
            Map<String, Object> index = map(i);
            Map<String, Object> projection = map(index.get("Projection"));
            indexes.add(GlobalSecondaryIndex.builder().indexName(str(index.get("IndexName")))
                    .keySchema(keySchema(index.get("KeySchema")))
                    .projection(Projection.builder().projectionType(str(projection.getOrDefault("ProjectionType", "ALL")))
                            .nonKeyAttributes(list(projection.get("NonKeyAttributes")).stream().map(String::valueOf).toList())
                            .build())
                    .build());
        }
        CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(name)
                .attributeDefinitions(attributes).keySchema(keySchema(properties.get("KeySchema")))
                .billingMode(BillingMode.PAY_PER_REQUEST);
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        try {
            client.createTable(request.build());
        } catch (ResourceInUseException e) {
            return; // already there (a shared instance serving several stacks)
        }
        Map<String, Object> ttl = map(properties.get("TimeToLiveSpecification"));
        if (Boolean.TRUE.equals(ttl.get("Enabled")) && ttl.get("AttributeName") != null) {
            client.updateTimeToLive(r -> r.tableName(name).timeToLiveSpecification(
                    s -> s.enabled(true).attributeName(str(ttl.get("AttributeName")))));
        }
    }

    @Override
    public void close() {
        client.close();
        stopQuietly(server, handler);
    }

    private static void stopQuietly(Server jetty, LocalDynamoDBServerHandler handler) {
        try {
            jetty.stop();
        } catch (Exception e) {
            System.err.println("[dynamodb-local] stop failed: " + e);
        }
        handler.close();
    }

    // ---------------------------------------------------------------- natives

    /**
     * Points sqlite4java at the native library bundled for this platform (unless
     * {@code sqlite4java.library.path} is already set): in place when the classes are a folder,
     * else unpacked from the jar into a temporary folder.
     */
    static synchronized void useBundledNatives() {
        if (System.getProperty("sqlite4java.library.path") != null) {
            return;
        }
        String name = nativeLibraryName();
        URL resource = DynamoDbLocal.class.getResource(NATIVES + name);
        if (resource == null) {
            throw new IllegalStateException("no sqlite4java native library " + name + " in the build (local/pom.xml copies them)");
        }
        try {
            Path folder;
            if ("file".equals(resource.getProtocol())) {
                folder = Path.of(resource.toURI()).getParent();
            } else {
                folder = Files.createTempDirectory("wxlogin-sqlite4java");
                Path target = folder.resolve(name);
                try (InputStream in = resource.openStream()) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
                folder.toFile().deleteOnExit();
            }
            System.setProperty("sqlite4java.library.path", folder.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file name sqlite4java looks for on this OS and architecture. */
    static String nativeLibraryName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean x86 = arch.equals("x86") || arch.equals("i386") || arch.equals("i686");
        if (os.contains("linux") && (x64 || x86)) {
            return "libsqlite4java-linux-" + (x64 ? "amd64" : "i386") + ".so";
        }
        if (os.contains("mac")) {
            return "libsqlite4java-osx.dylib";
        }
        if (os.contains("windows") && (x64 || x86)) {
            return "sqlite4java-win32-" + (x64 ? "x64" : "x86") + ".dll";
        }
        throw new IllegalStateException("DynamoDB Local's sqlite4java has no native library for " + os + "/" + arch);
    }

    // ---------------------------------------------------------------- helpers

    private static List<KeySchemaElement> keySchema(Object value) {
        List<KeySchemaElement> keys = new ArrayList<>();
        for (Object k : list(value)) {
            Map<String, Object> key = map(k);
            keys.add(KeySchemaElement.builder().attributeName(str(key.get("AttributeName")))
                    .keyType(str(key.get("KeyType"))).build());
        }
        return keys;
    }

    private static String str(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
