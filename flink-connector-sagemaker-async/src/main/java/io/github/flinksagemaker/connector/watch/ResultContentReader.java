package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the content of result objects that the source emitted by location only (over {@code
 * sagemaker.watch.max-content-bytes}). Create one per subtask, e.g. in a function's {@code open},
 * from the same {@code aws.*} options as the source, and close it in {@code close}.
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

    /** The object's bytes, read asynchronously. */
    public CompletableFuture<byte[]> readAsync(InferenceOutput output) {
        if (output.isContentIncluded()) {
            return CompletableFuture.completedFuture(output.content());
        }
        S3Location location = S3Location.parse(output.location(), "InferenceOutput location");
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
        try {
            return readAsync(output).join();
        } catch (RuntimeException e) {
            throw new IOException("Cannot read " + output.location(), e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
