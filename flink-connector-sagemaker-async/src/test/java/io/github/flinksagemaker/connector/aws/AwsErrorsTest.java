package io.github.flinksagemaker.connector.aws;

import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.util.concurrent.CompletionException;

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
        "400, ExpiredToken, CREDENTIALS",
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
    })
    void faultsThatDoomEveryCallAdviseWhatToFix(AwsErrorKind kind, String named) {
        assertThat(FatalAwsException.advice(kind)).contains(named);
    }

    @ParameterizedTest
    @CsvSource({"NO_SUCH_KEY", "OBJECT_STATE", "THROTTLED", "TRANSIENT", "OTHER"})
    void faultsOfOneCallOrOneMomentAreNotFatal(AwsErrorKind kind) {
        assertThat(FatalAwsException.advice(kind)).isNull();
    }

    @Test
    void clientSideFaultsAreNetworkOrMissingCredentials() {
        assertThat(AwsErrors.classify(SdkClientException.create("Connection reset")))
                .isEqualTo(AwsErrorKind.TRANSIENT);
        assertThat(AwsErrors.classify(new IOException("Connection refused")))
                .isEqualTo(AwsErrorKind.TRANSIENT);
        assertThat(
                        AwsErrors.classify(
                                SdkClientException.create(
                                        "Unable to load credentials from any of the providers")))
                .isEqualTo(AwsErrorKind.CREDENTIALS);
    }

    @Test
    void descriptionsNameTheCodeAndStatusOnly() {
        assertThat(AwsErrors.describe(S3Errors.of(301, "PermanentRedirect")))
                .isEqualTo("PermanentRedirect (301): PermanentRedirect (test)");
    }
}
