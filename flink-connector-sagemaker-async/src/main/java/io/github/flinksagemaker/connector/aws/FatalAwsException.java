package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A fault that dooms every element, not just one: wrong or missing credentials, a permission the
 * job lacks, an endpoint or bucket that does not exist, results written where the job does not
 * look. The job fails at once and is not restarted (restarting cannot help); the message names the
 * operation, the resource and what to fix. The AWS error is described in the message rather than
 * attached, so the exception always travels to the JobManager intact.
 */
@PublicEvolving
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class FatalAwsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FatalAwsException(String message) {
        super(message);
    }

    /**
     * @param operation what the job was doing, e.g. "InvokeEndpointAsync on endpoint 'x'"
     * @param error the AWS error
     * @param fix what the user should check or change
     */
    public static FatalAwsException of(String operation, Throwable error, String fix) {
        return new FatalAwsException(
                operation + " failed: " + AwsErrors.describe(error) + ". " + fix);
    }

    /** What to fix for an error of this kind, or null when the kind is not fatal by itself. */
    public static String advice(AwsErrorKind kind) {
        switch (kind) {
            case CREDENTIALS:
                return "Check the AWS credentials (aws.credentials.provider and its keys, or the"
                        + " default credential chain): they are missing, wrong or expired.";
            case ACCESS_DENIED:
                return "Grant the job's role the permission this operation needs (see"
                        + " docs/iam.md).";
            case NO_SUCH_BUCKET:
                return "Check the bucket name and aws.region: the bucket does not exist there.";
            case NO_SUCH_QUEUE:
                return "Check sagemaker.completion.sqs.queue-url and aws.region: no such queue"
                        + " exists there.";
            case KMS_KEY:
                return "Check the KMS key that encrypts it: its key policy must let the job's"
                        + " role use it (kms:Decrypt, and kms:GenerateDataKey to write), and the"
                        + " key must be enabled.";
            case INSECURE_REQUEST:
                return "Call the service over HTTPS with Signature Version 4 (check the endpoint"
                        + " override, aws.endpoint, and any proxy in between), with valid AWS"
                        + " credentials (aws.credentials.provider).";
            case WRONG_REGION:
                return "Set aws.region to the bucket's region (or use a bucket in the job's"
                        + " region): S3 answered that the bucket is in another region.";
            default:
                return null;
        }
    }
}
