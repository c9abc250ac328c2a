package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/** Creates the S3 clients of the watch source; tests plug in fakes. */
@Internal
public interface WatchClientFactory extends Serializable {

    S3ObjectStore s3(WatchConfig config);

    /** The SDK's Netty-based S3 client, with connections for the fetch concurrency. */
    WatchClientFactory SDK =
            config ->
                    new SdkS3ObjectStore(
                            AwsClients.s3(
                                    config.configuration(),
                                    Math.max(8, config.fetchConcurrency()),
                                    override -> {}),
                            null,
                            null);
}
