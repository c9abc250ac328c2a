package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A hand-written in-memory {@link S3ObjectStore} with S3's listing order and page size, counting
 * requests, for unit tests of the watch source and the re-join. Last-modified times are set by the
 * test; reads and exact-key lookups of chosen objects can be made to fail, and deletes of chosen
 * keys to be refused as S3's quiet DeleteObjects reports them.
 */
public final class InMemoryObjectStore implements S3ObjectStore {
    private static final int PAGE_SIZE = 1000;

    private record Stored(byte[] bytes, String contentType, long lastModifiedMillis) {}

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final Map<String, RuntimeException> failingReads = new ConcurrentHashMap<>();
    private final Map<String, RuntimeException> failingFinds = new ConcurrentHashMap<>();
    private volatile RuntimeException failingAllReads;
    private final Set<String> undeletable = ConcurrentHashMap.newKeySet();
    public final AtomicInteger listRequests = new AtomicInteger();
    public final AtomicInteger findRequests = new AtomicInteger();
    public final AtomicInteger getRequests = new AtomicInteger();
    public final AtomicInteger deletedObjects = new AtomicInteger();

    /** Delete requests not yet answered when the store was closed; -1 while open. */
    public final AtomicInteger deletesUnansweredAtClose = new AtomicInteger(-1);

    private final AtomicInteger deletesInFlight = new AtomicInteger();
    private volatile long deleteDelayMillis;

    public void put(S3Location location, String content, long lastModifiedMillis) {
        objects.put(
                location.toString(),
                new Stored(
                        content.getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        lastModifiedMillis));
    }

    public boolean contains(S3Location location) {
        return objects.containsKey(location.toString());
    }

    /** Every read fails with {@code error}, whatever the location; null lets reads work again. */
    public void failAllReads(RuntimeException error) {
        failingAllReads = error;
    }

    /** Every read of {@code location} fails with {@code error}; null lets reads work again. */
    public void failReads(S3Location location, RuntimeException error) {
        if (error == null) {
            failingReads.remove(location.toString());
        } else {
            failingReads.put(location.toString(), error);
        }
    }

    /** Every lookup of {@code location} fails with {@code error}; null lets lookups work again. */
    public void failFinds(S3Location location, RuntimeException error) {
        if (error == null) {
            failingFinds.remove(location.toString());
        } else {
            failingFinds.put(location.toString(), error);
        }
    }

    /** Deleting {@code location} is refused (reported back as a failed key). */
    public void refuseDelete(S3Location location) {
        undeletable.add(location.toString());
    }

    @Override
    public CompletableFuture<Void> putObject(
            S3Location location, byte[] bytes, String contentType, Duration timeout) {
        objects.put(
                location.toString(), new Stored(bytes, contentType, System.currentTimeMillis()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Integer> listObjects(
            S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer) {
        String from = prefix.toString();
        int count = 0;
        for (Map.Entry<String, Stored> entry : objects.tailMap(from).entrySet()) {
            if (!entry.getKey().startsWith(from)) {
                break;
            }
            if (directChildrenOnly && entry.getKey().indexOf('/', from.length()) >= 0) {
                continue;
            }
            if (count % PAGE_SIZE == 0) {
                listRequests.incrementAndGet();
            }
            count++;
            consumer.accept(summary(prefix.bucket(), entry.getKey(), entry.getValue()));
        }
        if (count == 0) {
            listRequests.incrementAndGet();
        }
        return CompletableFuture.completedFuture(
                (count + PAGE_SIZE - 1) / PAGE_SIZE + (count == 0 ? 1 : 0));
    }

    @Override
    public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
        findRequests.incrementAndGet();
        RuntimeException failure = failingFinds.get(location.toString());
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        Stored stored = objects.get(location.toString());
        return CompletableFuture.completedFuture(
                stored == null ? null : summary(location.bucket(), location.toString(), stored));
    }

    @Override
    public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
        getRequests.incrementAndGet();
        RuntimeException failure =
                failingAllReads != null ? failingAllReads : failingReads.get(location.toString());
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        Stored stored = objects.get(location.toString());
        return CompletableFuture.completedFuture(
                stored == null ? null : new S3ObjectContent(stored.bytes(), stored.contentType()));
    }

    /** Answers delete requests only after {@code millis}, on another thread. */
    public void delayDeletes(long millis) {
        this.deleteDelayMillis = millis;
    }

    @Override
    public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
        if (deleteDelayMillis > 0) {
            deletesInFlight.incrementAndGet();
            return CompletableFuture.supplyAsync(
                    () -> {
                        deletesInFlight.decrementAndGet();
                        return delete(bucket, keys);
                    },
                    CompletableFuture.delayedExecutor(deleteDelayMillis, TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.completedFuture(delete(bucket, keys));
    }

    private List<String> delete(String bucket, List<String> keys) {
        List<String> failed = new ArrayList<>();
        for (String key : keys) {
            String location = "s3://" + bucket + "/" + key;
            if (undeletable.contains(location)) {
                failed.add(key);
            } else if (objects.remove(location) != null) {
                deletedObjects.incrementAndGet();
            }
        }
        return failed;
    }

    @Override
    public void close() {
        deletesUnansweredAtClose.set(deletesInFlight.get());
    }

    private static S3ObjectSummary summary(String bucket, String location, Stored stored) {
        String key = location.substring(("s3://" + bucket + "/").length());
        return new S3ObjectSummary(
                key, stored.bytes().length, stored.lastModifiedMillis(), "\"etag\"");
    }
}
