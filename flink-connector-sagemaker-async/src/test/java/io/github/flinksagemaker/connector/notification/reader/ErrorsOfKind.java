package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.model.SqsException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors, as the SDK builds them, that {@link AwsErrors#classify} maps to a given kind. (To be
 * replaced by the shared {@code testutils.AwsErrorsOfKind} once there is one.)
 */
final class ErrorsOfKind {
    private ErrorsOfKind() {}

    /** An S3 error (as a GetObject answers) of this kind. */
    static RuntimeException s3(AwsErrorKind kind) {
        return checked(kind, S3Errors.of(status(kind), code(kind)));
    }

    /** An SQS error (as a ReceiveMessage answers) of this kind. */
    static RuntimeException sqs(AwsErrorKind kind) {
        return checked(
                kind,
                SqsException.builder()
                        .statusCode(status(kind))
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode(code(kind))
                                        .errorMessage(code(kind) + " (test)")
                                        .build())
                        .build());
    }

    private static RuntimeException checked(AwsErrorKind kind, RuntimeException error) {
        assertThat(AwsErrors.classify(error)).as("the error's kind").isEqualTo(kind);
        return error;
    }

    private static String code(AwsErrorKind kind) {
        switch (kind) {
            case CREDENTIALS:
                return "InvalidAccessKeyId";
            case CREDENTIALS_UNAVAILABLE:
                return "ExpiredToken";
            case ACCESS_DENIED:
                return "AccessDenied";
            case NO_SUCH_BUCKET:
                return "NoSuchBucket";
            case NO_SUCH_QUEUE:
                return "AWS.SimpleQueueService.NonExistentQueue";
            case WRONG_REGION:
                return "PermanentRedirect";
            case NO_SUCH_KEY:
                return "NoSuchKey";
            case OBJECT_STATE:
                return "InvalidObjectState";
            case KMS_KEY:
                return "KMS.DisabledException";
            case INSECURE_REQUEST:
                return "InvalidSecurity";
            case THROTTLED:
                return "SlowDown";
            case TRANSIENT:
                return "InternalError";
            case OTHER:
                return "InvalidArgument";
            default:
                throw new IllegalArgumentException("no error of kind " + kind + " here yet");
        }
    }

    private static int status(AwsErrorKind kind) {
        switch (kind) {
            case CREDENTIALS:
            case ACCESS_DENIED:
            case OBJECT_STATE:
            case INSECURE_REQUEST:
                return 403;
            case NO_SUCH_BUCKET:
            case NO_SUCH_KEY:
                return 404;
            case WRONG_REGION:
                return 301;
            case THROTTLED:
                return 503;
            case TRANSIENT:
                return 500;
            default:
                return 400;
        }
    }
}
