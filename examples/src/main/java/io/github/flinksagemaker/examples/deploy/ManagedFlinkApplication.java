package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.examples.EmbeddedEndpoint;
import io.github.flinksagemaker.examples.ReviewEnrichmentJob;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The review enrichment as an application for Amazon Managed Service for Apache Flink: JSON Lines
 * reviews from files (typically S3) in, enriched JSON Lines to files out, configured by the
 * service's runtime properties (see {@link AppSettings}). Run locally it reads the same groups from
 * a JSON file ({@code --properties}, default the bundled {@code application-properties-local.json})
 * and, with no endpoint configured, starts the embedded local endpoint and reads the bundled
 * sample.
 *
 * <p>Kinesis Data Streams would be the other natural source and sink, but no Kinesis connector for
 * Flink 2.x can be resolved from this project's registry; Flink's file connectors over S3 work on
 * the service unchanged.
 */
public final class ManagedFlinkApplication {
    static final String LOCAL_PROPERTIES = "application-properties-local.json";

    private ManagedFlinkApplication() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean local = env instanceof LocalStreamEnvironment;
        Map<String, Properties> properties;
        try {
            properties = loadProperties(args, local);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try (Running running = start(env, properties, local)) {
            running.job().getJobExecutionResult().get();
        }
    }

    /** A started application: its job and, locally, the embedded endpoint it uses. */
    record Running(JobClient job, LocalSageMakerAsync localEndpoint) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                if (!job.getJobStatus().get().isGloballyTerminalState()) {
                    job.cancel().get();
                }
            } finally {
                if (localEndpoint != null) {
                    localEndpoint.close();
                }
            }
        }
    }

    static Map<String, Properties> loadProperties(String[] args, boolean local) throws Exception {
        if (args.length == 2 && args[0].equals("--properties")) {
            return KinesisAnalyticsRuntime.getApplicationProperties(args[1]);
        }
        if (args.length != 0) {
            throw new IllegalArgumentException(
                    "Usage: ManagedFlinkApplication [--properties application-properties.json]");
        }
        if (!local) {
            return KinesisAnalyticsRuntime.getApplicationProperties();
        }
        Path file = Files.createTempFile("application-properties", ".json");
        try (var in = ManagedFlinkApplication.class.getResourceAsStream("/" + LOCAL_PROPERTIES)) {
            Files.write(file, in.readAllBytes());
        }
        return KinesisAnalyticsRuntime.getApplicationProperties(file.toString());
    }

    /** Validates the properties, builds the pipeline and submits it. */
    static Running start(
            StreamExecutionEnvironment env, Map<String, Properties> properties, boolean local)
            throws Exception {
        AppSettings settings = AppSettings.from(properties, local);
        if (local) {
            // The service configures checkpointing itself; locally the file sink needs it to
            // commit.
            env.enableCheckpointing(1_000);
        }
        LocalSageMakerAsync localEndpoint =
                settings.embedded() ? EmbeddedEndpoint.start(FaultInjection.NONE) : null;
        try {
            Configuration connector =
                    settings.embedded()
                            ? embeddedConfiguration(localEndpoint, settings)
                            : settings.connectorConfiguration();
            String sourcePath =
                    settings.sourcePath() != null
                            ? settings.sourcePath()
                            : bundledSampleDirectory();
            build(env, settings, connector, sourcePath);
            return new Running(
                    env.executeAsync("SageMaker async review enrichment"), localEndpoint);
        } catch (Exception | Error e) {
            if (localEndpoint != null) {
                localEndpoint.close();
            }
            throw e;
        }
    }

    static void build(
            StreamExecutionEnvironment env,
            AppSettings settings,
            Configuration connector,
            String sourcePath) {
        FileSource.FileSourceBuilder<String> files =
                FileSource.forRecordStreamFormat(
                        new TextLineInputFormat(), new org.apache.flink.core.fs.Path(sourcePath));
        if (settings.monitorInterval() != null) {
            files.monitorContinuously(settings.monitorInterval());
        }
        DataStream<String> reviews =
                env.fromSource(files.build(), WatermarkStrategy.noWatermarks(), "Reviews")
                        .uid("reviews-source");
        SageMakerAsyncInference.<String>builder()
                .setAll(connector)
                .serializer(line -> SerializedRequest.of(line.getBytes(StandardCharsets.UTF_8)))
                .inferenceIdExtractor(ManagedFlinkApplication::reviewId)
                .build()
                .apply(reviews)
                .map(ReviewEnrichmentJob::enrichedLine)
                .returns(Types.STRING)
                .name("Enriched JSON")
                .uid("enriched-json")
                .sinkTo(
                        FileSink.forRowFormat(
                                        new org.apache.flink.core.fs.Path(settings.sinkPath()),
                                        new SimpleStringEncoder<String>("UTF-8"))
                                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                                .build())
                .name("Enriched reviews")
                .uid("enriched-sink");
    }

    private static String reviewId(String line) throws Exception {
        return ReviewEnrichmentJob.reviewId(line);
    }

    private static Configuration embeddedConfiguration(
            LocalSageMakerAsync local, AppSettings settings) {
        Configuration config = EmbeddedEndpoint.connectorOptions(local);
        config.addAll(settings.common());
        return config;
    }

    private static String bundledSampleDirectory() throws Exception {
        Path dir = Files.createTempDirectory("reviews");
        Files.write(dir.resolve("reviews.jsonl"), ReviewEnrichmentJob.bundledReviews());
        return dir.toString();
    }
}
