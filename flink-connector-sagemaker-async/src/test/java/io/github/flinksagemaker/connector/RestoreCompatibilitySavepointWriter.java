package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Writes a savepoint of {@link RestoreCompatibilityITCase}'s pipeline with the current code: run
 * once when a state format changes on purpose, commit the new directory beside the old ones, and
 * add its name to the test. Never regenerate an existing one.
 *
 * <p>A plain JVM, because Flink jobs do not run in exec:java's class loader:
 *
 * <pre>
 * mvn -pl flink-connector-sagemaker-async -am install -DskipTests
 * cd flink-connector-sagemaker-async
 * mvn dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -cp target/test-classes:target/classes:$(cat target/test.cp) \
 *     io.github.flinksagemaker.connector.RestoreCompatibilitySavepointWriter one-call-v2
 * </pre>
 */
public final class RestoreCompatibilitySavepointWriter {
    private RestoreCompatibilitySavepointWriter() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println(
                    "Usage: RestoreCompatibilitySavepointWriter NAME (e.g. one-call-v2)");
            System.exit(2);
        }
        Path target = Path.of("src/test/resources/savepoints", args[0]);
        if (Files.exists(target)) {
            throw new IllegalStateException(target + " exists: savepoints are never regenerated");
        }
        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 2);
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start()) {
            local.registerEndpoint(
                    LocalEndpointConfig.builder(RestoreCompatibilityITCase.ENDPOINT)
                            .s3OutputPath(RestoreCompatibilityITCase.prefix(local, "output"))
                            .s3FailurePath(RestoreCompatibilityITCase.prefix(local, "failure"))
                            .maxConcurrentInvocations(128)
                            .model(new RestoreCompatibilityITCase.FastOrNeverModel())
                            .build());
            // Another writer's object in the output path: the tagger holds it unclaimed.
            try (S3AsyncClient s3 = LocalAwsConfig.s3Client(local)) {
                s3.putObject(
                                r ->
                                        r.bucket(local.bucket())
                                                .key(
                                                        RestoreCompatibilityITCase.ENDPOINT
                                                                + "/output/flat/foreign.out"),
                                AsyncRequestBody.fromString("not ours"))
                        .join();
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(500);
            CollectingSink<InferenceResult<String>> sink = new CollectingSink<>("writer");
            RestoreCompatibilityITCase.pipeline(env, local, sink);
            JobClient job = env.executeAsync("restore compatibility savepoint");

            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sink.collected().size() < RestoreCompatibilityITCase.FIRST_PENDING
                    || submitted(local) < RestoreCompatibilityITCase.ELEMENTS
                    || pending(reporter, job)
                            < RestoreCompatibilityITCase.ELEMENTS
                                    - RestoreCompatibilityITCase.FIRST_PENDING) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException(
                            "Not settled: results "
                                    + sink.collected().size()
                                    + ", submitted "
                                    + submitted(local)
                                    + ", pending "
                                    + pending(reporter, job));
                }
                Thread.sleep(50);
            }
            // A few discovery intervals, so the foreign object is held by the tagger.
            Thread.sleep(2_000);
            Path savepoints = Files.createTempDirectory("savepoints");
            String written =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
            copy(Path.of(java.net.URI.create(written)), target);
            System.out.println("Wrote " + target + " from " + written);
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
        }
        System.exit(0);
    }

    private static long submitted(LocalSageMakerAsync local) {
        return local.counters().invocations(InvocationKind.INLINE)
                + local.counters().invocations(InvocationKind.INPUT_LOCATION);
    }

    private static long pending(InMemoryReporter reporter, JobClient job) {
        return new io.github.flinksagemaker.connector.testutils.JobMetrics(reporter, job.getJobID())
                .gauges("sagemakerAsync.pending").stream().mapToLong(Long::longValue).sum();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(
                        file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
