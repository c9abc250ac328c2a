package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connector testing framework's view of the watch source: each test case gets its own output
 * prefix in the in-process S3; a "split" of the framework is a writer whose every batch of records
 * becomes one result object, one record per line.
 */
final class LocalS3SourceContext implements DataStreamSourceExternalContext<String> {
    private final LocalSageMakerAsync local;
    private final S3AsyncClient s3;
    private final String prefix = "it-" + UUID.randomUUID();
    private final AtomicInteger splits = new AtomicInteger();

    LocalS3SourceContext(LocalSageMakerAsync local) {
        this.local = local;
        this.s3 = LocalAwsConfig.s3Client(local);
    }

    @Override
    public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
        return SageMakerAsyncResultSource.builder()
                .setAll(LocalAwsConfig.of(local))
                .outputPath("s3://" + local.bucket() + "/" + prefix)
                .discoveryInterval(Duration.ofMillis(200))
                .bounded(settings.getBoundedness() == Boundedness.BOUNDED)
                .deserializer(new LinesDeserializer())
                .build();
    }

    @Override
    public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
            TestingSourceSettings settings) {
        int split = splits.getAndIncrement();
        AtomicInteger batches = new AtomicInteger();
        return new ExternalSystemSplitDataWriter<>() {
            @Override
            public void writeRecords(List<String> records) {
                String key =
                        String.format(
                                "%s/split-%03d/%06d.out", prefix, split, batches.getAndIncrement());
                s3.putObject(
                                r -> r.bucket(local.bucket()).key(key),
                                AsyncRequestBody.fromString(String.join("\n", records)))
                        .join();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public List<String> generateTestData(
            TestingSourceSettings settings, int splitIndex, long seed) {
        Random random = new Random(seed);
        int count = 10 + random.nextInt(90);
        List<String> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add("split-" + splitIndex + "-record-" + i + "-" + random.nextInt(1_000_000));
        }
        return records;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return Collections.emptyList();
    }

    @Override
    public void close() {
        s3.close();
    }
}
