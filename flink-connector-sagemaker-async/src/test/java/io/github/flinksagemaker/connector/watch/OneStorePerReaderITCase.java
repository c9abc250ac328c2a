package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void writeObjects() {
        Map<String, String> objects = new HashMap<>();
        for (int i = 0; i < OBJECTS; i++) {
            objects.put(String.format("many/%05d.out", i), "r" + i);
        }
        LOCAL.putObjects(objects);
    }

    @Test
    void readingTenThousandObjectsCreatesOneS3ClientPerReader() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        SageMakerAsyncResultSource<InferenceOutput> source =
                SageMakerAsyncResultSource.builder()
                        .setAll(LOCAL.awsConfig())
                        .outputPath("s3://" + LOCAL.bucket() + "/many")
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
