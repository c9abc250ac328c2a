package io.github.flinksagemaker.connector.watch.split;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

import java.util.Objects;

/**
 * One result object to read: a split is finished once its object is emitted, so a checkpoint holds
 * only the objects assigned to a reader and not yet emitted.
 */
@Internal
public final class ResultObjectSplit implements SourceSplit {
    private final S3Location location;
    private final ResultStatus status;
    private final long size;
    private final long lastModifiedMillis;
    private final String etag;

    public ResultObjectSplit(
            S3Location location,
            ResultStatus status,
            long size,
            long lastModifiedMillis,
            String etag) {
        this.location = Objects.requireNonNull(location, "location");
        this.status = Objects.requireNonNull(status, "status").canonical();
        this.size = size;
        this.lastModifiedMillis = lastModifiedMillis;
        this.etag = etag;
    }

    /**
     * Unique per copy of an object: a rewritten key is discovered again while its first copy may
     * still be in a reader, and Flink keys a reader's splits by this ID.
     */
    @Override
    public String splitId() {
        return location + "#" + lastModifiedMillis + (etag == null ? "" : "#" + etag);
    }

    public S3Location location() {
        return location;
    }

    public ResultStatus status() {
        return status;
    }

    public long size() {
        return size;
    }

    public long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    /** The ETag from the listing, or null. */
    public String etag() {
        return etag;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ResultObjectSplit)) {
            return false;
        }
        ResultObjectSplit that = (ResultObjectSplit) o;
        return size == that.size
                && lastModifiedMillis == that.lastModifiedMillis
                && location.equals(that.location)
                && status == that.status
                && Objects.equals(etag, that.etag);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, status, size, lastModifiedMillis, etag);
    }

    @Override
    public String toString() {
        return "ResultObjectSplit{" + status + ' ' + location + ", size=" + size + '}';
    }
}
