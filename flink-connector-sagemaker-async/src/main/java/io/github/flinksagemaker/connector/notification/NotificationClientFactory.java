package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/** Creates the SQS and S3 clients of the notification source; tests plug in fakes. */
@Internal
public interface NotificationClientFactory extends Serializable {

    SqsQueue queue(SqsCompletionConfig config);

    /** Reads outputs that notifications do not include. */
    S3ObjectStore s3(SqsCompletionConfig config);

    /** The SDK's Netty-based clients. */
    NotificationClientFactory SDK =
            new NotificationClientFactory() {
                private static final long serialVersionUID = 1L;

                @Override
                public SqsQueue queue(SqsCompletionConfig config) {
                    // A connection per receive in flight, and some for deletes, which must not
                    // wait behind 20 s long polls.
                    return new SdkSqsQueue(
                            AwsClients.sqs(config.configuration(), config.receiveConcurrency() + 4),
                            config.queueUrl());
                }

                @Override
                public S3ObjectStore s3(SqsCompletionConfig config) {
                    return new SdkS3ObjectStore(
                            AwsClients.s3(
                                    config.configuration(), SqsQueue.MAX_BATCH, override -> {}),
                            null,
                            null);
                }
            };
}
