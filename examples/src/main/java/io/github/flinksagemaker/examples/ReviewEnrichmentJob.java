package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Enriches product reviews with a sentiment model on a SageMaker async endpoint, using the one-call
 * API: each review is submitted (inline, or through S3 when over 128,000 bytes), its result object
 * is watched for, and one enriched record per review is written as JSON Lines.
 *
 * <p>With no arguments it starts the local endpoint (demo sentiment model, embedded S3), enriches
 * the bundled sample on a local Flink MiniCluster, prints progress every second and a summary, and
 * exits when the job has finished: its input is bounded, so the job ends by itself (FINISHED) once
 * every review has its result. With {@code --endpoint-name} and the S3 paths it uses a real
 * endpoint and the usual AWS credential chain. Run with {@code --help} for all options.
 */
public final class ReviewEnrichmentJob {

    /** How long the job may take to end after its results did; it is usually at once. */
    private static final Duration JOB_END_TIMEOUT = Duration.ofMinutes(1);

    private ReviewEnrichmentJob() {}

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(ExampleOptions.USAGE);
            return;
        }
        ExampleOptions options;
        try {
            options = ExampleOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(ExampleOptions.USAGE);
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /**
     * How a run ended: its results, the job's final status, and how long after the driver got the
     * last result the job's end was known.
     */
    record Run(RunSummary summary, JobStatus jobStatus, Duration endedAfterLastResult) {}

    /**
     * Runs the job until it finishes by itself, once every input review has its result (or forever
     * with --rate alone).
     */
    static Run run(ExampleOptions options, PrintStream console) throws Exception {
        LocalSageMakerAsync local = options.embedded() ? startLocalEndpoint(console) : null;
        try {
            return enrich(options, local, console);
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private static LocalSageMakerAsync startLocalEndpoint(PrintStream console) throws Exception {
        console.println("Starting the embedded SageMaker async endpoint and S3...");
        LocalSageMakerAsync local =
                EmbeddedEndpoint.start(
                        FaultInjection.builder()
                                .latency(Duration.ofMillis(20), Duration.ofMillis(400))
                                .throttledFraction(0.02)
                                .build());
        console.printf(
                "  endpoint '%s' at %s, S3 at %s%n",
                EmbeddedEndpoint.NAME, local.sageMakerEndpoint(), local.s3Endpoint());
        return local;
    }

    private static Configuration connectorOptions(
            ExampleOptions options, LocalSageMakerAsync local) {
        Configuration config = new Configuration();
        if (local != null) {
            config.addAll(EmbeddedEndpoint.connectorOptions(local));
            if (options.completion() == ExampleOptions.Completion.SQS) {
                config.addAll(EmbeddedEndpoint.sqsCompletion(local));
            }
        } else {
            config.set(AwsConfigOptions.AWS_REGION, options.region());
            config.set(SubmitOptions.ENDPOINT_NAME, options.endpointName());
            config.set(WatchOptions.OUTPUT_PATH, options.outputPath());
            config.set(WatchOptions.FAILURE_PATH, options.failurePath());
            config.set(SubmitOptions.S3_INPUT_PREFIX, options.inputPrefix());
            if (options.completion() == ExampleOptions.Completion.SQS) {
                config.set(CompletionOptions.MODE, CompletionOptions.CompletionMode.SQS);
                config.set(CompletionOptions.SQS_QUEUE_URL, options.queueUrl());
            }
        }
        config.set(SubmitOptions.CONTENT_TYPE, "application/json");
        config.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "reviews/{yyyy}/{MM}/{dd}/{HH}");
        return config;
    }

    private static Run enrich(
            ExampleOptions options, LocalSageMakerAsync local, PrintStream console)
            throws Exception {
        Configuration flink = new Configuration();
        flink.set(
                ConfigOptions.key("metrics.reporter.progress.factory.class")
                        .stringType()
                        .noDefaultValue(),
                ProgressReporter.Factory.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);
        // Results reach the driver when a checkpoint completes (exactly-once collect).
        env.enableCheckpointing(1_000);
        // While the submit task is busy, an aligned barrier waits behind its input and the join
        // holds back results for seconds; unaligned barriers overtake (measured: p50 6.6 s -> 4.3
        // s in listing-free runs before the reader kept several receives in flight).
        env.getCheckpointConfig().enableUnalignedCheckpoints();

        DataStream<String> reviews;
        if (options.rate() != null) {
            long count = options.count() != null ? options.count() : Long.MAX_VALUE;
            reviews =
                    env.fromSource(
                            new DataGeneratorSource<>(
                                    Reviews::generate,
                                    count,
                                    RateLimiterStrategy.perSecond(options.rate()),
                                    Types.STRING),
                            WatermarkStrategy.noWatermarks(),
                            "Generated reviews");
            console.printf("Generating %d reviews per second%n", options.rate());
        } else {
            List<String> lines =
                    options.input() != null ? Reviews.read(options.input()) : Reviews.bundled();
            reviews = env.fromData(Types.STRING, lines.toArray(new String[0]));
            console.printf(
                    "Enriching %,d reviews from %s; completions by %s%n",
                    lines.size(),
                    options.input() != null ? options.input() : "the bundled sample",
                    options.completion() == ExampleOptions.Completion.SQS
                            ? "SQS notifications"
                            : "listing S3");
        }
        CloseableIterator<InferenceResult<String>> results =
                SageMakerAsyncInference.<String>builder()
                        .setAll(connectorOptions(options, local))
                        .serializer(
                                line -> SerializedRequest.of(line.getBytes(StandardCharsets.UTF_8)))
                        .inferenceIdExtractor(Reviews::idOf)
                        .build()
                        .apply(reviews)
                        .collectAsync();
        JobClient job = env.executeAsync("SageMaker async review enrichment");

        RunSummary summary = new RunSummary();
        long started = System.nanoTime();
        ScheduledExecutorService progress =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "progress");
                            thread.setDaemon(true);
                            return thread;
                        });
        progress.scheduleAtFixedRate(
                () -> printProgress(console, summary, started, local), 1, 1, TimeUnit.SECONDS);
        long lastResult = System.nanoTime();
        JobStatus end;
        try (results;
                BufferedWriter writer =
                        Files.newBufferedWriter(options.output(), StandardCharsets.UTF_8)) {
            // No count and no cancel: with a bounded input the job finishes by itself once every
            // review has its result, and its results end with it.
            while (results.hasNext()) {
                InferenceResult<String> result = results.next();
                writer.write(EnrichedReview.line(result));
                writer.newLine();
                summary.add(result);
                lastResult = System.nanoTime();
            }
            end = awaitEnd(job);
        } catch (Exception | Error e) {
            // Never leave the job running behind a failed driver.
            try {
                stop(job);
            } catch (Exception notStopped) {
                e.addSuppressed(notStopped);
            }
            throw e;
        } finally {
            progress.shutdownNow();
        }
        Duration endedAfterLastResult = Duration.ofNanos(System.nanoTime() - lastResult);
        if (end != JobStatus.FINISHED) {
            throw new IllegalStateException(
                    "The job ended " + end + " before every review had its result");
        }
        printProgress(console, summary, started, local);
        summary.print(console, local != null ? ServiceRequests.of(local.counters()) : null);
        console.printf("Enriched records written to %s%n", options.output().toAbsolutePath());
        return new Run(summary, end, endedAfterLastResult);
    }

    /**
     * The job's end, once its results have ended: FINISHED, or CANCELED when someone cancelled it;
     * a failed job throws its failure. Its result, not its status: a local job's MiniCluster shuts
     * down as the job ends and then answers no status request.
     */
    static JobStatus awaitEnd(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(JOB_END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return JobStatus.FINISHED;
        } catch (ExecutionException e) {
            if (ExceptionUtils.findThrowable(e, JobCancellationException.class).isPresent()) {
                return JobStatus.CANCELED;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "The job's results ended, but the job did not end within " + JOB_END_TIMEOUT,
                    e);
        }
    }

    /**
     * Cancels the job and waits until it has stopped, so that nothing of it still runs (or logs)
     * when the summary is printed and the embedded endpoint closes. For a job whose input never
     * ends, or a run that stops on a count; a bounded job finishes by itself, and one that finishes
     * while it is being cancelled is left to end.
     */
    public static void stop(JobClient job) throws Exception {
        CompletableFuture<JobExecutionResult> end = job.getJobExecutionResult();
        try {
            job.cancel().get();
        } catch (Exception notCancelled) {
            // A job that ended meanwhile cannot be cancelled (a local one's cluster is gone).
            if (!hasEnded(end)) {
                throw notCancelled;
            }
            return;
        }
        try {
            end.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException cancelled) {
            // The expected end of a cancelled job.
        }
    }

    /** Whether the job ends (in any state) within a minute. */
    private static boolean hasEnded(CompletableFuture<JobExecutionResult> end)
            throws InterruptedException {
        try {
            end.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException cancelledOrFailed) {
            // Ended all the same.
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    private static void printProgress(
            PrintStream console, RunSummary summary, long started, LocalSageMakerAsync local) {
        long inline = ProgressReporter.sum("submittedInline");
        long s3 = ProgressReporter.sum("submittedS3");
        long completed = summary.total();
        console.printf(
                "[%3ds] submitted %,d (inline %,d, s3 %,d) | results %,d (inline %,d, s3 %,d) |"
                        + " pending %,d | calls in flight %d of %d%s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                inline + s3,
                inline,
                s3,
                completed,
                summary.completed(SubmitPath.INLINE),
                summary.completed(SubmitPath.S3),
                Math.max(
                        0,
                        inline
                                + s3
                                - summary.completed(SubmitPath.INLINE)
                                - summary.completed(SubmitPath.S3)),
                ProgressReporter.gaugeSum("inFlight"),
                ProgressReporter.gaugeSum("inFlightLimit"),
                local != null
                        ? String.format(
                                " (at the endpoint %,d, notifications sent %,d)",
                                local.pendingInvocations(EmbeddedEndpoint.NAME),
                                local.counters().notificationsSent())
                        : "");
    }

    /** The inference ID of a review line: its {@code id} field. */
    public static String reviewId(String line) throws Exception {
        return Reviews.idOf(line);
    }

    /** The bundled sample's lines. */
    public static List<String> bundledReviews() throws Exception {
        return Reviews.bundled();
    }
}
