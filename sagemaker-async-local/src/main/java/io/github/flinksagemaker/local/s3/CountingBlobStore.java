package io.github.flinksagemaker.local.s3;

import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;

import java.util.List;
import java.util.function.Consumer;

/**
 * The blob store s3proxy serves, counting each client request by the S3 operation class it is
 * billed as. s3proxy calls exactly one of these methods per S3 request; the conformance tests check
 * that one SDK call counts once.
 */
public final class CountingBlobStore extends ForwardingBlobStore {
    private final Consumer<S3Operation> counter;

    public CountingBlobStore(BlobStore delegate, Consumer<S3Operation> counter) {
        super(delegate);
        this.counter = counter;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        counter.accept(S3Operation.PUT);
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        counter.accept(S3Operation.PUT);
        return super.putBlob(container, blob, options);
    }

    @Override
    public String copyBlob(
            String fromContainer,
            String fromName,
            String toContainer,
            String toName,
            CopyOptions options) {
        counter.accept(S3Operation.PUT);
        return super.copyBlob(fromContainer, fromName, toContainer, toName, options);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(
            String container, BlobMetadata blobMetadata, PutOptions options) {
        counter.accept(S3Operation.PUT);
        return super.initiateMultipartUpload(container, blobMetadata, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
        counter.accept(S3Operation.PUT);
        return super.uploadMultipartPart(mpu, partNumber, payload);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        counter.accept(S3Operation.PUT);
        return super.completeMultipartUpload(mpu, parts);
    }

    @Override
    public Blob getBlob(String container, String name) {
        counter.accept(S3Operation.GET);
        return super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        counter.accept(S3Operation.GET);
        return super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        counter.accept(S3Operation.HEAD);
        return super.blobMetadata(container, name);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container) {
        counter.accept(S3Operation.LIST);
        return super.list(container);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        counter.accept(S3Operation.LIST);
        return super.list(container, options);
    }

    @Override
    public void removeBlob(String container, String name) {
        counter.accept(S3Operation.DELETE);
        super.removeBlob(container, name);
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        counter.accept(S3Operation.DELETE);
        super.removeBlobs(container, names);
    }
}
