package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The S3 operations the connector needs, behind an interface so that operators talk to it and tests
 * can plug in a hand-written fake. {@link SdkS3ObjectStore} is the real one.
 */
@Internal
public interface S3ObjectStore extends AutoCloseable {

    /** Writes (or overwrites) an object; completes exceptionally when the upload fails. */
    CompletableFuture<Void> putObject(S3Location location, byte[] bytes, String contentType);

    /**
     * Lists every object under a prefix, page by page, handing each to {@code consumer} on the
     * calling future's thread, in key order.
     *
     * @return the number of LIST requests made
     */
    CompletableFuture<Integer> listObjects(S3Location prefix, Consumer<S3ObjectSummary> consumer);

    /** Reads an object; completes with null when no object exists there. */
    CompletableFuture<S3ObjectContent> getObject(S3Location location);

    /** Deletes objects of one bucket (at most 1000 keys, one request); missing keys are fine. */
    CompletableFuture<Void> deleteObjects(String bucket, List<String> keys);

    @Override
    void close();
}
