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
 * billed as, and applying the injected {@link S3Faults}. s3proxy calls exactly one of these methods
 * per S3 request; the conformance tests check that one SDK call counts once.
 */
public final class CountingBlobStore extends ForwardingBlobStore {
    private final Consumer<S3Operation> counter;
    private final S3Faults faults;

    public CountingBlobStore(BlobStore delegate, Consumer<S3Operation> counter, S3Faults faults) {
        super(delegate);
        this.counter = counter;
        this.faults = faults;
    }

    private void request(S3Operation operation, String container, String key) {
        counter.accept(operation);
        faults.check(operation, container, key);
    }

    /** A request that carries an object's bytes, which can break off on the way. */
    private void upload(String container, String key) {
        request(S3Operation.PUT, container, key);
        faults.checkUpload(container, key);
    }

    @Override
    public String putBlob(String container, Blob blob) {
        upload(container, blob.getMetadata().getName());
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        upload(container, blob.getMetadata().getName());
        return super.putBlob(container, blob, options);
    }

    @Override
    public String copyBlob(
            String fromContainer,
            String fromName,
            String toContainer,
            String toName,
            CopyOptions options) {
        request(S3Operation.PUT, toContainer, toName);
        return super.copyBlob(fromContainer, fromName, toContainer, toName, options);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(
            String container, BlobMetadata blobMetadata, PutOptions options) {
        request(S3Operation.PUT, container, blobMetadata.getName());
        return super.initiateMultipartUpload(container, blobMetadata, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
        upload(mpu.containerName(), mpu.blobName());
        return super.uploadMultipartPart(mpu, partNumber, payload);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        request(S3Operation.PUT, mpu.containerName(), mpu.blobName());
        return super.completeMultipartUpload(mpu, parts);
    }

    @Override
    public Blob getBlob(String container, String name) {
        request(S3Operation.GET, container, name);
        return super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        request(S3Operation.GET, container, name);
        return super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        request(S3Operation.HEAD, container, name);
        return super.blobMetadata(container, name);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container) {
        request(S3Operation.LIST, container, "");
        return super.list(container);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        request(S3Operation.LIST, container, listPrefix(options));
        return super.list(container, options);
    }

    @Override
    public void removeBlob(String container, String name) {
        request(S3Operation.DELETE, container, name);
        super.removeBlob(container, name);
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        counter.accept(S3Operation.DELETE);
        for (String name : names) {
            faults.check(S3Operation.DELETE, container, name);
        }
        super.removeBlobs(container, names);
    }

    private static String listPrefix(ListContainerOptions options) {
        if (options.getPrefix() != null) {
            return options.getPrefix();
        }
        return options.getDir() != null ? options.getDir() : "";
    }
}
