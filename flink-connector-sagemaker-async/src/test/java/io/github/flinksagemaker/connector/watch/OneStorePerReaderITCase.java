package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading 10,000 objects, in many batches whose split readers come and go, creates one S3 client
 * for the enumerator and one per reader, for their whole life.
 */
class OneStorePerReaderITCase {
    private static final int OBJECTS = 10_000;
    private static final int PARALLELISM = 2;
    private static final AtomicInteger STORES = new AtomicInteger();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    private static LocalSageMakerAsync local;

    @BeforeAll
    static void start() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        try (S3AsyncClient s3 = LocalAwsConfig.s3Client(local)) {
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < OBJECTS; i++) {
                String key = String.format("many/%05d.out", i);
                puts.add(
                        s3.putObject(
                                r -> r.bucket(local.bucket()).key(key),
                                AsyncRequestBody.fromString("r" + i)));
                if (puts.size() == 64) {
                    CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
                    puts.clear();
                }
            }
            CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        local.close();
    }

    @Test
    void readingTenThousandObjectsCreatesOneS3ClientPerReader() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        SageMakerAsyncResultSource<InferenceOutput> source =
                SageMakerAsyncResultSource.builder()
                        .setAll(LocalAwsConfig.of(local))
                        .outputPrefix("s3://" + local.bucket() + "/many")
                        .bounded(true)
                        .set(WatchOptions.SPLITS_PER_REQUEST, 50)
                        .clientFactory(
                                config -> {
                                    STORES.incrementAndGet();
                                    return WatchClientFactory.SDK.s3(config);
                                })
                        .build();

        Set<String> locations = new HashSet<>();
        int records = 0;
        try (CloseableIterator<InferenceOutput> outputs =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "many")
                        .executeAndCollect()) {
            while (outputs.hasNext()) {
                locations.add(outputs.next().location());
                records++;
            }
        }

        assertThat(records).isEqualTo(OBJECTS);
        assertThat(locations).hasSize(OBJECTS);
        assertThat(STORES.get())
                .as("one for the enumerator, one per reader, over 200 batches")
                .isEqualTo(1 + PARALLELISM);
    }
}
