package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

/** An object's bytes and content type (null when S3 has none). */
@Internal
public record S3ObjectContent(byte[] bytes, String contentType) {}
