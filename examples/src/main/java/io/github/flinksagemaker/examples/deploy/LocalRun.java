package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.examples.EmbeddedEndpoint;
import io.github.flinksagemaker.examples.ReviewEnrichmentJob;
import io.github.flinksagemaker.examples.RunSummary;
import io.github.flinksagemaker.examples.ServiceRequests;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a local run of the application supplies that the properties leave out, and what it shows:
 * the embedded SageMaker endpoint (no {@code sagemaker.endpoint-name}), an in-process Kafka broker
 * (a Kafka group without {@code bootstrap.servers}) whose input topic it fills with the bundled
 * reviews, the bundled sample as files (a files source without {@code path}); then progress every
 * second and a summary of what a {@code read_committed} consumer of the output topics sees.
 *
 * <p>Only loaded when running locally: the endpoint and broker are not in the application jar.
 */
final class LocalRun implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AppSettings settings;
    private final Configuration connectorOptions;
    private final LocalSageMakerAsync endpoint;
    private final LocalKafka kafka;

    /** How many records the run wrote to the input topic itself; null when it wrote none. */
    private final Integer recordsIn;

    private LocalRun(
            AppSettings settings,
            Configuration connectorOptions,
            LocalSageMakerAsync endpoint,
            LocalKafka kafka,
            Integer recordsIn) {
        this.settings = settings;
        this.connectorOptions = connectorOptions;
        this.endpoint = endpoint;
        this.kafka = kafka;
        this.recordsIn = recordsIn;
    }

    static LocalRun prepare(AppSettings settings, PrintStream console) throws Exception {
        LocalSageMakerAsync endpoint = null;
        LocalKafka kafka = null;
        try {
            Configuration connector;
            if (settings.embedded()) {
                console.println("Starting the embedded SageMaker async endpoint and S3...");
                endpoint =
                        EmbeddedEndpoint.start(
                                FaultInjection.builder()
                                        .latency(Duration.ofMillis(20), Duration.ofMillis(400))
                                        .throttledFraction(0.02)
                                        .build());
                connector = EmbeddedEndpoint.connectorOptions(endpoint);
                connector.addAll(settings.common());
            } else {
                connector = settings.connectorConfiguration();
            }

            ReviewInput input = settings.input();
            Integer recordsIn = null;
            ReviewOutput output = settings.output();
            boolean kafkaIn = input instanceof ReviewInput.Kafka in && in.connection().embedded();
            boolean kafkaOut =
                    output instanceof ReviewOutput.Kafka out && out.connection().embedded();
            if (kafkaIn || kafkaOut) {
                console.println("Starting an in-process Kafka broker...");
                kafka = LocalKafka.start();
                console.printf("  bootstrap servers %s%n", kafka.bootstrapServers());
            }
            if (kafkaIn) {
                ReviewInput.Kafka in = (ReviewInput.Kafka) input;
                kafka.createTopic(in.topic(), 2);
                List<String> reviews = ReviewEnrichmentJob.bundledReviews();
                kafka.produce(
                        in.topic(),
                        reviews.stream().map(r -> r.getBytes(StandardCharsets.UTF_8)).toList());
                recordsIn = reviews.size();
                console.printf(
                        "  %,d bundled reviews written to topic '%s'%n",
                        reviews.size(), in.topic());
                // The source ends after the records the topic held at its start.
                input =
                        in.withConnection(
                                in.connection().withBootstrapServers(kafka.bootstrapServers()),
                                true);
            } else if (input instanceof ReviewInput.Files files && files.path() == null) {
                input = files.withPath(bundledSampleDirectory());
            }
            if (kafkaOut) {
                ReviewOutput.Kafka out = (ReviewOutput.Kafka) output;
                kafka.createTopic(out.topic(), 1);
                kafka.createTopic(out.deadLetterTopic(), 1);
                output =
                        out.withConnection(
                                out.connection().withBootstrapServers(kafka.bootstrapServers()));
            }
            return new LocalRun(
                    settings.with(input, output), connector, endpoint, kafka, recordsIn);
        } catch (Exception | Error e) {
            closeAll(endpoint, kafka);
            throw e;
        }
    }

    AppSettings settings() {
        return settings;
    }

    Configuration connectorOptions() {
        return connectorOptions;
    }

    /**
     * Follows the job, printing progress every second. With a Kafka sink it reads both topics as a
     * {@code read_committed} consumer; once every record the run wrote to the input topic has its
     * enriched record or dead letter (the Kafka input never ends, so neither does the job), it
     * stops the job and prints the summary. Over input it did not write, or with a files sink, it
     * runs until interrupted.
     */
    void follow(JobClient job, PrintStream console) throws Exception {
        if (!(settings.output() instanceof ReviewOutput.Kafka output)) {
            console.printf(
                    "Writing enriched reviews to %s%n",
                    ((ReviewOutput.Files) settings.output()).path());
            job.getJobExecutionResult().get();
            return;
        }
        long started = System.nanoTime();
        RunSummary summary = new RunSummary();
        Map<String, Long> deadLetters = new TreeMap<>();
        // A local job's cluster shuts down with it: watch the result, not the status.
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        try (LocalKafka.CommittedReader enriched =
                        new LocalKafka.CommittedReader(
                                output.connection().clientProperties(), output.topic());
                LocalKafka.CommittedReader dead =
                        new LocalKafka.CommittedReader(
                                output.connection().clientProperties(), output.deadLetterTopic())) {
            long lastPrint = System.nanoTime();
            boolean ended;
            do {
                ended = result.isDone();
                for (String record : enriched.poll(Duration.ofMillis(200))) {
                    JsonNode enrichedReview = JSON.readTree(record);
                    summary.add(
                            InferenceStatus.valueOf(enrichedReview.get("status").asText()),
                            enrichedReview.get("path").isNull()
                                    ? null
                                    : SubmitPath.valueOf(enrichedReview.get("path").asText()),
                            enrichedReview.get("latencyMillis").asLong());
                }
                for (String record : dead.poll(Duration.ofMillis(50))) {
                    deadLetters.merge(JSON.readTree(record).get("reason").asText(), 1L, Long::sum);
                }
                if (System.nanoTime() - lastPrint >= TimeUnit.SECONDS.toNanos(1)) {
                    lastPrint = System.nanoTime();
                    console.printf(
                            "[%3ds] enriched records committed %,d | dead letters %,d%n",
                            TimeUnit.NANOSECONDS.toSeconds(lastPrint - started),
                            summary.total(),
                            sum(deadLetters));
                }
            } while (!allAnswered(summary.total() + sum(deadLetters))
                    && !(ended && enriched.caughtUp() && dead.caughtUp()));
            if (!ended) {
                ReviewEnrichmentJob.stop(job);
            } else {
                result.get(); // throws the job's failure
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        summary.print(console, endpoint != null ? ServiceRequests.of(endpoint.counters()) : null);
        long deadTotal = sum(deadLetters);
        console.printf(
                "  dead letters %,d%s%n", deadTotal, deadTotal == 0 ? "" : " " + deadLetters);
        console.printf(
                "  %,.0f records per second (%,d records in %.1f s, from job submission to the last"
                        + " commit)%n",
                (summary.total() + deadTotal) / seconds, summary.total() + deadTotal, seconds);
        console.printf(
                "Read with isolation.level=read_committed from '%s' and '%s'%n",
                output.topic(), output.deadLetterTopic());
    }

    private boolean allAnswered(long recordsOut) {
        return recordsIn != null && recordsOut >= recordsIn;
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() throws Exception {
        closeAll(endpoint, kafka);
    }

    private static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static String bundledSampleDirectory() throws Exception {
        Path dir = Files.createTempDirectory("reviews");
        dir.toFile().deleteOnExit();
        Files.write(dir.resolve("reviews.jsonl"), ReviewEnrichmentJob.bundledReviews());
        dir.resolve("reviews.jsonl").toFile().deleteOnExit();
        return dir.toString();
    }
}
