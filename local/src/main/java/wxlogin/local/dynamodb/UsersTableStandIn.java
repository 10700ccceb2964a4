package wxlogin.local.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import wxlogin.local.aws.AwsJsonEndpoint;

/**
 * For {@code ./bin/local} only, where DynamoDB Local cannot run (its native library ships for
 * Linux x86/x86_64, macOS and Windows): an in-memory stand-in for the DynamoDB calls the user
 * directory makes at login ({@code BatchGetItem}, {@code GetItem}, and {@code TransactWriteItems} of
 * puts and updates {@code ADD <set> :v}, conditioned on {@code attribute_exists(...)} /
 * {@code attribute_not_exists(...)} terms joined by {@code AND} or by {@code OR}), on DynamoDB's wire protocol (JSON 1.0), so the login's own SDK
 * client talks to it. Anything else is refused with a {@code ValidationException}: it is not a
 * DynamoDB, and the sessions table's conditional rotations are not among what it answers (lasting
 * sessions stay off with it). Tests use DynamoDB Local.
 */
public final class UsersTableStandIn extends AwsJsonEndpoint {

    private static final String PK = "pk";
    private static final Pattern TERM =
            Pattern.compile("(attribute_exists|attribute_not_exists)\\((\\w+)\\)");

    /** table -> pk -> item (DynamoDB's attribute-value JSON); guarded by this. */
    private final Map<String, Map<String, ObjectNode>> tables = new HashMap<>();

    private UsersTableStandIn() throws IOException {
        super(0, "dynamodb", "DynamoDB_20120810", "InternalServerError", "application/x-amz-json-1.0");
    }

    /** Starts on a free port of 127.0.0.1. */
    public static UsersTableStandIn start() {
        try {
            return new UsersTableStandIn();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the users table stand-in", e);
        }
    }

    /** An empty table keyed by the string {@code pk}. */
    public synchronized void createTable(String name) {
        tables.putIfAbsent(name, new HashMap<>());
    }

    @Override
    protected synchronized JsonNode operation(String operation, JsonNode request) {
        return switch (operation) {
            case "GetItem" -> getItem(request);
            case "BatchGetItem" -> batchGetItem(request);
            case "TransactWriteItems" -> transactWriteItems(request);
            default -> throw new AwsError(400, "ValidationException",
                    "the local users table stand-in answers GetItem, BatchGetItem and TransactWriteItems only");
        };
    }

    private JsonNode getItem(JsonNode request) {
        ObjectNode item = table(request.path("TableName").asText()).get(pk(request.path("Key")));
        ObjectNode answer = JSON.createObjectNode();
        if (item != null) {
            answer.set("Item", item.deepCopy());
        }
        return answer;
    }

    private JsonNode batchGetItem(JsonNode request) {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode responses = answer.putObject("Responses");
        request.path("RequestItems").properties().forEach(e -> {
            Map<String, ObjectNode> table = table(e.getKey());
            ArrayNode items = responses.putArray(e.getKey());
            for (JsonNode key : e.getValue().path("Keys")) {
                ObjectNode item = table.get(pk(key));
                if (item != null) {
                    items.add(item.deepCopy());
                }
            }
        });
        answer.putObject("UnprocessedKeys");
        return answer;
    }

    /** All conditions are checked first; then every write is applied, or none (cancellation reasons as DynamoDB gives them). */
    private JsonNode transactWriteItems(JsonNode request) {
        List<String> reasons = new ArrayList<>();
        boolean cancelled = false;
        for (JsonNode write : request.path("TransactItems")) {
            JsonNode action = write.has("Put") ? write.get("Put") : write.get("Update");
            if (action == null) {
                throw new AwsError(400, "ValidationException", "the stand-in answers Put and Update only");
            }
            ObjectNode existing = table(action.path("TableName").asText()).get(
                    write.has("Put") ? action.path("Item").path(PK).path("S").asText() : pk(action.path("Key")));
            boolean holds = holds(action.path("ConditionExpression").asText(""), existing);
            reasons.add(holds ? "None" : "ConditionalCheckFailed");
            cancelled |= !holds;
        }
        if (cancelled) {
            ObjectNode details = JSON.createObjectNode();
            ArrayNode list = details.putArray("CancellationReasons");
            reasons.forEach(code -> list.addObject().put("Code", code));
            throw new AwsError(400, "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "Transaction cancelled, please refer cancellation reasons for specific reasons " + reasons, details);
        }
        for (JsonNode write : request.path("TransactItems")) {
            if (write.has("Put")) {
                JsonNode put = write.get("Put");
                table(put.path("TableName").asText()).put(put.path("Item").path(PK).path("S").asText(),
                        put.get("Item").deepCopy());
            } else {
                update(write.get("Update"));
            }
        }
        return JSON.createObjectNode();
    }

    /** A condition of attribute_exists / attribute_not_exists terms, all joined by AND or all by OR, on the item (null: none). */
    private static boolean holds(String condition, ObjectNode item) {
        if (condition.isEmpty()) {
            return true;
        }
        boolean or = condition.contains(" OR ");
        if (or && condition.contains(" AND ")) {
            throw new AwsError(400, "ValidationException", "condition not supported by the stand-in: " + condition);
        }
        boolean result = !or;
        for (String term : condition.split(or ? " OR " : " AND ")) {
            Matcher m = TERM.matcher(term.trim());
            if (!m.matches()) {
                throw new AwsError(400, "ValidationException", "condition not supported by the stand-in: " + condition);
            }
            boolean value = m.group(1).equals("attribute_exists") == (item != null && item.has(m.group(2)));
            result = or ? result || value : result && value;
        }
        return result;
    }

    /** {@code ADD <attribute> :value} of a string set to an existing item. */
    private void update(JsonNode update) {
        String[] expression = update.path("UpdateExpression").asText("").trim().split("\\s+");
        if (expression.length != 3 || !expression[0].equals("ADD")) {
            throw new AwsError(400, "ValidationException", "update not supported by the stand-in");
        }
        JsonNode added = update.path("ExpressionAttributeValues").path(expression[2]).path("SS");
        ObjectNode item = table(update.path("TableName").asText()).get(pk(update.path("Key")));
        TreeSet<String> values = new TreeSet<>();
        item.path(expression[1]).path("SS").forEach(v -> values.add(v.asText()));
        added.forEach(v -> values.add(v.asText()));
        ArrayNode set = JSON.createArrayNode();
        values.forEach(set::add);
        item.putObject(expression[1]).set("SS", set);
    }

    private Map<String, ObjectNode> table(String name) {
        Map<String, ObjectNode> table = tables.get(name);
        if (table == null) {
            throw new AwsError(400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                    "Requested resource not found");
        }
        return table;
    }

    private static String pk(JsonNode key) {
        return key.path(PK).path("S").asText();
    }

    /** What the stand-in holds, for a look in a debugger or a test: table -> items. */
    public synchronized Map<String, List<JsonNode>> snapshot() {
        Map<String, List<JsonNode>> copy = new LinkedHashMap<>();
        tables.forEach((name, items) -> copy.put(name, List.copyOf(items.values())));
        return copy;
    }
}
