package wxlogin.local.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import wxlogin.local.aws.AwsJsonEndpoint;

/**
 * A local stand-in for AWS Secrets Manager that speaks its wire protocol (JSON 1.1), so the real
 * SDK client — or a hand-signed request — works against it with only an endpoint override
 * ({@code AWS_ENDPOINT_URL_SECRETS_MANAGER} or {@code endpointOverride(endpoint())}).
 *
 * <p>Requests are {@code POST /} with {@code Content-Type: application/x-amz-json-1.1} and
 * {@code X-Amz-Target: secretsmanager.<Operation>}. A request must carry a SigV4
 * {@code Authorization} header whose credential scope names the {@code secretsmanager} service;
 * the signature itself is not verified (any access key works), the point is to prove the caller
 * takes the signed path it will take in AWS. Errors are {@code {"__type":..., "message":...}},
 * HTTP 400 for client errors, as AWS answers.
 *
 * <p>Operations: {@code GetSecretValue}, {@code PutSecretValue}, {@code CreateSecret},
 * {@code DescribeSecret}. A SecretId may be the name, the full ARN ({@link #arnOf(String)}) or the
 * ARN without its random suffix. Versions move through AWSCURRENT/AWSPREVIOUS as in AWS.
 *
 * <p>Thread-safe. Start with {@link #start()}; stop with {@link #close()}.
 */
public final class SecretsManagerEndpoint extends AwsJsonEndpoint {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";
    /** Real ARNs end in 6 random characters; a fixed suffix keeps local ARNs predictable. */
    public static final String ARN_SUFFIX = "AbCdEf";
    public static final String AWSCURRENT = "AWSCURRENT";
    public static final String AWSPREVIOUS = "AWSPREVIOUS";

    private final String region;
    private final Clock clock;

    private final Object lock = new Object();
    private final Map<String, Secret> secrets = new LinkedHashMap<>(); // guarded by lock

    private static final class Secret {
        final String name;
        final Instant createdAt;
        Instant lastChangedAt;
        final Map<String, Version> versions = new LinkedHashMap<>();

        Secret(String name, Instant createdAt) {
            this.name = name;
            this.createdAt = createdAt;
            this.lastChangedAt = createdAt;
        }

        Optional<Version> withStage(String stage) {
            return versions.values().stream().filter(v -> v.stages.contains(stage)).findFirst();
        }
    }

    private record Version(String id, String secretString, Instant createdAt, Set<String> stages) {
    }

    private SecretsManagerEndpoint(int port, String region, Clock clock) throws IOException {
        super(port, "secretsmanager", "secretsmanager", "InternalServiceError");
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts on a free port of 127.0.0.1, region us-east-1. */
    public static SecretsManagerEndpoint start() {
        return start(0);
    }

    public static SecretsManagerEndpoint start(int port) {
        return start(port, DEFAULT_REGION, Clock.systemUTC());
    }

    /** {@code region} only shapes the ARNs; callers may sign for any region. */
    public static SecretsManagerEndpoint start(int port, String region, Clock clock) {
        try {
            return new SecretsManagerEndpoint(port, region, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Secrets Manager endpoint on port " + port, e);
        }
    }

    // ---------------------------------------------------------------- Java API

    public String region() {
        return region;
    }

    /** Creates the secret, or stores a new AWSCURRENT version of it. */
    public void put(String name, String secretString) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secretString, "secretString");
        synchronized (lock) {
            Instant now = clock.instant();
            Secret secret = secrets.computeIfAbsent(name, n -> new Secret(n, now));
            addVersion(secret, UUID.randomUUID().toString(), secretString, now);
        }
    }

    /** The AWSCURRENT SecretString of {@code name}, if any. */
    public Optional<String> current(String name) {
        synchronized (lock) {
            return Optional.ofNullable(secrets.get(name)).flatMap(s -> s.withStage(AWSCURRENT)).map(Version::secretString);
        }
    }

    /** {@code arn:aws:secretsmanager:<region>:000000000000:secret:<name>-AbCdEf}. */
    public String arnOf(String name) {
        return arnPrefix() + name + "-" + ARN_SUFFIX;
    }

    @Override
    protected JsonNode operation(String operation, JsonNode request) {
        return switch (operation) {
            case "GetSecretValue" -> getSecretValue(request);
            case "PutSecretValue" -> putSecretValue(request);
            case "CreateSecret" -> createSecret(request);
            case "DescribeSecret" -> describeSecret(request);
            default -> throw new AwsError(400, "InvalidAction", "The action or operation requested is invalid. "
                    + "Verify that the action is typed correctly: 'secretsmanager." + operation + "'.");
        };
    }

    // ---------------------------------------------------------------- operations

    private JsonNode getSecretValue(JsonNode request) {
        String secretId = required(request, "SecretId");
        String versionId = optional(request, "VersionId");
        String stage = optional(request, "VersionStage");
        synchronized (lock) {
            Secret secret = resolve(secretId);
            Version version;
            if (versionId != null) {
                version = Optional.ofNullable(secret.versions.get(versionId))
                        .filter(v -> stage == null || v.stages.contains(stage))
                        .orElseThrow(() -> notFound("Secrets Manager can't find the specified secret value for VersionId: " + versionId));
            } else {
                String wanted = stage == null ? AWSCURRENT : stage;
                version = secret.withStage(wanted).orElseThrow(
                        () -> notFound("Secrets Manager can't find the specified secret value for staging label: " + wanted));
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.put("ARN", arnOf(secret.name));
            answer.put("Name", secret.name);
            answer.put("VersionId", version.id());
            answer.put("SecretString", version.secretString());
            stages(answer.putArray("VersionStages"), version);
            answer.put("CreatedDate", epochSeconds(version.createdAt()));
            return answer;
        }
    }

    private JsonNode putSecretValue(JsonNode request) {
        String secretId = required(request, "SecretId");
        String secretString = optional(request, "SecretString");
        if (secretString == null) {
            throw new AwsError(400, "InvalidParameterException", "You must provide either SecretString or SecretBinary.");
        }
        // The SDK fills ClientRequestToken (idempotency token); it becomes the VersionId, as in AWS.
        String versionId = Optional.ofNullable(optional(request, "ClientRequestToken")).orElseGet(() -> UUID.randomUUID().toString());
        synchronized (lock) {
            Secret secret = resolve(secretId);
            Version version = idempotentVersion(secret, versionId, secretString);
            if (version == null) version = addVersion(secret, versionId, secretString, clock.instant());
            ObjectNode answer = JSON.createObjectNode();
            answer.put("ARN", arnOf(secret.name));
            answer.put("Name", secret.name);
            answer.put("VersionId", version.id());
            stages(answer.putArray("VersionStages"), version);
            return answer;
        }
    }

    private JsonNode createSecret(JsonNode request) {
        String name = required(request, "Name");
        String secretString = optional(request, "SecretString");
        String versionId = Optional.ofNullable(optional(request, "ClientRequestToken")).orElseGet(() -> UUID.randomUUID().toString());
        synchronized (lock) {
            if (secrets.containsKey(name)) {
                throw new AwsError(400, "ResourceExistsException",
                        "The operation failed because the secret " + name + " already exists.");
            }
            Instant now = clock.instant();
            Secret secret = new Secret(name, now);
            secrets.put(name, secret);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("ARN", arnOf(name));
            answer.put("Name", name);
            if (secretString != null) answer.put("VersionId", addVersion(secret, versionId, secretString, now).id());
            return answer;
        }
    }

    private JsonNode describeSecret(JsonNode request) {
        String secretId = required(request, "SecretId");
        synchronized (lock) {
            Secret secret = resolve(secretId);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("ARN", arnOf(secret.name));
            answer.put("Name", secret.name);
            answer.put("CreatedDate", epochSeconds(secret.createdAt));
            answer.put("LastChangedDate", epochSeconds(secret.lastChangedAt));
            ObjectNode versions = answer.putObject("VersionIdsToStages");
            secret.versions.values().stream()
                    .filter(v -> !v.stages().isEmpty())
                    .forEach(v -> stages(versions.putArray(v.id()), v));
            return answer;
        }
    }

    // ---------------------------------------------------------------- state helpers (callers hold lock)

    private Secret resolve(String secretId) {
        String name = secretId;
        String prefix = arnPrefix();
        if (secretId.startsWith(prefix)) {
            String rest = secretId.substring(prefix.length());
            String suffix = "-" + ARN_SUFFIX;
            // Full ARN, or a partial ARN without the suffix (AWS accepts both).
            name = rest.endsWith(suffix) && secrets.containsKey(rest.substring(0, rest.length() - suffix.length()))
                    ? rest.substring(0, rest.length() - suffix.length())
                    : rest;
        }
        Secret secret = secrets.get(name);
        if (secret == null) throw notFound("Secrets Manager can't find the specified secret.");
        return secret;
    }

    private static Version idempotentVersion(Secret secret, String versionId, String secretString) {
        Version existing = secret.versions.get(versionId);
        if (existing == null) return null;
        if (!existing.secretString().equals(secretString)) {
            throw new AwsError(400, "ResourceExistsException",
                    "You can't modify an existing version, you can only create a new version.");
        }
        return existing;
    }

    /** Adds a version as AWSCURRENT; the previous current becomes AWSPREVIOUS, as in AWS. */
    private static Version addVersion(Secret secret, String versionId, String secretString, Instant now) {
        secret.versions.values().forEach(v -> v.stages().remove(AWSPREVIOUS));
        secret.withStage(AWSCURRENT).ifPresent(v -> {
            v.stages().remove(AWSCURRENT);
            v.stages().add(AWSPREVIOUS);
        });
        Version version = new Version(versionId, secretString, now, new LinkedHashSet<>(Set.of(AWSCURRENT)));
        secret.versions.put(versionId, version);
        secret.lastChangedAt = now;
        return version;
    }

    private String arnPrefix() {
        return "arn:aws:secretsmanager:" + region + ":" + ACCOUNT_ID + ":secret:";
    }

    private static void stages(ArrayNode array, Version version) {
        version.stages().forEach(array::add);
    }

    /** AWS JSON protocols send timestamps as epoch seconds with a fraction. */
    private static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    private static AwsError notFound(String message) {
        return new AwsError(400, "ResourceNotFoundException", message);
    }

    private static String required(JsonNode request, String field) {
        String value = optional(request, field);
        if (value == null || value.isEmpty()) {
            throw new AwsError(400, "ValidationException", "1 validation error detected: Value null at '"
                    + Character.toLowerCase(field.charAt(0)) + field.substring(1)
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static String optional(JsonNode request, String field) {
        JsonNode node = request.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }
}
