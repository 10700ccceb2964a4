// Unit level: template parsing and intrinsic resolution, no server, no handlers.
package wxlogin.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SamTemplateTest {

    static Path testTemplate() {
        try {
            return Path.of(SamTemplateTest.class.getResource("/wxlogin/local/api/test-template.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shortTagsBecomeLongForms() {
        Map<String, Object> doc = CloudFormationYaml.parse("""
                a: !Ref CallGateFunction.Alias
                b: !GetAtt Fn.Arn
                c: !GetAtt [Fn, Arn]
                d: !GetAtt Db.Endpoint.Address
                e: !Sub "${AWS::Region}"
                f: !If [Cond, !Ref X, !Ref AWS::NoValue]
                g: !Equals [!Ref X, ""]
                h: !Not [!Condition Cond]
                i: !And [!Condition A, !Or [!Condition B, !Condition C]]
                j: !Select [0, !GetAZs ""]
                k: !Join ["", [!Split [",", "a,b"]]]
                l: !FindInMap [M, K1, K2]
                m: !ImportValue exported
                n: !Base64 text
                o: !Cidr [10.0.0.0/16, 4, 8]
                p: !Sub ["${A}", {A: !Ref X}]
                """);
        assertThat(doc.get("a")).isEqualTo(Map.of("Ref", "CallGateFunction.Alias"));
        assertThat(doc.get("b")).isEqualTo(Map.of("Fn::GetAtt", List.of("Fn", "Arn")));
        assertThat(doc.get("c")).isEqualTo(Map.of("Fn::GetAtt", List.of("Fn", "Arn")));
        assertThat(doc.get("d")).isEqualTo(Map.of("Fn::GetAtt", List.of("Db", "Endpoint.Address")));
        assertThat(doc.get("e")).isEqualTo(Map.of("Fn::Sub", "${AWS::Region}"));
        assertThat(doc.get("f")).isEqualTo(Map.of("Fn::If",
                List.of("Cond", Map.of("Ref", "X"), Map.of("Ref", "AWS::NoValue"))));
        assertThat(doc.get("g")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "X"), "")));
        assertThat(doc.get("h")).isEqualTo(Map.of("Fn::Not", List.of(Map.of("Condition", "Cond"))));
        assertThat(doc.get("i")).isEqualTo(Map.of("Fn::And", List.of(Map.of("Condition", "A"),
                Map.of("Fn::Or", List.of(Map.of("Condition", "B"), Map.of("Condition", "C"))))));
        assertThat(doc.get("j")).isEqualTo(Map.of("Fn::Select", List.of(0, Map.of("Fn::GetAZs", ""))));
        assertThat(doc.get("k")).isEqualTo(Map.of("Fn::Join", List.of("", List.of(Map.of("Fn::Split", List.of(",", "a,b"))))));
        assertThat(doc.get("l")).isEqualTo(Map.of("Fn::FindInMap", List.of("M", "K1", "K2")));
        assertThat(doc.get("m")).isEqualTo(Map.of("Fn::ImportValue", "exported"));
        assertThat(doc.get("n")).isEqualTo(Map.of("Fn::Base64", "text"));
        assertThat(doc.get("o")).isEqualTo(Map.of("Fn::Cidr", List.of("10.0.0.0/16", 4, 8)));
        assertThat(doc.get("p")).isEqualTo(Map.of("Fn::Sub", List.of("${A}", Map.of("A", Map.of("Ref", "X")))));
    }

    @Test
    void functionsGetGlobalsAndResolvedEnvironment() {
        SamTemplate t = SamTemplate.load(testTemplate());

        SamTemplate.Function login = t.function("CodeExchangeFunction");
        assertThat(login.handler()).isEqualTo("wxlogin.local.api.fixtures.EchoHandler::handleRequest");
        assertThat(login.timeoutSeconds()).isEqualTo(20);
        assertThat(login.memorySize()).isEqualTo(1024);
        assertThat(t.function("CallGateFunction").timeoutSeconds()).isEqualTo(1);
        assertThat(t.function("MyCloudFunction").memorySize()).isEqualTo(512);

        Map<String, String> env = login.environment();
        assertThat(env).containsEntry("SESSION_KEYS_SECRET_ID", "SessionKeysSecret") // Ref to a resource: its id
                .containsEntry("SESSION_ISSUER", "local-issuer") // the function wins over Globals
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1")
                .containsEntry("WECHAT_APP_SECRET_ID", "WeChatAppSecret") // !If, condition true by default
                .containsEntry("SESSION_TTL_SECONDS", "7200") // Number default as text
                .containsEntry("LOG_LEVEL", "DEBUG")
                .containsEntry("REGION_AND_STAGE", "us-east-1-dev-${Literal}")
                .containsEntry("JOINED", "a,dev,y")
                .containsEntry("ANY_PROD", "no")
                .containsEntry("USE_VPC", "no") // CommaDelimitedList default "" through !Join
                .doesNotContainKey("ONLY_IN_PROD"); // AWS::NoValue removes it
        assertThat(env.get("SESSIONS_TABLE_ARN")).startsWith(SamTemplate.UNRESOLVED_PREFIX).contains("SessionsTable.Arn");
        assertThat(env.get("MISSING")).startsWith(SamTemplate.UNRESOLVED_PREFIX);
        assertThat(t.warnings()).anyMatch(w -> w.contains("SESSIONS_TABLE_ARN"))
                .anyMatch(w -> w.contains("MISSING"));
        assertThat(t.function("CallGateFunction").environment())
                .containsEntry("GATE_POLICY", "{}")
                .containsEntry("SESSION_ISSUER", "weixin-app-login");
    }

    @Test
    void parameterOverridesWinAndDriveConditions() {
        SamTemplate t = SamTemplate.load(testTemplate(), Map.of(
                "ExistingWeChatAppSecretArn", "arn:aws:secretsmanager:us-east-1:000000000000:secret:app",
                "Stage", "prod", "NoDefault", "given", "Subnets", "subnet-a, subnet-b"));
        Map<String, String> env = t.function("CodeExchangeFunction").environment();
        assertThat(env).containsEntry("WECHAT_APP_SECRET_ID", "arn:aws:secretsmanager:us-east-1:000000000000:secret:app")
                .containsEntry("ONLY_IN_PROD", "yes")
                .containsEntry("ANY_PROD", "yes")
                .containsEntry("LOG_LEVEL", "INFO")
                .containsEntry("MISSING", "given")
                .containsEntry("USE_VPC", "subnet-b");
        assertThat(t.condition("CreateWeChatAppSecret")).isFalse();
        assertThat(t.parameterValues()).containsEntry("Stage", "prod").containsEntry("SessionTtlSeconds", "7200");
    }

    @Test
    void routesTakeTheDefaultAuthorizerUnlessNone() {
        SamTemplate t = SamTemplate.load(testTemplate());
        SamTemplate.HttpApi api = t.httpApis().get("HttpApi");
        assertThat(api.defaultAuthorizer()).isEqualTo("CallGate");
        SamTemplate.Authorizer gate = api.authorizers().get("CallGate");
        assertThat(gate.functionId()).isEqualTo("CallGateFunction"); // from !Ref CallGateFunction.Alias
        assertThat(gate.identityHeaders()).containsExactly("Authorization");
        assertThat(gate.identityContext()).containsExactly("routeKey");
        assertThat(gate.identitySource()).containsExactly("$request.header.Authorization", "$context.routeKey");
        assertThat(gate.reauthorizeEvery()).isEqualTo(300);
        assertThat(gate.enableSimpleResponses()).isTrue();
        assertThat(gate.payloadFormatVersion()).isEqualTo("2.0");

        Map<String, SamTemplate.Route> byKey = new java.util.HashMap<>();
        t.routes().forEach(r -> byKey.put(r.routeKey(), r));
        assertThat(byKey.get("POST /login").authorizer()).isNull();
        assertThat(byKey.get("POST /login").functionId()).isEqualTo("CodeExchangeFunction");
        assertThat(byKey.get("POST /login").apiId()).isEqualTo("HttpApi");
        assertThat(byKey.get("POST /functions/myCloudFunction").authorizer()).isEqualTo(gate);
        assertThat(byKey.get("POST /functions/{name}").authorizer()).isEqualTo(gate);
        assertThat(byKey.get("ANY /echo/{proxy+}").authorizer()).isNull();
    }

    @Test
    void authorizerFunctionArnFormsAndRouteLevelOverride() {
        SamTemplate t = SamTemplate.parse("""
                Resources:
                  Api:
                    Type: AWS::Serverless::HttpApi
                    Properties:
                      Auth:
                        Authorizers:
                          ByGetAtt: {FunctionArn: !GetAtt GateA.Arn, EnableSimpleResponses: true, Identity: {Headers: [Authorization]}}
                          ByGetAttList: {FunctionArn: !GetAtt [GateB, Arn], EnableSimpleResponses: true}
                          BySub: {FunctionArn: !Sub "${GateC.Alias}", EnableSimpleResponses: true}
                          BySubUri: {FunctionArn: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${GateA}", EnableSimpleResponses: true}
                          ByLiteral: {FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:GateB:live", EnableSimpleResponses: true}
                  GateA: {Type: AWS::Serverless::Function, Properties: {Handler: a.A::handleRequest}}
                  GateB: {Type: AWS::Serverless::Function, Properties: {Handler: b.B::handleRequest}}
                  GateC: {Type: AWS::Serverless::Function, Properties: {Handler: c.C::handleRequest}}
                  Target:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: t.T::handleRequest
                      Events:
                        NoAuth: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /open, Method: get}}
                        WithAuth: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /closed, Method: GET, Auth: {Authorizer: BySub}}}
                        Implicit: {Type: HttpApi, Properties: {Path: /implicit, Method: GET}}
                        Catch: {Type: HttpApi}
                """, Map.of());
        Map<String, SamTemplate.Authorizer> auth = t.httpApis().get("Api").authorizers();
        assertThat(auth.get("ByGetAtt").functionId()).isEqualTo("GateA");
        assertThat(auth.get("ByGetAttList").functionId()).isEqualTo("GateB");
        assertThat(auth.get("BySub").functionId()).isEqualTo("GateC");
        assertThat(auth.get("BySubUri").functionId()).isEqualTo("GateA");
        assertThat(auth.get("ByLiteral").functionId()).isEqualTo("GateB");

        assertThat(t.routes()).extracting(SamTemplate.Route::routeKey)
                .containsExactly("GET /open", "GET /closed", "GET /implicit", "$default");
        assertThat(t.routes().get(0).authorizer()).isNull(); // no DefaultAuthorizer
        assertThat(t.routes().get(1).authorizer().name()).isEqualTo("BySub");
        assertThat(t.routes().get(2).apiId()).isEqualTo(SamTemplate.IMPLICIT_HTTP_API);
        assertThat(t.function("Target").timeoutSeconds()).isEqualTo(3); // SAM defaults
        assertThat(t.function("Target").memorySize()).isEqualTo(128);
    }

    @Test
    void globalsMergeMapsKeyWiseAndListsAdd() {
        Map<String, Object> merged = SamTemplate.mergeGlobals(
                Map.of("Environment", Map.of("Variables", Map.of("A", "g", "B", "g")), "Layers", List.of("l1"),
                        "Timeout", 20, "Tracing", Map.of("Ref", "X")),
                Map.of("Environment", Map.of("Variables", Map.of("B", "f", "C", "f")), "Layers", List.of("l2"),
                        "Timeout", 5, "Tracing", Map.of("Fn::If", List.of("c", "a", "b"))));
        assertThat(merged.get("Environment")).isEqualTo(Map.of("Variables", Map.of("A", "g", "B", "f", "C", "f")));
        assertThat(merged.get("Layers")).isEqualTo(List.of("l1", "l2"));
        assertThat(merged.get("Timeout")).isEqualTo(5);
        assertThat(merged.get("Tracing")).isEqualTo(Map.of("Fn::If", List.of("c", "a", "b"))); // intrinsics are not merged
    }
}
