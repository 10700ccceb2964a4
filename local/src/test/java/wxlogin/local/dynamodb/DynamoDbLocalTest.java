// Integration level: DynamoDB Local in-process (bundled natives, in memory) and tables created from a template's definition.
package wxlogin.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import wxlogin.local.api.SamTemplate;

class DynamoDbLocalTest {

    static final String TEMPLATE = """
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Enable:
                Type: String
                Default: "true"
            Conditions:
              WithTable: !Equals [!Ref Enable, "true"]
            Resources:
              Things:
                Type: AWS::DynamoDB::Table
                Condition: WithTable
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                  KeySchema:
                    - {AttributeName: pk, KeyType: HASH}
                  TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
              Named:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: literal-name
                  AttributeDefinitions:
                    - {AttributeName: id, AttributeType: S}
                  KeySchema:
                    - {AttributeName: id, KeyType: HASH}
            """;

    @Test
    void createsTheTemplatesTablesAndSupportsConditionalTransactions() {
        DynamoDbLocal dynamo = DynamoDbLocal.shared();
        assertThat(dynamo.createTables(SamTemplate.parse(TEMPLATE, Map.of()))).containsExactly("Things", "literal-name");
        // Idempotent: a shared instance serves several stacks.
        assertThat(dynamo.createTables(SamTemplate.parse(TEMPLATE, Map.of()))).containsExactly("Things", "literal-name");
        assertThat(dynamo.client().describeTimeToLive(r -> r.tableName("Things")).timeToLiveDescription()
                .attributeName()).isEqualTo("ttl");

        dynamo.client().putItem(r -> r.tableName("Things").item(Map.of("pk", AttributeValue.fromS("a"))));
        assertThat(dynamo.client().getItem(r -> r.tableName("Things").key(Map.of("pk", AttributeValue.fromS("a")))
                .consistentRead(true)).item()).containsKey("pk");
        assertThatThrownBy(() -> dynamo.client().transactWriteItems(r -> r.transactItems(
                t -> t.put(p -> p.tableName("Things").item(Map.of("pk", AttributeValue.fromS("a")))
                        .conditionExpression("attribute_not_exists(pk)")))))
                .isInstanceOfSatisfying(TransactionCanceledException.class,
                        e -> assertThat(e.cancellationReasons().get(0).code()).isEqualTo("ConditionalCheckFailed"));
    }

    @Test
    void aDisabledConditionCreatesNoTable() {
        SamTemplate off = SamTemplate.parse(TEMPLATE, Map.of("Enable", "false"));
        assertThat(DynamoDbLocal.shared().createTables(off)).containsExactly("literal-name");
    }
}
