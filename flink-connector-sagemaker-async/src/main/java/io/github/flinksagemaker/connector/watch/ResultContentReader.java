package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the content of result objects that were emitted by location only (over {@code
 * sagemaker.watch.max-content-bytes}): from the watch source's {@link InferenceOutput}, or from an
 * s3:// location such as the one-call API's {@code InferenceResult.resultLocation()}. Create one
 * per subtask, e.g. in a function's {@code open}, from the same {@code aws.*} options as the job,
 * and close it in {@code close}.
 */
@PublicEvolving
public final class ResultContentReader implements AutoCloseable {
    private final S3ObjectStore store;

    private ResultContentReader(S3ObjectStore store) {
        this.store = store;
    }

    /** A reader using the {@code aws.*} options of {@code configuration}. */
    public static ResultContentReader create(Configuration configuration) {
        AwsClients.validate(configuration);
        return new ResultContentReader(
                new SdkS3ObjectStore(AwsClients.s3(configuration, 8, override -> {}), null, null));
    }

    /** A reader of {@code store}, which it closes when closed. */
    @VisibleForTesting
    static ResultContentReader using(S3ObjectStore store) {
        return new ResultContentReader(store);
    }

    /** The object's bytes, read asynchronously. */
    public CompletableFuture<byte[]> readAsync(InferenceOutput output) {
        if (output.isContentIncluded()) {
            return CompletableFuture.completedFuture(output.content());
        }
        return readAsync(S3Location.parse(output.location(), "InferenceOutput location"));
    }

    /**
     * The content of the object at {@code s3Uri} ({@code s3://bucket/key}), read asynchronously:
     * e.g. the {@code resultLocation()} of an {@code InferenceResult} whose content was not
     * included (a SUCCESS without output bytes, or a MODEL_ERROR over the content limit).
     *
     * @throws IllegalArgumentException if {@code s3Uri} is not an s3:// URI of an object
     */
    public CompletableFuture<byte[]> readAsync(String s3Uri) {
        return readAsync(S3Location.parse(s3Uri, "Result location"));
    }

    /** The content of the object at {@code s3Uri}; blocks, so prefer {@link #readAsync(String)}. */
    public byte[] read(String s3Uri) throws IOException {
        return join(readAsync(s3Uri), s3Uri);
    }

    private CompletableFuture<byte[]> readAsync(S3Location location) {
        return store.getObject(location)
                .thenApply(
                        content -> {
                            if (content == null) {
                                throw new IllegalStateException(
                                        "Result object " + location + " no longer exists");
                            }
                            return content.bytes();
                        });
    }

    /** The object's bytes; blocks, so prefer {@link #readAsync} in Flink functions. */
    public byte[] read(InferenceOutput output) throws IOException {
        return join(readAsync(output), output.location());
    }

    private static byte[] join(CompletableFuture<byte[]> read, String location) throws IOException {
        try {
            return read.join();
        } catch (RuntimeException e) {
            throw new IOException("Cannot read " + location, e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
