package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

/** What an error from an AWS call means for the job; see {@link AwsErrors#classify}. */
@Internal
public enum AwsErrorKind {
    /**
     * The credentials are missing, wrong or expired (unknown access key, bad signature, expired
     * token): every call will fail the same way.
     */
    CREDENTIALS,
    /**
     * No credentials for now: the provider did not answer (instance metadata, the container
     * credentials endpoint or STS timing out or throttling, as after a failover when every subtask
     * asks at once), or the service said the session token expired. Retried while the credentials
     * are refreshed; a client whose credentials stay unavailable for {@link
     * CredentialsOutage#MAX_OUTAGE} reports {@link #CREDENTIALS} instead.
     */
    CREDENTIALS_UNAVAILABLE,
    /** The caller is not allowed to do this to this resource (403 AccessDenied). */
    ACCESS_DENIED,
    /** The bucket does not exist. */
    NO_SUCH_BUCKET,
    /** The SQS queue does not exist (or not in this region or account). */
    NO_SUCH_QUEUE,
    /**
     * The bucket is in another region than the client's (301 PermanentRedirect,
     * AuthorizationHeaderMalformed naming the region): every call will fail the same way.
     */
    WRONG_REGION,
    /** The object does not exist. */
    NO_SUCH_KEY,
    /** The object exists but cannot be read as it is (archived: InvalidObjectState). */
    OBJECT_STATE,
    /**
     * A KMS key that encrypts the resource cannot be used by the caller: denied by its key policy,
     * disabled, pending deletion or gone. Every call using that key fails the same way.
     */
    KMS_KEY,
    /**
     * The request was refused as not secure enough (InvalidSecurity: SQS wants HTTPS and SigV4, S3
     * finds the security credentials not valid). Every call of this client fails the same way.
     */
    INSECURE_REQUEST,
    /** Throttling (429, ThrottlingException, S3 SlowDown): slow down and retry. */
    THROTTLED,
    /** 5xx, I/O and timeout errors: retry. */
    TRANSIENT,
    /** Anything else, e.g. a ValidationError: retrying will not help. */
    OTHER
}
