package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A hand-written in-memory {@link S3ObjectStore} with S3's listing order and page size, counting
 * requests, for unit tests of the watch source. Last-modified times are set by the test.
 */
public final class InMemoryObjectStore implements S3ObjectStore {
    private static final int PAGE_SIZE = 1000;

    private record Stored(byte[] bytes, String contentType, long lastModifiedMillis) {}

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    public final AtomicInteger listRequests = new AtomicInteger();
    public final AtomicInteger getRequests = new AtomicInteger();
    public final AtomicInteger deletedObjects = new AtomicInteger();

    public void put(S3Location location, String content, long lastModifiedMillis) {
        objects.put(
                location.toString(),
                new Stored(
                        content.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "text/plain",
                        lastModifiedMillis));
    }

    public boolean contains(S3Location location) {
        return objects.containsKey(location.toString());
    }

    @Override
    public CompletableFuture<Void> putObject(
            S3Location location, byte[] bytes, String contentType) {
        objects.put(
                location.toString(), new Stored(bytes, contentType, System.currentTimeMillis()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Integer> listObjects(
            S3Location prefix, Consumer<S3ObjectSummary> consumer) {
        String from = prefix.toString();
        int count = 0;
        for (Map.Entry<String, Stored> entry : objects.tailMap(from).entrySet()) {
            if (!entry.getKey().startsWith(from)) {
                break;
            }
            if (count % PAGE_SIZE == 0) {
                listRequests.incrementAndGet();
            }
            count++;
            String key = entry.getKey().substring(("s3://" + prefix.bucket() + "/").length());
            Stored stored = entry.getValue();
            consumer.accept(
                    new S3ObjectSummary(
                            key, stored.bytes().length, stored.lastModifiedMillis(), "\"etag\""));
        }
        if (count == 0) {
            listRequests.incrementAndGet();
        }
        return CompletableFuture.completedFuture(
                (count + PAGE_SIZE - 1) / PAGE_SIZE + (count == 0 ? 1 : 0));
    }

    @Override
    public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
        getRequests.incrementAndGet();
        Stored stored = objects.get(location.toString());
        return CompletableFuture.completedFuture(
                stored == null ? null : new S3ObjectContent(stored.bytes(), stored.contentType()));
    }

    @Override
    public CompletableFuture<Void> deleteObjects(String bucket, List<String> keys) {
        keys.forEach(
                key -> {
                    if (objects.remove("s3://" + bucket + "/" + key) != null) {
                        deletedObjects.incrementAndGet();
                    }
                });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
