package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
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
    /**
     * Error codes (S3, SageMaker, SQS, STS) of credentials the service does not accept: unknown,
     * malformed or badly signed. Waiting will not change the answer.
     */
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
                    "InvalidToken",
                    "AuthFailure");

    /**
     * A session token that expired: the provider refreshes it on the next call (a cached token can
     * outlive its expiry by clock skew), so this is retried like a provider that did not answer.
     */
    private static final Set<String> EXPIRED_TOKEN_CODES =
            Set.of("ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired");

    /**
     * S3's answers to an upload whose body broke on the way (a reset connection, a checksum that
     * does not match what arrived): the same request sent again succeeds.
     */
    private static final Set<String> BROKEN_UPLOAD_CODES =
            Set.of("IncompleteBody", "BadDigest", "RequestTimeout");

    private static final Set<String> ACCESS_DENIED_CODES =
            Set.of("AccessDenied", "AccessDeniedException", "AllAccessDisabled");

    /** S3's answers to a request signed for, or sent to, another region than the bucket's. */
    private static final Set<String> WRONG_REGION_CODES =
            Set.of(
                    "PermanentRedirect",
                    "AuthorizationHeaderMalformed",
                    "IllegalLocationConstraintException");

    /**
     * A KMS key the caller cannot use (SQS names the KMS error it got behind an encrypted queue).
     */
    private static final Set<String> KMS_KEY_CODES =
            Set.of(
                    "KMS.AccessDeniedException",
                    "KMS.DisabledException",
                    "KMS.NotFoundException",
                    "KMS.InvalidStateException",
                    "KMS.InvalidKeyUsageException",
                    "KMS.OptInRequired",
                    "KmsAccessDenied",
                    "KmsDisabled",
                    "KmsInvalidKeyUsage",
                    "KmsInvalidState",
                    "KmsNotFound",
                    "KmsOptInRequired");

    private static final Set<String> THROTTLING_CODES =
            Set.of(
                    "SlowDown",
                    "Throttling",
                    "ThrottlingException",
                    "ThrottledException",
                    "RequestThrottled",
                    "TooManyRequestsException",
                    "ModelNotReadyException",
                    // SQS: too many messages in flight, and KMS throttling behind an encrypted
                    // queue
                    "OverLimit",
                    "KMS.ThrottlingException",
                    "KmsThrottled");

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
        if (cause instanceof CredentialsOutageException) {
            return AwsErrorKind.CREDENTIALS;
        }
        if (cause instanceof SdkClientException && isMissingCredentials(cause)) {
            return AwsErrorKind.CREDENTIALS_UNAVAILABLE;
        }
        if (cause instanceof AbortedException) {
            // An interrupted call (a cancelled future, a thread interrupted while it waited):
            // nothing about the request itself, so sending it again can succeed.
            return AwsErrorKind.TRANSIENT;
        }
        if (cause instanceof SdkException || cause instanceof IOException) {
            // Connection refused or reset, read timeouts, DNS: the network, not the request.
            return AwsErrorKind.TRANSIENT;
        }
        return AwsErrorKind.OTHER;
    }

    private static AwsErrorKind classify(AwsServiceException e) {
        String code = errorCode(e);
        AwsErrorKind kind = code != null ? byCode(code) : byBareStatus(e.statusCode());
        if (kind != null) {
            return kind;
        }
        if (e.statusCode() == 429 || e.isThrottlingException()) {
            return AwsErrorKind.THROTTLED;
        }
        if (e.statusCode() >= 500 || e.retryable()) {
            return AwsErrorKind.TRANSIENT;
        }
        return AwsErrorKind.OTHER;
    }

    private static AwsErrorKind byCode(String code) {
        if (CREDENTIAL_CODES.contains(code)) {
            return AwsErrorKind.CREDENTIALS;
        }
        if (EXPIRED_TOKEN_CODES.contains(code)) {
            return AwsErrorKind.CREDENTIALS_UNAVAILABLE;
        }
        if (BROKEN_UPLOAD_CODES.contains(code)) {
            return AwsErrorKind.TRANSIENT;
        }
        if (ACCESS_DENIED_CODES.contains(code)) {
            return AwsErrorKind.ACCESS_DENIED;
        }
        if (WRONG_REGION_CODES.contains(code)) {
            return AwsErrorKind.WRONG_REGION;
        }
        if (KMS_KEY_CODES.contains(code)) {
            return AwsErrorKind.KMS_KEY;
        }
        if (THROTTLING_CODES.contains(code)) {
            return AwsErrorKind.THROTTLED;
        }
        switch (code) {
            case "NoSuchBucket":
                return AwsErrorKind.NO_SUCH_BUCKET;
            case "AWS.SimpleQueueService.NonExistentQueue":
            case "QueueDoesNotExist":
                return AwsErrorKind.NO_SUCH_QUEUE;
            case "NoSuchKey":
                return AwsErrorKind.NO_SUCH_KEY;
            case "InvalidObjectState":
                return AwsErrorKind.OBJECT_STATE;
            case "InvalidSecurity":
                return AwsErrorKind.INSECURE_REQUEST;
            case "RequestTimeTooSkewed":
            case "RequestExpired":
                // The client's clock is off: the SDK corrects its offset from this answer, so the
                // next call is signed with the service's time.
                return AwsErrorKind.TRANSIENT;
            case "KMS.KeyUnavailableException":
                // KMS could not serve the key for a moment (a 500 that AWS says to retry).
                return AwsErrorKind.TRANSIENT;
            default:
                return null;
        }
    }

    /** S3 answers HEAD requests, and some errors, without a body and so without a code. */
    private static AwsErrorKind byBareStatus(int status) {
        switch (status) {
            case 301:
                return AwsErrorKind.WRONG_REGION;
            case 403:
                return AwsErrorKind.ACCESS_DENIED;
            case 404:
                return AwsErrorKind.NO_SUCH_KEY;
            default:
                return null;
        }
    }

    /**
     * Whether a call that failed with an error of this kind may succeed when made again later:
     * throttling, 5xx and network errors, and credentials that could not be had for a moment.
     */
    public static boolean isRetryable(AwsErrorKind kind) {
        return kind == AwsErrorKind.THROTTLED
                || kind == AwsErrorKind.TRANSIENT
                || kind == AwsErrorKind.CREDENTIALS_UNAVAILABLE;
    }

    /**
     * Whether a call that failed this way certainly never reached the service: no connection could
     * be had from the pool or opened, or no credentials to sign it with. Other network errors and
     * timeouts may strike after the request went out.
     */
    public static boolean certainlyNotSent(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException
                    || cause instanceof UnknownHostException
                    || cause instanceof CredentialsOutageException
                    || (cause instanceof SdkClientException && isMissingCredentials(cause))
                    || isAcquireTimeout(cause)) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** Netty's "Acquire operation took longer than ..." when the connection pool is exhausted. */
    private static boolean isAcquireTimeout(Throwable error) {
        String message = error.getMessage();
        return message != null && message.startsWith("Acquire operation took longer");
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
