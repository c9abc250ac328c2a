package io.github.flinksagemaker.local.s3;

import java.net.URI;
import java.util.Objects;

/** A bucket and key (the key may be empty or a prefix), as in {@code s3://bucket/key}. */
public final class S3Uri {
    private final String bucket;
    private final String key;

    public S3Uri(String bucket, String key) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Parses {@code s3://bucket/key}, rejecting anything else with a message naming {@code what}.
     */
    public static S3Uri parse(String uri, String what) {
        Objects.requireNonNull(uri, what);
        if (!uri.startsWith("s3://")) {
            throw new IllegalArgumentException(
                    what + " must be an s3://bucket/key URI, got " + uri);
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException(what + " has no bucket: " + uri);
        }
        return new S3Uri(bucket, key);
    }

    /**
     * Parses an InputLocation: {@code s3://bucket/key}, or an {@code https} URL in virtual-hosted
     * style ({@code https://bucket.s3.region.amazonaws.com/key}) or path style ({@code
     * https://host/bucket/key}).
     */
    public static S3Uri parseLocation(String location) {
        if (location.startsWith("s3://")) {
            return parse(location, "InputLocation");
        }
        URI uri = URI.create(location);
        String host = uri.getHost() == null ? "" : uri.getHost();
        String path = uri.getPath() == null ? "" : uri.getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        int s3Label = host.indexOf(".s3.");
        if (s3Label < 0) {
            s3Label = host.indexOf(".s3-");
        }
        if (s3Label > 0) {
            return new S3Uri(host.substring(0, s3Label), path);
        }
        int slash = path.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException(
                    "InputLocation names no bucket and key: " + location);
        }
        return new S3Uri(path.substring(0, slash), path.substring(slash + 1));
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    /** This path with {@code segment} appended after a single slash. */
    public S3Uri resolve(String segment) {
        String trimmedKey = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        String trimmedSegment = segment.startsWith("/") ? segment.substring(1) : segment;
        return new S3Uri(
                bucket, trimmedKey.isEmpty() ? trimmedSegment : trimmedKey + "/" + trimmedSegment);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof S3Uri
                && bucket.equals(((S3Uri) o).bucket)
                && key.equals(((S3Uri) o).key);
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
