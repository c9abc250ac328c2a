package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one classification of errors from AWS calls, used by submit, upload, listing and reading, in
 * the spirit of flink-connector-aws's fatal-exception classifiers: what the error means ({@link
 * AwsErrorKind}); each caller decides what that means for its operation.
 */
@Internal
public final class AwsErrors {
    /** Error codes (S3, SageMaker, STS) of credentials that are unknown, malformed or expired. */
    private static final Set<String> CREDENTIAL_CODES =
            Set.of(
                    "InvalidAccessKeyId",
                    "SignatureDoesNotMatch",
                    "InvalidSignatureException",
                    "UnrecognizedClientException",
                    "IncompleteSignature",
                    "IncompleteSignatureException",
                    "MissingAuthenticationToken",
                    "MissingAuthenticationTokenException",
                    "InvalidClientTokenId",
                    "ExpiredToken",
                    "ExpiredTokenException",
                    "InvalidToken",
                    "TokenRefreshRequired",
                    "AuthFailure");

    private static final Set<String> ACCESS_DENIED_CODES =
            Set.of("AccessDenied", "AccessDeniedException", "AllAccessDisabled");

    private static final Set<String> THROTTLING_CODES =
            Set.of(
                    "SlowDown",
                    "Throttling",
                    "ThrottlingException",
                    "ThrottledException",
                    "RequestThrottled",
                    "TooManyRequestsException",
                    "ModelNotReadyException");

    private AwsErrors() {}

    /** The first cause that is not a future's wrapper. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static AwsErrorKind classify(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AwsServiceException) {
            return classify((AwsServiceException) cause);
        }
        if (cause instanceof ApiCallTimeoutException
                || cause instanceof ApiCallAttemptTimeoutException) {
            return AwsErrorKind.TRANSIENT;
        }
        if (cause instanceof SdkClientException && isMissingCredentials(cause)) {
            return AwsErrorKind.CREDENTIALS;
        }
        if (cause instanceof AbortedException) {
            return AwsErrorKind.OTHER;
        }
        if (cause instanceof SdkException || cause instanceof IOException) {
            // Connection refused or reset, read timeouts, DNS: the network, not the request.
            return AwsErrorKind.TRANSIENT;
        }
        return AwsErrorKind.OTHER;
    }

    private static AwsErrorKind classify(AwsServiceException e) {
        String code = errorCode(e);
        if (CREDENTIAL_CODES.contains(code)) {
            return AwsErrorKind.CREDENTIALS;
        }
        if (ACCESS_DENIED_CODES.contains(code)) {
            return AwsErrorKind.ACCESS_DENIED;
        }
        if ("NoSuchBucket".equals(code)) {
            return AwsErrorKind.NO_SUCH_BUCKET;
        }
        if ("NoSuchKey".equals(code)) {
            return AwsErrorKind.NO_SUCH_KEY;
        }
        if ("InvalidObjectState".equals(code)) {
            return AwsErrorKind.OBJECT_STATE;
        }
        if (THROTTLING_CODES.contains(code) || e.isThrottlingException()) {
            return AwsErrorKind.THROTTLED;
        }
        int status = e.statusCode();
        if (status == 403 && code == null) {
            // S3 answers HEAD and some errors without a body: a bare 403 is an access denial.
            return AwsErrorKind.ACCESS_DENIED;
        }
        if (status == 404 && code == null) {
            return AwsErrorKind.NO_SUCH_KEY;
        }
        if (status == 429) {
            return AwsErrorKind.THROTTLED;
        }
        if (status >= 500 || e.retryable()) {
            return AwsErrorKind.TRANSIENT;
        }
        return AwsErrorKind.OTHER;
    }

    /** The service's error code, or null when the response had none. */
    public static String errorCode(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AwsServiceException
                && ((AwsServiceException) cause).awsErrorDetails() != null) {
            return ((AwsServiceException) cause).awsErrorDetails().errorCode();
        }
        return null;
    }

    /**
     * A one-line description for messages and logs: the error code, status and message, without the
     * request (which may carry payload) and without credentials.
     */
    public static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AwsServiceException) {
            AwsServiceException e = (AwsServiceException) cause;
            String code = errorCode(e);
            String message =
                    e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                            ? e.awsErrorDetails().errorMessage()
                            : e.getMessage();
            return (code != null ? code : "HTTP " + e.statusCode())
                    + " ("
                    + e.statusCode()
                    + "): "
                    + message;
        }
        return cause.getClass().getSimpleName()
                + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }

    private static boolean isMissingCredentials(Throwable e) {
        String message = e.getMessage();
        return message != null
                && (message.contains("Unable to load credentials")
                        || message.contains("Unable to load an AWS credential"));
    }
}
