package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

/** One entry of a listing: key, size, last-modified time and ETag. */
@Internal
public record S3ObjectSummary(String key, long size, long lastModifiedMillis, String etag) {}
