package io.github.flinksagemaker.connector.watch;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Arrays;
import java.util.Objects;

/**
 * One result object the endpoint wrote to S3: where it is, whether it is an output or a failure,
 * its content (unless it was larger than the source's content limit, see {@link
 * #isContentIncluded()} and {@link ResultContentReader}) and its S3 metadata.
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

    public InferenceOutput(
            String location,
            ResultStatus status,
            byte[] content,
            String contentType,
            long lastModifiedMillis,
            long size,
            String etag) {
        this.location = Objects.requireNonNull(location, "location");
        this.status = Objects.requireNonNull(status, "status");
        this.content = content;
        this.contentType = contentType;
        this.lastModifiedMillis = lastModifiedMillis;
        this.size = size;
        this.etag = etag;
    }

    /** The object's s3:// URI, as the service returned it as OutputLocation or FailureLocation. */
    public String location() {
        return location;
    }

    public ResultStatus status() {
        return status;
    }

    /** Whether {@link #content()} holds the bytes; false for objects over the content limit. */
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
                && Objects.equals(etag, that.etag);
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
                + '}';
    }
}
