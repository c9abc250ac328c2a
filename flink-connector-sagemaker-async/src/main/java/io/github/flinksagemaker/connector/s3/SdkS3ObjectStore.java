package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** {@link S3ObjectStore} over the SDK's {@link S3AsyncClient}. */
@Internal
public final class SdkS3ObjectStore implements S3ObjectStore {
    private static final Logger LOG = LoggerFactory.getLogger(SdkS3ObjectStore.class);

    /** Set once the store answered a batch delete 501: then keys are deleted one by one. */
    private volatile boolean batchDeleteNotImplemented;

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
            S3Location location, byte[] bytes, String contentType, Duration timeout) {
        PutObjectRequest.Builder request =
                PutObjectRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .contentLength((long) bytes.length)
                        .overrideConfiguration(o -> o.apiCallTimeout(timeout));
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
    public CompletableFuture<Integer> listObjects(
            S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer) {
        AtomicInteger pages = new AtomicInteger();
        return client.listObjectsV2Paginator(
                        r ->
                                r.bucket(prefix.bucket())
                                        .prefix(prefix.key())
                                        .delimiter(directChildrenOnly ? "/" : null))
                .subscribe(
                        page -> {
                            pages.incrementAndGet();
                            page.contents().forEach(object -> consumer.accept(summary(object)));
                        })
                .thenApply(done -> pages.get());
    }

    @Override
    public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
        // The exact key sorts first among the keys it prefixes, so one key answers.
        return client.listObjectsV2(
                        r -> r.bucket(location.bucket()).prefix(location.key()).maxKeys(1))
                .thenApply(
                        page ->
                                page.contents().stream()
                                        .filter(object -> object.key().equals(location.key()))
                                        .findFirst()
                                        .map(SdkS3ObjectStore::summary)
                                        .orElse(null));
    }

    private static S3ObjectSummary summary(S3Object object) {
        return new S3ObjectSummary(
                object.key(), object.size(), object.lastModified().toEpochMilli(), object.eTag());
    }

    @Override
    public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
        return client.getObject(
                        r -> r.bucket(location.bucket()).key(location.key()),
                        AsyncResponseTransformer.toBytes())
                .handle(
                        (response, error) ->
                                error == null
                                        ? new S3ObjectContent(
                                                response.asByteArrayUnsafe(),
                                                response.response().contentType())
                                        : nullIfNoSuchKey(error));
    }

    /** Looks at Content-Length before buffering: an object over the limit is never read. */
    @Override
    public CompletableFuture<S3ObjectContent> getObject(
            S3Location location, long maxBytes, Duration timeout) {
        return client.getObject(
                        r ->
                                r.bucket(location.bucket())
                                        .key(location.key())
                                        .overrideConfiguration(o -> o.apiCallTimeout(timeout)),
                        new BoundedContentTransformer(maxBytes))
                .handle((content, error) -> error == null ? content : nullIfNoSuchKey(error));
    }

    /** A missing object reads as null; any other error fails the read. */
    private static S3ObjectContent nullIfNoSuchKey(Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (cause instanceof NoSuchKeyException) {
            return null;
        }
        throw new CompletionException(cause);
    }

    @Override
    public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (batchDeleteNotImplemented) {
            return deleteOneByOne(bucket, keys);
        }
        List<ObjectIdentifier> objects =
                keys.stream().map(key -> ObjectIdentifier.builder().key(key).build()).toList();
        return client.deleteObjects(
                        r ->
                                r.bucket(bucket)
                                        .delete(
                                                Delete.builder()
                                                        .objects(objects)
                                                        .quiet(true)
                                                        .build()))
                .thenApply(response -> response.errors().stream().map(S3Error::key).toList())
                .exceptionallyCompose(
                        error -> {
                            if (!isNotImplemented(error)) {
                                return CompletableFuture.failedFuture(error);
                            }
                            batchDeleteNotImplemented = true;
                            LOG.warn(
                                    "The S3 store answered DeleteObjects 501 NotImplemented"
                                            + " (stores without S3's flexible checksums, such as"
                                            + " s3proxy): deleting one object per request from"
                                            + " now on");
                            return deleteOneByOne(bucket, keys);
                        });
    }

    /** DeleteObject per key: the keys it could not delete. */
    private CompletableFuture<List<String>> deleteOneByOne(String bucket, List<String> keys) {
        List<CompletableFuture<String>> deletes =
                keys.stream()
                        .map(
                                key ->
                                        client.deleteObject(r -> r.bucket(bucket).key(key))
                                                .handle((ok, error) -> error == null ? null : key))
                        .toList();
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
                .thenApply(
                        done ->
                                deletes.stream()
                                        .map(CompletableFuture::join)
                                        .filter(Objects::nonNull)
                                        .toList());
    }

    private static boolean isNotImplemented(Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        return cause instanceof AwsServiceException
                && ((AwsServiceException) cause).statusCode() == 501;
    }

    @Override
    public void close() {
        client.close();
    }
}
