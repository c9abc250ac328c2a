package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the join's operators count when an S3 call completes is counted on the SDK's threads, many
 * calls at once: nothing may be lost. Each test starts its calls on the test thread, as the task
 * would, then completes them all from several threads released together.
 */
class CountedOnSdkThreadsTest {
    private static final int CALLS = Concurrently.THREADS * 10_000;

    @Test
    void deletesCompletingOnManyThreadsAtOnceAreAllCounted() throws Exception {
        DeferredStore store = new DeferredStore();
        RecordingMetricGroup group = new RecordingMetricGroup();
        CheckpointedDeleter deleter = ResultCleanup.deleter(store, runtimeContext(group));
        for (int i = 0; i < CALLS; i++) {
            // One bucket each: one DeleteObjects request, and so one completion, per object.
            deleter.add(new S3Location("bucket-" + i, "in/a"));
        }
        deleter.snapshot(1);
        deleter.checkpointComplete(1);
        assertThat(store.deletes).hasSize(CALLS);

        completeConcurrently(store.deletes, List.of());

        assertThat(group.count("sagemakerAsync.objectsDeleted")).isEqualTo(CALLS);
    }

    @Test
    void resultsFoundAtTheDeadlineOnManyThreadsAtOnceAreAllCounted() throws Exception {
        DeferredStore store = new DeferredStore();
        RecordingMetricGroup group = new RecordingMetricGroup();
        ResultLocationCheck<String> check =
                new ResultLocationCheck<>(WatchConfig.from(watchConfig()), config -> store);
        check.setRuntimeContext(runtimeContext(group));
        check.open(DefaultOpenContext.INSTANCE);
        CountingResults results = new CountingResults();
        for (int i = 0; i < CALLS; i++) {
            check.asyncInvoke(pending("id-" + i), results);
        }
        assertThat(store.finds).hasSize(CALLS);

        completeConcurrently(store.finds, new S3ObjectSummary("out/a.out", 2, 5_000L, "etag"));

        assertThat(results.failures).isEmpty();
        assertThat(results.completed).hasValue(CALLS);
        assertThat(group.count("sagemakerAsync.resultsFoundAtDeadline")).isEqualTo(CALLS);
    }

    /** Completes the futures from {@link Concurrently#THREADS} threads at once, in turns. */
    private static <T> void completeConcurrently(List<CompletableFuture<T>> futures, T value)
            throws InterruptedException {
        Concurrently.run(
                Concurrently.THREADS,
                thread -> {
                    for (int i = thread; i < futures.size(); i += Concurrently.THREADS) {
                        futures.get(i).complete(value);
                    }
                });
    }

    private static Configuration watchConfig() {
        Configuration config = new Configuration();
        config.set(AwsConfigOptions.AWS_REGION, "us-east-1");
        config.set(WatchOptions.OUTPUT_PATH, "s3://b/out");
        config.set(WatchOptions.FAILURE_PATH, "s3://b/failed");
        return config;
    }

    private static PendingInference<String> pending(String id) {
        return PendingInference.accepted(
                id,
                "s3://b/out/" + id + ".out",
                null,
                SubmitPath.INLINE,
                10,
                1_000L,
                60_000L,
                null,
                "element");
    }

    /** A runtime context that only has the metric group: all these counters need. */
    private static RuntimeContext runtimeContext(OperatorMetricGroup group) {
        return (RuntimeContext)
                Proxy.newProxyInstance(
                        RuntimeContext.class.getClassLoader(),
                        new Class<?>[] {RuntimeContext.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("getMetricGroup")) {
                                return group;
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
    }

    /** Counts the results completed; keeps failures to show. */
    private static final class CountingResults implements ResultFuture<InferenceResult<String>> {
        final AtomicLong completed = new AtomicLong();
        final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

        @Override
        public void complete(Collection<InferenceResult<String>> results) {
            completed.addAndGet(results.size());
        }

        @Override
        public void complete(CollectionSupplier<InferenceResult<String>> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                failures.add(e);
            }
        }

        @Override
        public void completeExceptionally(Throwable error) {
            failures.add(error);
        }
    }

    /**
     * Lookups and deletes complete only when the test completes them; a found object reads at once.
     */
    private static final class DeferredStore implements S3ObjectStore {
        final List<CompletableFuture<S3ObjectSummary>> finds = new ArrayList<>();
        final List<CompletableFuture<List<String>>> deletes = new ArrayList<>();

        @Override
        public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
            CompletableFuture<S3ObjectSummary> find = new CompletableFuture<>();
            finds.add(find);
            return find;
        }

        @Override
        public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
            return CompletableFuture.completedFuture(
                    new S3ObjectContent("ok".getBytes(StandardCharsets.UTF_8), "text/plain"));
        }

        @Override
        public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
            CompletableFuture<List<String>> delete = new CompletableFuture<>();
            deletes.add(delete);
            return delete;
        }

        @Override
        public CompletableFuture<Void> putObject(
                S3Location location, byte[] bytes, String contentType, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Integer> listObjects(
                S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
