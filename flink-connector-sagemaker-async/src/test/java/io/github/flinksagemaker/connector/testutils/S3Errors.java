package io.github.flinksagemaker.connector.testutils;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** S3 errors as the SDK itself builds them, for tests of the error handling. */
public final class S3Errors {
    private S3Errors() {}

    /** An S3 error with this HTTP status and error code (none when null or empty). */
    public static S3Exception of(int status, String code) {
        AwsErrorDetails.Builder details = AwsErrorDetails.builder().errorMessage(code + " (test)");
        if (code != null && !code.isEmpty()) {
            details.errorCode(code);
        }
        return (S3Exception)
                S3Exception.builder().statusCode(status).awsErrorDetails(details.build()).build();
    }
}
