package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

/**
 * An object's bytes, content type (null when S3 has none) and size. {@code bytes} is null for an
 * object read with a limit it exceeds: only its size and type are known then.
 */
@Internal
public record S3ObjectContent(byte[] bytes, String contentType, long size) {

    public S3ObjectContent(byte[] bytes, String contentType) {
        this(bytes, contentType, bytes.length);
    }

    /** An object larger than the limit it was read with: not read. */
    public static S3ObjectContent overLimit(long size, String contentType) {
        return new S3ObjectContent(null, contentType, size);
    }

    public boolean isOverLimit() {
        return bytes == null;
    }
}
