// End to end: the gate on a parameterised route and the $default route through the local API (template.yaml plus two routes), with every spelling of a path.
package wxlogin.it.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wxlogin.it.template.ProjectFiles;
import wxlogin.local.LocalMain;

class GateRouteShapesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** MyCloudFunction also serves /functions/{name} and $default, as a team's own function might. */
    static final String EXTRA_ROUTES = String.join("\n",
            "        ByName:",
            "          Type: HttpApi",
            "          Properties:",
            "            ApiId: !Ref HttpApi",
            "            Method: POST",
            "            Path: /functions/{name}",
            "            Auth:",
            "              Authorizer: CallGate",
            "        Everything:",
            "          Type: HttpApi",
            "          Properties:",
            "            ApiId: !Ref HttpApi",
            "            Auth:",
            "              Authorizer: CallGate",
            "");

    private static LocalMain.Stack stack;
    private static String appToken;
    private static String miniProgramToken;

    @BeforeAll
    static void start() throws Exception {
        String template = ProjectFiles.read(ProjectFiles.template());
        String anchor = "            Path: /functions/myCloudFunction\n";
        int at = template.indexOf(anchor);
        assertThat(at).as("MyCloudFunction's route in template.yaml").isPositive();
        int insert = template.indexOf("\n\n", at) + 1;
        String extended = template.substring(0, insert) + EXTRA_ROUTES + template.substring(insert);
        Path file = Files.createTempFile(ProjectFiles.root(), ".route-shapes-", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, extended);
        stack = LocalMain.Stack.start(new LocalMain.Options(0, 0, file, false), Map.of(
                "GATE_POLICY", "{\"adminReport\":[\"weixinMiniProgram\"]}",
                "GATED_FUNCTIONS", "myCloudFunction,adminReport"));
        appToken = login("weixinApp");
        miniProgramToken = login("weixinMiniProgram");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @ParameterizedTest(name = "{0} with an app login -> {1}")
    @CsvSource({
            "/functions/myCloudFunction,              200",
            "/functions/adminReport,                  403",
            "/functions/admin%52eport,                403",
            "/functions/adminReport/extra,            403",
            "/functions/myCloudF%75nction,            403",
            "/functions/%6DyCloudFunction,            403",
            "/functions//myCloudFunction,             403",
            "/functions/./myCloudFunction,            403",
            "/functions/adminReport/../myCloudFunction, 403",
            "/functions/anyOtherName,                 200",
            "/somewhere/else,                         200",
            "/somewhere/./else,                       403",
    })
    void anAppLoginReachesOnlyWhatThePolicyOpensWhateverTheSpelling(String path, int status) throws Exception {
        assertThat(call(path, appToken).statusCode()).isEqualTo(status);
    }

    @Test
    void theFunctionThePolicyNamesAnswersItsLoginTypeThroughTheParameterisedRoute() throws Exception {
        HttpResponse<String> allowed = call("/functions/adminReport", miniProgramToken);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).get("errMsg").asText()).isEqualTo("cloud.callFunction:ok");
        assertThat(call("/functions/admin%52eport", miniProgramToken).statusCode())
                .as("still no other spelling").isEqualTo(403);
    }

    private static String login(String scenario) throws Exception {
        HttpResponse<String> response = post("/login", "{\"code\":\"" + stack.wechat().issueCode(scenario, "route") + "\"}",
                null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        return body.get("token").asText();
    }

    private static HttpResponse<String> call(String path, String token) throws Exception {
        return post(path, "{\"data\":1}", token);
    }

    private static HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.api().url() + path))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
