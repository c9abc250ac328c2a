package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.util.concurrent.CompletableFuture;

/** {@link S3ObjectStore} over the SDK's {@link S3AsyncClient}. */
@Internal
public final class SdkS3ObjectStore implements S3ObjectStore {
    private final S3AsyncClient client;
    private final ServerSideEncryption encryption;
    private final String kmsKeyId;

    /**
     * @param encryption server-side encryption for uploads, or null for the bucket's default
     * @param kmsKeyId the KMS key for {@code aws:kms}, or null for the AWS managed key
     */
    public SdkS3ObjectStore(
            S3AsyncClient client, ServerSideEncryption encryption, String kmsKeyId) {
        this.client = client;
        this.encryption = encryption;
        this.kmsKeyId = kmsKeyId;
    }

    @Override
    public CompletableFuture<Void> putObject(
            S3Location location, byte[] bytes, String contentType) {
        PutObjectRequest.Builder request =
                PutObjectRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .contentLength((long) bytes.length);
        if (contentType != null) {
            request.contentType(contentType);
        }
        if (encryption != null) {
            request.serverSideEncryption(encryption);
            if (kmsKeyId != null) {
                request.ssekmsKeyId(kmsKeyId);
            }
        }
        // fromBytesUnsafe wraps the array: the payload is not copied again (~88 KB/request
        // already).
        return client.putObject(request.build(), AsyncRequestBody.fromBytesUnsafe(bytes))
                .thenApply(response -> null);
    }

    @Override
    public void close() {
        client.close();
    }
}
