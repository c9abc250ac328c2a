package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Credentials that stayed unavailable (a provider that does not answer, a session token that is not
 * refreshed) for longer than {@link CredentialsOutage#MAX_OUTAGE}: no longer a moment's fault, so
 * {@link AwsErrors} classes it as {@link AwsErrorKind#CREDENTIALS}, which fails the job with
 * advice.
 */
@Internal
public final class CredentialsOutageException extends SdkClientException {
    private static final long serialVersionUID = 1L;

    private CredentialsOutageException(Builder builder) {
        super(builder);
    }

    static CredentialsOutageException after(long outageMillis, Throwable last) {
        Builder builder = SdkClientException.builder();
        builder.message(
                "No usable credentials for "
                        + (outageMillis / 1000)
                        + " s, retried all along; last: "
                        + AwsErrors.describe(last));
        return new CredentialsOutageException(builder);
    }
}
