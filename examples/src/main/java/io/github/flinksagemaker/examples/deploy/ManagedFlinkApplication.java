package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.examples.EnrichedReview;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The review enrichment as an application for Amazon Managed Service for Apache Flink: JSON reviews
 * from Kafka (Amazon MSK) or from files (typically S3) in, enriched JSON to Kafka with exactly-once
 * transactions or to files out, records that cannot be parsed to a dead-letter topic or path,
 * configured by the service's runtime properties (see {@link AppSettings}).
 *
 * <p>Run locally it reads the same groups from a JSON file ({@code --properties}, default the
 * bundled {@code application-properties-local.json}); what the properties leave out a local run
 * supplies ({@link LocalRun}): the embedded SageMaker endpoint, an in-process Kafka broker filled
 * with the bundled reviews, and a summary of what came out.
 */
public final class ManagedFlinkApplication {
    static final String LOCAL_PROPERTIES = "application-properties-local.json";
    static final String JOB_NAME = "SageMaker async review enrichment";
    static final String USAGE =
            "Usage: ManagedFlinkApplication [--properties application-properties.json]";

    private ManagedFlinkApplication() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean local = env instanceof LocalStreamEnvironment;
        AppSettings settings;
        try {
            settings = AppSettings.from(loadProperties(args, local), local);
        } catch (IllegalArgumentException e) {
            if (!local) {
                // On the service main runs in the JobManager: fail the start, do not exit it.
                throw e;
            }
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (!local) {
            build(env, settings, settings.connectorConfiguration());
            env.execute(JOB_NAME);
            return;
        }
        try (Running running = start(env, settings, true)) {
            running.localRun().follow(running.job(), System.out);
        }
    }

    /** A started application: its job and, locally, what the local run started beside it. */
    record Running(JobClient job, LocalRun localRun) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                if (!stopped(job)) {
                    job.cancel().get();
                }
            } finally {
                if (localRun != null) {
                    localRun.close();
                }
            }
        }
    }

    /** Whether the job has ended; a local job's cluster shuts down with it and answers no more. */
    private static boolean stopped(JobClient job) throws InterruptedException {
        try {
            return job.getJobStatus().get().isGloballyTerminalState();
        } catch (IllegalStateException | java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    static Map<String, Properties> loadProperties(String[] args, boolean local) throws Exception {
        if (args.length == 2 && args[0].equals("--properties")) {
            return KinesisAnalyticsRuntime.getApplicationProperties(args[1]);
        }
        if (args.length != 0) {
            throw new IllegalArgumentException(USAGE);
        }
        if (!local) {
            return KinesisAnalyticsRuntime.getApplicationProperties();
        }
        Path file = Files.createTempFile("application-properties", ".json");
        file.toFile().deleteOnExit();
        try (var in = ManagedFlinkApplication.class.getResourceAsStream("/" + LOCAL_PROPERTIES)) {
            Files.write(file, in.readAllBytes());
        }
        return KinesisAnalyticsRuntime.getApplicationProperties(file.toString());
    }

    /** Validates the properties, builds the pipeline and submits it. */
    static Running start(
            StreamExecutionEnvironment env, Map<String, Properties> properties, boolean local)
            throws Exception {
        return start(env, AppSettings.from(properties, local), local);
    }

    private static Running start(
            StreamExecutionEnvironment env, AppSettings settings, boolean local) throws Exception {
        if (!local) {
            build(env, settings, settings.connectorConfiguration());
            return new Running(env.executeAsync(JOB_NAME), null);
        }
        // The service configures checkpointing itself; locally both sinks need it to commit.
        env.enableCheckpointing(1_000);
        LocalRun localRun = LocalRun.prepare(settings, System.out);
        try {
            build(env, localRun.settings(), localRun.connectorOptions());
            return new Running(env.executeAsync(JOB_NAME), localRun);
        } catch (Exception | Error e) {
            localRun.close();
            throw e;
        }
    }

    static void build(
            StreamExecutionEnvironment env, AppSettings settings, Configuration connector) {
        SingleOutputStreamOperator<Review> reviews =
                settings.input()
                        .read(env)
                        .process(new ReviewParser())
                        .name("Parse reviews")
                        .uid("parse-reviews");
        DataStream<String> enriched =
                SageMakerAsyncInference.<Review>builder()
                        .setAll(connector)
                        .serializer(
                                review ->
                                        SerializedRequest.of(
                                                review.json().getBytes(StandardCharsets.UTF_8)))
                        .inferenceIdExtractor(Review::id)
                        .build()
                        .apply(reviews)
                        .map(EnrichedReview::line)
                        .returns(Types.STRING)
                        .name("Enriched JSON")
                        .uid("enriched-json");
        settings.output().write(enriched, reviews.getSideOutput(ReviewParser.DEAD_LETTERS));
    }
}
