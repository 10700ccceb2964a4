// Level: integration, static (no AWS, no Docker) - template.yaml as the AWS SAM translator turns it into CloudFormation.
package wxlogin.it.template;

import static org.assertj.core.api.Assertions.assertThat;
import static wxlogin.it.template.Template.list;
import static wxlogin.it.template.Template.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What gets deployed is SAM's translation, not template.yaml: SAM adds roles and policies of its
 * own (for instance AWSLambdaVPCAccessExecutionRole to any function with a VpcConfig, even one
 * that is !If to AWS::NoValue). The translation comes from {@code bin/validate-template
 * --translate} (the AWS SAM translator, a Python package); CloudFormation's conditions are then
 * evaluated here for each set of parameter values, as CloudFormation would.
 */
class TranslatedTemplateTest {

    static final String BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    static final String VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
    static final Map<String, String> NO_VPC = Map.of();
    static final Map<String, String> VPC = Map.of("VpcSubnetIds", "subnet-0a1b2c3d,subnet-4e5f6a7b",
            "VpcSecurityGroupIds", "sg-0a1b2c3d");

    @Test
    void theVpcPolicyIsAttachedOnlyWhenTheLoginFunctionJoinsAVpc() throws Exception {
        Deployed withoutVpc = deployed(NO_VPC);
        assertThat(withoutVpc.managedPolicies(withoutVpc.roleOf("CodeExchangeFunction"))).containsExactly(BASIC);
        assertThat(withoutVpc.value(withoutVpc.properties("CodeExchangeFunction").get("VpcConfig"))).isNull();
        // No role of the stack may manage network interfaces without a VPC.
        for (String role : withoutVpc.idsOfType("AWS::IAM::Role")) {
            assertThat(withoutVpc.managedPolicies(role)).as(role).doesNotContain(VPC_ACCESS);
        }

        Deployed withVpc = deployed(VPC);
        assertThat(withVpc.managedPolicies(withVpc.roleOf("CodeExchangeFunction"))).containsExactlyInAnyOrder(BASIC, VPC_ACCESS);
        assertThat(map(withVpc.value(withVpc.properties("CodeExchangeFunction").get("VpcConfig"))))
                .containsKeys("SubnetIds", "SecurityGroupIds");
        // Only the function that calls WeChat joins the VPC.
        for (String function : withVpc.idsOfType("AWS::Lambda::Function")) {
            if (!function.equals("CodeExchangeFunction")) {
                assertThat(withVpc.managedPolicies(withVpc.roleOf(function))).as(function).containsExactly(BASIC);
            }
        }
    }

    @Test
    void theLoginRoleGrantsWhatTheFunctionUsesAndNothingMore() throws Exception {
        Deployed stack = deployed(NO_VPC);
        String role = stack.roleOf("CodeExchangeFunction");
        List<Object> actions = new ArrayList<>();
        for (Object policy : list(stack.properties(role).get("Policies"))) {
            for (Object statement : list(stack.value(map(map(policy).get("PolicyDocument")).get("Statement")))) {
                if (statement != null) {
                    actions.addAll(list(map(statement).get("Action")));
                }
            }
        }
        // The secrets; the user directory (a read, conditional puts and an update); a session's puts.
        assertThat(actions).containsExactlyInAnyOrder("secretsmanager:GetSecretValue", "dynamodb:BatchGetItem",
                "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:PutItem");
        Deployed shortSessions = deployed(Map.of("EnableLastingSessions", "false"));
        List<Object> without = new ArrayList<>();
        for (Object policy : list(shortSessions.properties(role).get("Policies"))) {
            for (Object statement : list(shortSessions.value(map(map(policy).get("PolicyDocument")).get("Statement")))) {
                if (statement != null) {
                    without.addAll(list(map(statement).get("Action")));
                }
            }
        }
        assertThat(without).containsExactlyInAnyOrder("secretsmanager:GetSecretValue", "dynamodb:BatchGetItem",
                "dynamodb:PutItem", "dynamodb:UpdateItem");
    }

    @Test
    void theCustomDomainExistsOnlyWhenNamedAndApiUrlUsesIt() throws Exception {
        Deployed plain = deployed(NO_VPC);
        assertThat(plain.resources()).doesNotContainKeys("ApiDomain", "ApiDomainMapping", "ApiDomainRecord");
        assertThat(map(plain.output("ApiUrl")).get("Fn::Sub"))
                .isEqualTo("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/");

        Deployed named = deployed(Map.of("ApiDomainName", "api.example.com",
                "ApiCertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"));
        assertThat(named.resources()).containsKeys("ApiDomain", "ApiDomainMapping").doesNotContainKey("ApiDomainRecord");
        assertThat(map(named.output("ApiUrl")).get("Fn::Sub")).isEqualTo("https://${ApiDomainName}/");
        // The mapping points at the stage SAM actually creates for the API.
        Object stage = map(named.properties("ApiDomainMapping").get("Stage")).get("Ref");
        assertThat(named.resources()).containsKey(String.valueOf(stage));
        assertThat(named.resources().get(String.valueOf(stage))).extracting(r -> map(r).get("Type"))
                .isEqualTo("AWS::ApiGatewayV2::Stage");

        Deployed withZone = deployed(Map.of("ApiDomainName", "api.example.com",
                "ApiCertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
                "ApiHostedZoneId", "Z0123456789ABC"));
        assertThat(withZone.resources()).containsKeys("ApiDomain", "ApiDomainMapping", "ApiDomainRecord");
    }

    // ------------------------------------------------------------------ the translation, deployed

    /** The translated template with parameter values, its conditions evaluated as CloudFormation does. */
    record Deployed(Map<String, Object> template, Map<String, String> parameters) {

        /** Resources whose Condition holds. */
        Map<String, Object> resources() {
            Map<String, Object> kept = new java.util.LinkedHashMap<>();
            map(template.get("Resources")).forEach((id, r) -> {
                Object condition = map(r).get("Condition");
                if (condition == null || condition(String.valueOf(condition))) {
                    kept.put(id, r);
                }
            });
            return kept;
        }

        List<String> idsOfType(String type) {
            return resources().entrySet().stream().filter(e -> type.equals(map(e.getValue()).get("Type")))
                    .map(Map.Entry::getKey).toList();
        }

        Map<String, Object> properties(String id) {
            return map(map(resources().get(id)).get("Properties"));
        }

        Object output(String name) {
            return value(map(map(template.get("Outputs")).get(name)).get("Value"));
        }

        /** The role a function runs with: {@code Role: !GetAtt <role>.Arn}. */
        String roleOf(String functionId) {
            return String.valueOf(list(map(properties(functionId).get("Role")).get("Fn::GetAtt")).get(0));
        }

        /** A role's managed policy ARNs, with the partition of the standard AWS one. */
        List<String> managedPolicies(String roleId) {
            return list(value(properties(roleId).get("ManagedPolicyArns"))).stream().map(arn -> {
                Map<String, Object> sub = map(arn);
                return sub.containsKey("Fn::Sub")
                        ? String.valueOf(sub.get("Fn::Sub")).replace("${AWS::Partition}", "aws") : String.valueOf(arn);
            }).toList();
        }

        /** The value with every Fn::If decided and AWS::NoValue removed (null when the whole value is NoValue). */
        Object value(Object node) {
            if (node instanceof Map<?, ?> m) {
                if (m.size() == 1 && m.containsKey("Fn::If")) {
                    List<Object> branches = list(m.get("Fn::If"));
                    return value(condition(String.valueOf(branches.get(0))) ? branches.get(1) : branches.get(2));
                }
                if (Map.of("Ref", "AWS::NoValue").equals(m)) {
                    return null;
                }
                Map<String, Object> out = new java.util.LinkedHashMap<>();
                m.forEach((k, v) -> {
                    Object resolved = value(v);
                    if (resolved != null) {
                        out.put(String.valueOf(k), resolved);
                    }
                });
                return out;
            }
            if (node instanceof List<?> l) {
                List<Object> out = new ArrayList<>();
                l.forEach(v -> {
                    Object resolved = value(v);
                    if (resolved != null) {
                        out.add(resolved);
                    }
                });
                return out;
            }
            return node;
        }

        boolean condition(String name) {
            Object definition = map(template.get("Conditions")).get(name);
            assertThat(definition).as("condition " + name).isNotNull();
            return truth(definition);
        }

        private boolean truth(Object expression) {
            Map<String, Object> m = map(expression);
            if (m.containsKey("Condition")) {
                return condition(String.valueOf(m.get("Condition")));
            }
            if (m.containsKey("Fn::Not")) {
                return !truth(list(m.get("Fn::Not")).get(0));
            }
            if (m.containsKey("Fn::And")) {
                return list(m.get("Fn::And")).stream().allMatch(this::truth);
            }
            if (m.containsKey("Fn::Or")) {
                return list(m.get("Fn::Or")).stream().anyMatch(this::truth);
            }
            if (m.containsKey("Fn::Equals")) {
                List<Object> sides = list(m.get("Fn::Equals"));
                return scalar(sides.get(0)).equals(scalar(sides.get(1)));
            }
            throw new AssertionError("condition function not evaluated here: " + expression);
        }

        /** A parameter's value (its Default unless given), or {@code Fn::Join} over a list parameter. */
        private String scalar(Object expression) {
            Map<String, Object> m = map(expression);
            if (m.containsKey("Ref")) {
                String name = String.valueOf(m.get("Ref"));
                Object declared = map(map(template.get("Parameters")).get(name)).get("Default");
                return parameters.getOrDefault(name, declared == null ? "" : String.valueOf(declared));
            }
            if (m.containsKey("Fn::Join")) {
                List<Object> args = list(m.get("Fn::Join"));
                return String.join(String.valueOf(args.get(0)), scalar(args.get(1)).split(","));
            }
            return String.valueOf(expression);
        }
    }

    private static final Map<Map<String, String>, Deployed> TRANSLATED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The translation for these values (once per set of values); skipped without the translator, except in CI. */
    static Deployed deployed(Map<String, String> parameters) throws IOException, InterruptedException {
        Deployed known = TRANSLATED.get(parameters);
        if (known == null) {
            known = translate(parameters);
            TRANSLATED.put(parameters, known);
        }
        return known;
    }

    /** {@code bin/validate-template --translate} with these values. */
    private static Deployed translate(Map<String, String> parameters) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ProjectFiles.root().resolve("bin/validate-template").toString(), "--translate"));
        parameters.forEach((k, v) -> command.add(k + "=" + v));
        Process process = new ProcessBuilder(command).directory(ProjectFiles.root().toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        if (process.exitValue() == 3 && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("skipped: " + err.strip() + " (CI fails instead)");
        }
        assertThat(process.exitValue()).as("bin/validate-template --translate: " + err).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> translated = new ObjectMapper().readValue(out, Map.class);
        return new Deployed(translated, parameters);
    }
}
