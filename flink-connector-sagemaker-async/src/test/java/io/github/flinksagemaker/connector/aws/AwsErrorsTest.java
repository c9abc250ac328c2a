package io.github.flinksagemaker.connector.aws;

import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one classification of AWS errors, from the exceptions the SDK itself builds: which codes doom
 * every call (and get advice that names what to fix), which are per object, which are retried.
 */
class AwsErrorsTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "403, InvalidAccessKeyId, CREDENTIALS",
        "403, SignatureDoesNotMatch, CREDENTIALS",
        "400, ExpiredToken, CREDENTIALS_UNAVAILABLE",
        "400, ExpiredTokenException, CREDENTIALS_UNAVAILABLE",
        "400, UnrecognizedClientException, CREDENTIALS",
        "400, InvalidSignatureException, CREDENTIALS",
        "400, IncompleteBody, TRANSIENT",
        "400, BadDigest, TRANSIENT",
        "403, AccessDenied, ACCESS_DENIED",
        "403, '', ACCESS_DENIED",
        "404, NoSuchBucket, NO_SUCH_BUCKET",
        "301, PermanentRedirect, WRONG_REGION",
        "301, '', WRONG_REGION",
        "400, AuthorizationHeaderMalformed, WRONG_REGION",
        "400, IllegalLocationConstraintException, WRONG_REGION",
        "404, NoSuchKey, NO_SUCH_KEY",
        "404, '', NO_SUCH_KEY",
        "403, InvalidObjectState, OBJECT_STATE",
        "503, SlowDown, THROTTLED",
        "429, '', THROTTLED",
        "500, InternalError, TRANSIENT",
        "400, InvalidArgument, OTHER",
        "400, KMS.DisabledException, KMS_KEY",
        "403, KMS.AccessDeniedException, KMS_KEY",
        "400, KmsAccessDenied, KMS_KEY",
        "400, KMS.ThrottlingException, THROTTLED",
        "500, KMS.KeyUnavailableException, TRANSIENT",
        "403, RequestTimeTooSkewed, TRANSIENT",
        "400, RequestExpired, TRANSIENT",
        "403, InvalidSecurity, INSECURE_REQUEST",
        "400, AWS.SimpleQueueService.NonExistentQueue, NO_SUCH_QUEUE",
    })
    void classifiesServiceErrorsByCodeThenStatus(int status, String code, AwsErrorKind kind) {
        assertThat(AwsErrors.classify(new CompletionException(S3Errors.of(status, code))))
                .isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} is fatal: {1}")
    @CsvSource({
        "CREDENTIALS, aws.credentials.provider",
        "ACCESS_DENIED, docs/iam.md",
        "NO_SUCH_BUCKET, aws.region",
        "WRONG_REGION, aws.region",
        "NO_SUCH_QUEUE, queue-url",
        "KMS_KEY, kms:Decrypt",
        "INSECURE_REQUEST, HTTPS",
    })
    void faultsThatDoomEveryCallAdviseWhatToFix(AwsErrorKind kind, String named) {
        assertThat(FatalAwsException.advice(kind)).contains(named);
    }

    @ParameterizedTest
    @CsvSource({
        "NO_SUCH_KEY",
        "OBJECT_STATE",
        "THROTTLED",
        "TRANSIENT",
        "CREDENTIALS_UNAVAILABLE",
        "OTHER"
    })
    void faultsOfOneCallOrOneMomentAreNotFatal(AwsErrorKind kind) {
        assertThat(FatalAwsException.advice(kind)).isNull();
    }

    @Test
    void clientSideFaultsAreNetworkOrMissingCredentials() {
        assertThat(AwsErrors.classify(SdkClientException.create("Connection reset")))
                .isEqualTo(AwsErrorKind.TRANSIENT);
        assertThat(AwsErrors.classify(new IOException("Connection refused")))
                .isEqualTo(AwsErrorKind.TRANSIENT);
        // A provider that could not answer is a moment without credentials, not wrong ones.
        assertThat(
                        AwsErrors.classify(
                                SdkClientException.create(
                                        "Unable to load credentials from any of the providers")))
                .isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);
        assertThat(AwsErrors.classify(AbortedException.create("Thread was interrupted")))
                .isEqualTo(AwsErrorKind.TRANSIENT);
    }

    @ParameterizedTest(name = "{0} may be retried: {1}")
    @CsvSource({
        "THROTTLED, true",
        "TRANSIENT, true",
        "CREDENTIALS_UNAVAILABLE, true",
        "CREDENTIALS, false",
        "ACCESS_DENIED, false",
        "OTHER, false",
    })
    void retryableKinds(AwsErrorKind kind, boolean retryable) {
        assertThat(AwsErrors.isRetryable(kind)).isEqualTo(retryable);
    }

    @Test
    void requestsThatNeverLeftAreToldFromThoseThatMayHaveBeenAccepted() {
        SdkClientException acquireTimeout =
                SdkClientException.create(
                        "Unable to execute HTTP request: Acquire operation took longer than the"
                                + " configured maximum time",
                        new Throwable(
                                "Acquire operation took longer than the configured maximum time.",
                                new TimeoutException("Acquire operation took longer than 10 ms")));
        assertThat(AwsErrors.certainlyNotSent(acquireTimeout)).isTrue();
        assertThat(
                        AwsErrors.certainlyNotSent(
                                SdkClientException.create(
                                        "Unable to execute HTTP request",
                                        new ConnectException("Connection refused"))))
                .isTrue();
        assertThat(
                        AwsErrors.certainlyNotSent(
                                SdkClientException.create(
                                        "Unable to load credentials from any of the providers")))
                .isTrue();
        assertThat(AwsErrors.certainlyNotSent(ApiCallTimeoutException.create(1_000))).isFalse();
        assertThat(
                        AwsErrors.certainlyNotSent(
                                SdkClientException.create(
                                        "Unable to execute HTTP request",
                                        new IOException("Connection reset"))))
                .isFalse();
    }

    @Test
    void descriptionsNameTheCodeAndStatusOnly() {
        assertThat(AwsErrors.describe(S3Errors.of(301, "PermanentRedirect")))
                .isEqualTo("PermanentRedirect (301): PermanentRedirect (test)");
    }

    /** The errors other tests drive readers with are of the kind they stand for. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(AwsErrorKind.class)
    void errorsOfEachKindForTestsClassifyAsThatKind(AwsErrorKind kind) {
        assertThat(AwsErrors.classify(AwsErrorsOfKind.of(kind))).isEqualTo(kind);
        assertThat(AwsErrors.classify(new CompletionException(AwsErrorsOfKind.of(kind))))
                .isEqualTo(kind);
    }
}
