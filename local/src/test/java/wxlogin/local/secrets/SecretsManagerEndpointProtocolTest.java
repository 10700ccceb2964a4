// Level: component test — SecretsManagerEndpoint's wire-protocol checks with raw HTTP requests.
package wxlogin.local.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsManagerEndpointProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNED = "AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/20261124/us-east-1/secretsmanager/aws4_request, "
            + "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000";

    private final HttpClient http = HttpClient.newHttpClient();
    private SecretsManagerEndpoint endpoint;

    @BeforeEach
    void start() {
        endpoint = SecretsManagerEndpoint.start();
        endpoint.put("s1", "v1");
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void anUnsignedRequestIsMissingAuthenticationToken() throws Exception {
        HttpResponse<String> answer = post("GetSecretValue", null, "application/x-amz-json-1.1", "{\"SecretId\":\"s1\"}");
        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(answer.body()).doesNotContain("v1");
        assertThat(endpoint.calls("GetSecretValue")).isEqualTo(1);
    }

    @Test
    void aRequestSignedForAnotherServiceIsRejected() throws Exception {
        HttpResponse<String> answer = post("GetSecretValue", SIGNED.replace("/secretsmanager/", "/ssm/"),
                "application/x-amz-json-1.1", "{\"SecretId\":\"s1\"}");
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).get("__type").asText()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void aSignedRawRequestWorksAndCreatedDateIsANumber() throws Exception {
        HttpResponse<String> answer = post("GetSecretValue", SIGNED, "application/x-amz-json-1.1", "{\"SecretId\":\"s1\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.1");
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("SecretString").asText()).isEqualTo("v1");
        assertThat(body.get("CreatedDate").isNumber()).isTrue();
    }

    @Test
    void unknownOperationWrongContentTypeAndBadJsonAreClientErrors() throws Exception {
        HttpResponse<String> unknown = post("RotateEverything", SIGNED, "application/x-amz-json-1.1", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).get("__type").asText()).isEqualTo("InvalidAction");

        HttpResponse<String> plainJson = post("GetSecretValue", SIGNED, "application/json", "{\"SecretId\":\"s1\"}");
        assertThat(plainJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(plainJson.body()).get("__type").asText()).isEqualTo("UnknownOperationException");

        HttpResponse<String> badJson = post("GetSecretValue", SIGNED, "application/x-amz-json-1.1", "{nope");
        assertThat(JSON.readTree(badJson.body()).get("__type").asText()).isEqualTo("SerializationException");

        HttpResponse<String> noId = post("GetSecretValue", SIGNED, "application/x-amz-json-1.1", "{}");
        assertThat(JSON.readTree(noId.body()).get("__type").asText()).isEqualTo("ValidationException");
    }

    @Test
    void countersCountEveryRequestAndReset() throws Exception {
        post("GetSecretValue", SIGNED, "application/x-amz-json-1.1", "{\"SecretId\":\"s1\"}");
        post("DescribeSecret", SIGNED, "application/x-amz-json-1.1", "{\"SecretId\":\"s1\"}");
        assertThat(endpoint.calls()).isEqualTo(2);
        assertThat(endpoint.calls("DescribeSecret")).isEqualTo(1);
        endpoint.resetCounters();
        assertThat(endpoint.calls()).isZero();
        assertThat(endpoint.calls("GetSecretValue")).isZero();
    }

    private HttpResponse<String> post(String operation, String authorization, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.endpoint().resolve("/"))
                .header("Content-Type", contentType)
                .header("X-Amz-Target", "secretsmanager." + operation)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) request.header("Authorization", authorization);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
