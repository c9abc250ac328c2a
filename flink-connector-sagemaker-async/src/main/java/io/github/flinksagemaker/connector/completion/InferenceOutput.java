package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Arrays;
import java.util.Objects;

/**
 * One result object the endpoint wrote to S3: where it is, whether it is an output or a failure,
 * its content (unless it was larger than the source's content limit, see {@link
 * #isContentIncluded()} and {@link io.github.flinksagemaker.connector.watch.ResultContentReader},
 * or could not be read, see {@link #readError()}) and its S3 metadata.
 */
@PublicEvolving
public final class InferenceOutput {
    private final String location;
    private final ResultStatus status;
    private final byte[] content;
    private final String contentType;
    private final long lastModifiedMillis;
    private final long size;
    private final String etag;
    private final String readError;

    public InferenceOutput(
            String location,
            ResultStatus status,
            byte[] content,
            String contentType,
            long lastModifiedMillis,
            long size,
            String etag) {
        this(location, status, content, contentType, lastModifiedMillis, size, etag, null);
    }

    private InferenceOutput(
            String location,
            ResultStatus status,
            byte[] content,
            String contentType,
            long lastModifiedMillis,
            long size,
            String etag,
            String readError) {
        this.location = Objects.requireNonNull(location, "location");
        this.status = Objects.requireNonNull(status, "status").canonical();
        this.content = content;
        this.contentType = contentType;
        this.lastModifiedMillis = lastModifiedMillis;
        this.size = size;
        this.etag = etag;
        this.readError = readError;
    }

    /**
     * An object that exists but could not be read (access denied by a bucket policy or a KMS key,
     * an archived object, ...): no content, and the error that says why.
     */
    public static InferenceOutput unreadable(
            String location,
            ResultStatus status,
            long lastModifiedMillis,
            long size,
            String etag,
            String readError) {
        return new InferenceOutput(
                location,
                status,
                null,
                null,
                lastModifiedMillis,
                size,
                etag,
                Objects.requireNonNull(readError, "readError"));
    }

    /** This object with another status, e.g. the one its claim expects. */
    public InferenceOutput withStatus(ResultStatus newStatus) {
        return newStatus == status
                ? this
                : new InferenceOutput(
                        location,
                        newStatus,
                        content,
                        contentType,
                        lastModifiedMillis,
                        size,
                        etag,
                        readError);
    }

    /**
     * This object at another location, e.g. a notification's output placed where its inference
     * expects it when the message did not say.
     */
    public InferenceOutput withLocation(String newLocation) {
        return new InferenceOutput(
                newLocation,
                status,
                content,
                contentType,
                lastModifiedMillis,
                size,
                etag,
                readError);
    }

    /** The object's s3:// URI, as the service returned it as OutputLocation or FailureLocation. */
    public String location() {
        return location;
    }

    public ResultStatus status() {
        return status;
    }

    /**
     * Whether {@link #content()} holds the bytes; false for objects over the content limit and for
     * unreadable ones.
     */
    public boolean isContentIncluded() {
        return content != null;
    }

    /** The object's bytes (not copied), or null when not included. */
    public byte[] content() {
        return content;
    }

    /** The object's content type, or null when S3 has none or the content was not read. */
    public String contentType() {
        return contentType;
    }

    public long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    public long size() {
        return size;
    }

    public String etag() {
        return etag;
    }

    /** Why the object could not be read, or null when it was read (or not read by choice). */
    public String readError() {
        return readError;
    }

    public boolean isReadable() {
        return readError == null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InferenceOutput)) {
            return false;
        }
        InferenceOutput that = (InferenceOutput) o;
        return lastModifiedMillis == that.lastModifiedMillis
                && size == that.size
                && location.equals(that.location)
                && status == that.status
                && Arrays.equals(content, that.content)
                && Objects.equals(contentType, that.contentType)
                && Objects.equals(etag, that.etag)
                && Objects.equals(readError, that.readError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, status, lastModifiedMillis, size, etag);
    }

    /** Leaves the content out: it is model output that must not reach logs. */
    @Override
    public String toString() {
        return "InferenceOutput{"
                + status
                + ' '
                + location
                + ", size="
                + size
                + ", contentIncluded="
                + isContentIncluded()
                + ", lastModified="
                + lastModifiedMillis
                + (readError != null ? ", readError=" + readError : "")
                + '}';
    }
}
