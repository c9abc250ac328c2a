package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The S3 operations the connector needs, behind an interface so that operators talk to it and tests
 * can plug in a hand-written fake. {@link SdkS3ObjectStore} is the real one.
 */
@Internal
public interface S3ObjectStore extends AutoCloseable {

    /**
     * Writes (or overwrites) an object; completes exceptionally when the upload fails, retries
     * included, within {@code timeout}.
     */
    CompletableFuture<Void> putObject(
            S3Location location, byte[] bytes, String contentType, Duration timeout);

    /**
     * Lists the objects under a prefix, page by page, handing each to {@code consumer} on the
     * calling future's thread, in key order: every object below it, or with {@code
     * directChildrenOnly} only those whose key has no further '/' after the prefix.
     *
     * @return the number of LIST requests made
     */
    CompletableFuture<Integer> listObjects(
            S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer);

    /**
     * Looks up one object by listing its exact key (one LIST request): completes with its summary,
     * or null when no object is there. Unlike a GET, this answers "absent" also when the caller may
     * list but S3 would hide a missing key behind a 403.
     */
    CompletableFuture<S3ObjectSummary> findObject(S3Location location);

    /** Reads an object; completes with null when no object exists there. */
    CompletableFuture<S3ObjectContent> getObject(S3Location location);

    /**
     * Reads an object of at most {@code maxBytes}, giving up (retries included) after {@code
     * timeout}; a larger one completes {@linkplain S3ObjectContent#isOverLimit() over the limit}
     * with its size, and is not buffered by implementations that can tell its size first. Completes
     * with null when no object exists.
     */
    default CompletableFuture<S3ObjectContent> getObject(
            S3Location location, long maxBytes, Duration timeout) {
        return getObject(location)
                .thenApply(
                        content ->
                                content == null || content.size() <= maxBytes
                                        ? content
                                        : S3ObjectContent.overLimit(
                                                content.size(), content.contentType()));
    }

    /**
     * Deletes objects of one bucket (at most 1000 keys, one request); missing keys are fine.
     *
     * @return the keys S3 reported it could not delete (quiet mode lists only those)
     */
    CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys);

    @Override
    void close();
}
