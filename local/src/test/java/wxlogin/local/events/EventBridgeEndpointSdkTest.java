// Level: component test — the SDK's EventBridge client against EventBridgeEndpoint over real HTTP: PutEvents, partial failures, faults.
package wxlogin.local.events;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import wxlogin.local.aws.AwsFault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventBridgeEndpointSdkTest {

    private EventBridgeEndpoint endpoint;
    private EventBridgeClient client;

    @BeforeEach
    void start() {
        endpoint = EventBridgeEndpoint.start();
        client = EventBridgeClient.builder()
                .endpointOverride(endpoint.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)).apiCallTimeout(Duration.ofSeconds(5)))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    private static PutEventsRequestEntry userDeleted(String userId) {
        return PutEventsRequestEntry.builder().source("wxlogin").detailType("user.deleted")
                .detail("{\"userId\":\"" + userId + "\"}").build();
    }

    @Test
    void acceptedEventsAreKeptInOrder() {
        PutEventsResponse answer = client.putEvents(r -> r.entries(userDeleted("u1"), userDeleted("u2")));
        assertThat(answer.failedEntryCount()).isZero();
        assertThat(answer.entries()).allSatisfy(e -> assertThat(e.eventId()).isNotBlank());
        assertThat(endpoint.events()).extracting(e -> e.detail().get("userId").asText()).containsExactly("u1", "u2");
        assertThat(endpoint.events().get(0).detailType()).isEqualTo("user.deleted");
        assertThat(endpoint.calls("PutEvents")).isEqualTo(1);
    }

    @Test
    void badEntriesFailInsideA200AsInAws() {
        PutEventsResponse answer = client.putEvents(r -> r.entries(userDeleted("ok"),
                PutEventsRequestEntry.builder().source("wxlogin").detailType("user.deleted").detail("[1]").build(),
                userDeleted("other-bus").toBuilder().eventBusName("someone-elses").build()));
        assertThat(answer.failedEntryCount()).isEqualTo(2);
        assertThat(answer.entries().get(0).errorCode()).isNull();
        assertThat(answer.entries().get(1).errorCode()).isEqualTo("InvalidArgument");
        assertThat(answer.entries().get(2).errorMessage()).contains("someone-elses");
        assertThat(endpoint.events()).hasSize(1);
    }

    @Test
    void injectedEntryFailuresAndFaults() {
        endpoint.failEntriesNext(1);
        PutEventsResponse answer = client.putEvents(r -> r.entries(userDeleted("lost")));
        assertThat(answer.failedEntryCount()).isEqualTo(1);
        assertThat(answer.entries().get(0).errorCode()).isEqualTo("InternalFailure");

        endpoint.failNext(1, AwsFault.THROTTLING);
        assertThatThrownBy(() -> client.putEvents(r -> r.entries(userDeleted("x"))))
                .isInstanceOfSatisfying(SdkServiceException.class, e -> assertThat(e.isThrottlingException()).isTrue());
        endpoint.failNext(1, AwsFault.INTERNAL);
        assertThatThrownBy(() -> client.putEvents(r -> r.entries(userDeleted("x"))))
                .isInstanceOfSatisfying(SdkServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
        endpoint.setDown(true);
        assertThatThrownBy(() -> client.putEvents(r -> r.entries(userDeleted("x"))))
                .isInstanceOfSatisfying(SdkServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        endpoint.setDown(false);
        assertThat(client.putEvents(r -> r.entries(userDeleted("back"))).failedEntryCount()).isZero();
        assertThat(endpoint.events()).extracting(e -> e.detail().get("userId").asText()).containsExactly("back");
    }

    @Test
    void aRequestSignedForAnotherServiceOrWithoutAnOperationIsRefused() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> wrongService = http.send(signedFor("s3", "AWSEvents.PutEvents"), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongService.statusCode()).isEqualTo(403);
        assertThat(wrongService.body()).contains("InvalidSignatureException", "'events'");
        HttpResponse<String> noOperation = http.send(signedFor("events", "AWSEvents."), HttpResponse.BodyHandlers.ofString());
        assertThat(noOperation.statusCode()).isEqualTo(400);
        assertThat(noOperation.body()).contains("UnknownOperationException");
        assertThat(endpoint.events()).isEmpty();
    }

    private HttpRequest signedFor(String service, String target) {
        return HttpRequest.newBuilder(endpoint.endpoint())
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", target)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/" + service
                        + "/aws4_request, SignedHeaders=host, Signature=00")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Entries\":[{\"Source\":\"a\",\"DetailType\":\"b\",\"Detail\":\"{}\"}]}"))
                .build();
    }
}
