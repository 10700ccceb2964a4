package wxlogin.aws;

// Unit: the SDK's exception hierarchy sorted into unavailable (503) and misconfigured (500).

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsFailureTest {

    private static final Set<String> OURS = Set.of("ResourceNotFoundException", "ValidationException");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(nullValues = "null", value = {
            // status, code, misconfigured, throttled
            "500, InternalServerError, false, false",
            "500, null, false, false",
            "502, null, false, false",
            "503, ServiceUnavailable, false, false",
            "400, ThrottlingException, false, true",
            "400, ProvisionedThroughputExceededException, false, true",
            "429, null, false, true",
            "400, ExpiredTokenException, false, false",
            "400, SomethingNewException, false, false",
            "404, null, false, false",
            "400, AccessDeniedException, true, false",
            "403, null, true, false",
            "400, UnrecognizedClientException, true, false",
            "400, ResourceNotFoundException, true, false",
            "400, ValidationException, true, false"})
    void serviceAnswersAreSortedByStatusAndCode(int status, String code, boolean misconfigured, boolean throttled) {
        AwsFailure failure = AwsFailure.of(service(status, code), OURS);

        assertThat(failure.misconfigured()).isEqualTo(misconfigured);
        assertThat(failure.throttled()).isEqualTo(throttled);
        assertThat(failure.status()).isEqualTo(status);
        assertThat(failure.what()).isEqualTo("HTTP " + status + (code == null ? "" : " " + code));
    }

    @Test
    void noAnswerAtAllIsUnavailable() {
        for (RuntimeException e : new RuntimeException[] {
                SdkClientException.builder().message("Unable to execute HTTP request").cause(new ConnectException("refused")).build(),
                ApiCallTimeoutException.create(1_000),
                ApiCallAttemptTimeoutException.create(500),
                AbortedException.create("aborted"),
                new UncheckedIOException(new SocketException("Connection reset")),
                SdkClientException.create("Unable to load credentials from any of the providers in the chain")}) {
            AwsFailure failure = AwsFailure.of(e, OURS);
            assertThat(failure.misconfigured()).as(e.getClass().getName()).isFalse();
            assertThat(failure.status()).isZero();
            assertThat(failure.what()).startsWith(e.getClass().getSimpleName()).doesNotContain("refused", "reset");
        }
        assertThat(AwsFailure.of(new UncheckedIOException(new IOException("x")), OURS).what())
                .isEqualTo("UncheckedIOException (IOException)");
    }

    @Test
    void anythingElseIsABugAndNotSorted() {
        assertThat(AwsFailure.of(new IllegalStateException("bug"), OURS)).isNull();
        assertThat(AwsFailure.of(new NullPointerException(), OURS)).isNull();
    }

    private static AwsServiceException service(int status, String code) {
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(code).errorMessage("may quote a key").build();
        return AwsServiceException.builder().statusCode(status).awsErrorDetails(details).build();
    }
}
