package wxlogin.local.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import wxlogin.local.aws.AwsJsonEndpoint;

/**
 * A local stand-in for Amazon EventBridge's {@code PutEvents} on the default bus, speaking its wire
 * protocol ({@code X-Amz-Target: AWSEvents.PutEvents}, JSON 1.1, SigV4 scoped to {@code events}),
 * so the SDK's EventBridge client works against it with {@code AWS_ENDPOINT_URL_EVENTBRIDGE}. It
 * keeps the events it accepted for tests to read.
 *
 * <p>As in AWS, a request of 1 to 10 entries answers 200 even when entries fail: each failed
 * entry carries {@code ErrorCode}/{@code ErrorMessage} and {@code FailedEntryCount} counts them,
 * so a caller that only checks the status loses events. An entry fails without {@code Source},
 * {@code DetailType} or a {@code Detail} that is a JSON object, on a bus other than the default
 * one, or when {@link #failEntriesNext(int)} says so.
 */
public final class EventBridgeEndpoint extends AwsJsonEndpoint {

    /** An event EventBridge accepted. */
    public record Event(String id, String source, String detailType, JsonNode detail, List<String> resources) {
    }

    private final List<Event> events = new ArrayList<>(); // guarded by itself
    private int entriesToFail;                            // guarded by events

    private EventBridgeEndpoint(int port) throws IOException {
        super(port, "events", "AWSEvents", "InternalException");
    }

    /** Starts on a free port of 127.0.0.1. */
    public static EventBridgeEndpoint start() {
        try {
            return new EventBridgeEndpoint(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the EventBridge endpoint", e);
        }
    }

    /** The events accepted so far, in order. */
    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The next {@code entries} well-formed entries fail with {@code InternalFailure} inside a 200 answer. */
    public void failEntriesNext(int entries) {
        synchronized (events) {
            entriesToFail += entries;
        }
    }

    @Override
    protected JsonNode operation(String operation, JsonNode request) {
        if (!operation.equals("PutEvents")) {
            throw new AwsError(400, "UnknownOperationException", "This stand-in answers PutEvents only.");
        }
        JsonNode entries = request.get("Entries");
        if (entries == null || !entries.isArray() || entries.isEmpty() || entries.size() > 10) {
            throw new AwsError(400, "ValidationException",
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: "
                            + "Member must have length between 1 and 10");
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("Entries");
        int failed = 0;
        for (JsonNode entry : entries) {
            ObjectNode result = results.addObject();
            String error = check(entry);
            synchronized (events) {
                if (error == null && entriesToFail > 0) {
                    entriesToFail--;
                    result.put("ErrorCode", "InternalFailure");
                    result.put("ErrorMessage", "Internal Failure");
                    failed++;
                    continue;
                }
                if (error != null) {
                    result.put("ErrorCode", "InvalidArgument");
                    result.put("ErrorMessage", error);
                    failed++;
                    continue;
                }
                String id = UUID.randomUUID().toString();
                List<String> resources = new ArrayList<>();
                entry.path("Resources").forEach(r -> resources.add(r.asText()));
                events.add(new Event(id, entry.get("Source").asText(), entry.get("DetailType").asText(),
                        detail(entry), List.copyOf(resources)));
                result.put("EventId", id);
            }
        }
        answer.put("FailedEntryCount", failed);
        return answer;
    }

    private static String check(JsonNode entry) {
        if (!entry.path("Source").isTextual() || entry.get("Source").asText().isEmpty()) {
            return "Parameter Source is not valid. Reason: Source is a required argument.";
        }
        if (!entry.path("DetailType").isTextual() || entry.get("DetailType").asText().isEmpty()) {
            return "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
        }
        JsonNode detail = detail(entry);
        if (detail == null || !detail.isObject()) {
            return "Parameter Detail is not valid. Reason: Detail must be a JSON object.";
        }
        String bus = entry.path("EventBusName").asText("default");
        if (!bus.equals("default") && !bus.endsWith(":event-bus/default")) {
            return "Event bus " + bus + " does not exist.";
        }
        return null;
    }

    private static JsonNode detail(JsonNode entry) {
        if (!entry.path("Detail").isTextual()) return null;
        try {
            return JSON.readTree(entry.get("Detail").asText());
        } catch (IOException e) {
            return null;
        }
    }
}
