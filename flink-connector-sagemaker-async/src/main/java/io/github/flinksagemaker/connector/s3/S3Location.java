package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.Objects;

/** A bucket and a key (or key prefix), written {@code s3://bucket/key}. */
@PublicEvolving
public final class S3Location implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bucket;
    private final String key;

    public S3Location(String bucket, String key) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Parses {@code s3://bucket/key}; {@code what} names the option or field in the error.
     *
     * @throws IllegalArgumentException if the text is not an s3:// URI with a bucket
     */
    public static S3Location parse(String uri, String what) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException(
                    what + " must be an s3://bucket/key URI, got '" + uri + "'");
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException(what + " names no bucket: '" + uri + "'");
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    /** This location as a prefix with {@code child} appended after exactly one slash. */
    public S3Location child(String child) {
        String parent = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        String name = child.startsWith("/") ? child.substring(1) : child;
        return new S3Location(bucket, parent.isEmpty() ? name : parent + "/" + name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof S3Location
                && bucket.equals(((S3Location) o).bucket)
                && key.equals(((S3Location) o).key);
    }

    @Override
    public int hashCode() {
        return 31 * bucket.hashCode() + key.hashCode();
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
