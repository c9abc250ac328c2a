package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.CompletableFuture;

/**
 * The S3 operations the connector needs, behind an interface so that operators talk to it and tests
 * can plug in a hand-written fake. {@link SdkS3ObjectStore} is the real one.
 */
@Internal
public interface S3ObjectStore extends AutoCloseable {

    /** Writes (or overwrites) an object; completes exceptionally when the upload fails. */
    CompletableFuture<Void> putObject(S3Location location, byte[] bytes, String contentType);

    @Override
    void close();
}
