package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * One error of each {@link AwsErrorKind}, as the SDK builds it for the service that answers so, for
 * tests that drive a reader through every kind. {@code AwsErrorsTest} checks that {@link
 * io.github.flinksagemaker.connector.aws.AwsErrors#classify} maps each back to its kind.
 */
public final class AwsErrorsOfKind {
    private AwsErrorsOfKind() {}

    /** An error that {@code AwsErrors.classify} maps to {@code kind}. */
    public static RuntimeException of(AwsErrorKind kind) {
        switch (kind) {
            case CREDENTIALS:
                return S3Errors.of(403, "InvalidAccessKeyId");
            case CREDENTIALS_UNAVAILABLE:
                return SdkClientException.create(
                        "Unable to load credentials from any of the providers in the chain");
            case ACCESS_DENIED:
                return S3Errors.of(403, "AccessDenied");
            case NO_SUCH_BUCKET:
                return S3Errors.of(404, "NoSuchBucket");
            case NO_SUCH_QUEUE:
                return QueueDoesNotExistException.builder()
                        .statusCode(400)
                        .awsErrorDetails(
                                details(
                                        "AWS.SimpleQueueService.NonExistentQueue",
                                        "The specified queue does not exist."))
                        .build();
            case WRONG_REGION:
                return S3Errors.of(301, "PermanentRedirect");
            case NO_SUCH_KEY:
                return S3Errors.of(404, "NoSuchKey");
            case OBJECT_STATE:
                return S3Errors.of(403, "InvalidObjectState");
            case KMS_KEY:
                return S3Errors.of(400, "KMS.DisabledException");
            case INSECURE_REQUEST:
                return SqsException.builder()
                        .statusCode(403)
                        .awsErrorDetails(details("InvalidSecurity", "Use HTTPS and SigV4."))
                        .build();
            case THROTTLED:
                return S3Errors.of(503, "SlowDown");
            case TRANSIENT:
                return S3Errors.of(500, "InternalError");
            case OTHER:
                return S3Errors.of(400, "InvalidArgument");
            default:
                throw new IllegalArgumentException("No error of kind " + kind + " yet: add one");
        }
    }

    private static AwsErrorDetails details(String code, String message) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(message).build();
    }
}
