package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How far the results' watermark trails the input's, through the one-call API in event time: each
 * element's timestamp is the wall-clock time it is emitted, with monotonous watermarks. Probes
 * after the source and after {@code apply(...)} record every watermark with the moment it arrived;
 * the lag is the input's watermark minus the output's (each the minimum over the subtasks, as a
 * downstream keyed operator sees it) at the same moments, every {@link #SAMPLE_EVERY}. The input is
 * bounded, so the job also shows that it finishes by itself.
 */
final class WatermarkLagBenchmark {
    static final Duration SAMPLE_EVERY = Duration.ofMillis(10);

    /** Lag samples start this long after both watermarks are first known: past the job's start. */
    static final Duration SETTLE = Duration.ofSeconds(5);

    static final Duration FINISH_TIMEOUT = Duration.ofSeconds(60);

    /**
     * One run.
     *
     * @param lagMillis input watermark minus output watermark, sampled at regular moments
     * @param latencyMillis submit to result, per result
     * @param finishedAfterMillis from the last result until the job FINISHED by itself, or -1 if it
     *     did not within {@link #FINISH_TIMEOUT}
     */
    record Run(
            Samples lagMillis,
            Samples latencyMillis,
            long results,
            long late,
            long withoutTimestamp,
            long finishedAfterMillis) {}

    /**
     * Numbers the runs' endpoints and queues across instances, so that no run reuses a queue: on a
     * queue an earlier job polled, a new job's first results arrived only after the queue's
     * visibility timeout (30 s), every time tried (likely taken by the earlier job's last long
     * poll).
     */
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final EndToEndOverheadBenchmark overhead;

    /** Runs on fresh endpoints of {@code overhead}'s local setup, with its options. */
    WatermarkLagBenchmark(EndToEndOverheadBenchmark overhead) {
        this.overhead = overhead;
    }

    Run run(EndToEndOverheadBenchmark.Mode mode, double perSecond, Duration length)
            throws Exception {
        Configuration options =
                overhead.options(
                        mode,
                        EndToEndOverheadBenchmark.ENDPOINT + "-lag-" + RUNS.incrementAndGet());
        long elements = Math.round(perSecond * length.toSeconds());
        String name = "lag-" + System.nanoTime();
        Recorder recorder = Recorder.create(name);
        WatermarkProbe.Timeline input = WatermarkProbe.create(name + "-input");
        WatermarkProbe.Timeline output = WatermarkProbe.create(name + "-output");
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PipelineRun.PARALLELISM);
            env.enableCheckpointing(EndToEndOverheadBenchmark.CHECKPOINT_INTERVAL.toMillis());
            DataStream<Long> elementStream =
                    env.fromSource(
                                    new DataGeneratorSource<>(
                                            i -> i,
                                            elements,
                                            RateLimiterStrategy.perSecond(perSecond),
                                            Types.LONG),
                                    WatermarkStrategy.<Long>forMonotonousTimestamps()
                                            .withTimestampAssigner(
                                                    (element, previous) ->
                                                            System.currentTimeMillis()),
                                    "elements")
                            .transform(
                                    "input watermarks",
                                    Types.LONG,
                                    new WatermarkProbe<>(name + "-input"));
            String run = Long.toString(System.nanoTime(), 36);
            DataStream<InferenceResult<Long>> results =
                    SageMakerAsyncInference.<Long>builder()
                            .setAll(options)
                            .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, 1_024)))
                            .inferenceIdExtractor(i -> run + "-" + i)
                            .build()
                            .apply(elementStream);
            results.transform(
                            "output watermarks",
                            results.getType(),
                            new WatermarkProbe<>(name + "-output"))
                    .map(new PipelineRun.RecordResult(name))
                    .sinkTo(new DiscardingSink<>());
            JobClient job = env.executeAsync("watermark lag");
            long finishedAfter;
            try {
                long deadline = System.nanoTime() + length.plusMinutes(3).toNanos();
                while (recorder.count.get() < elements) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Only " + recorder.count.get() + " of " + elements + " results");
                    }
                    Thread.sleep(20);
                }
                finishedAfter = awaitFinished(job, recorder);
            } finally {
                if (!job.getJobExecutionResult().isDone()) {
                    job.cancel().get(1, TimeUnit.MINUTES);
                    try {
                        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
                    } catch (ExecutionException cancelled) {
                        // The expected end of a cancelled job.
                    }
                }
            }
            if (recorder.values.size() != elements) {
                throw new IllegalStateException(
                        (elements - recorder.values.size()) + " results were not SUCCESS");
            }
            Samples latencies = new Samples();
            recorder.values.forEach(latencies::add);
            return new Run(
                    lag(input, output),
                    latencies,
                    output.records.get(),
                    output.late.get(),
                    output.withoutTimestamp.get(),
                    finishedAfter);
        } finally {
            WatermarkProbe.remove(name + "-input");
            WatermarkProbe.remove(name + "-output");
        }
    }

    /** Milliseconds from the last result until the job ended FINISHED by itself, or -1. */
    private static long awaitFinished(JobClient job, Recorder recorder) throws Exception {
        try {
            job.getJobExecutionResult().get(FINISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return (System.nanoTime() - recorder.lastNanos.get()) / 1_000_000;
        } catch (TimeoutException stillRunning) {
            return -1;
        }
    }

    /**
     * Input watermark minus output watermark every {@link #SAMPLE_EVERY}, from {@link #SETTLE}
     * after both are known on every subtask until the input's reaches its end (Long.MAX_VALUE).
     */
    static Samples lag(WatermarkProbe.Timeline input, WatermarkProbe.Timeline output) {
        Steps in = new Steps(input);
        Steps out = new Steps(output);
        long from = Math.max(in.allKnownAt(), out.allKnownAt()) + SETTLE.toNanos();
        long until = in.endAt();
        Samples lags = new Samples();
        for (long t = from; t < until; t += SAMPLE_EVERY.toNanos()) {
            lags.add(in.minAt(t) - out.minAt(t));
        }
        if (lags.size() == 0) {
            throw new IllegalStateException("No moment with both watermarks known");
        }
        return lags;
    }

    /** Each subtask's watermark as a step function of time; the minimum over subtasks. */
    private static final class Steps {
        private final List<List<long[]>> bySubtask = new ArrayList<>();

        Steps(WatermarkProbe.Timeline timeline) {
            for (int i = 0; i < PipelineRun.PARALLELISM; i++) {
                bySubtask.add(new ArrayList<>());
            }
            // Each subtask adds its own marks in order; only marks that carry event time count.
            for (long[] mark : timeline.marks) {
                if (mark[2] > 0) {
                    bySubtask.get((int) mark[1]).add(mark);
                }
            }
        }

        /** When every subtask has had its first watermark. */
        long allKnownAt() {
            long at = Long.MIN_VALUE;
            for (List<long[]> marks : bySubtask) {
                if (marks.isEmpty()) {
                    throw new IllegalStateException("A subtask received no watermark");
                }
                at = Math.max(at, marks.get(0)[0]);
            }
            return at;
        }

        /**
         * When the minimum over subtasks reached the end of input (every subtask's first
         * Long.MAX_VALUE), or the last mark if some subtask never did.
         */
        long endAt() {
            long ended = Long.MIN_VALUE;
            long last = Long.MIN_VALUE;
            boolean allEnded = true;
            for (List<long[]> marks : bySubtask) {
                last = Math.max(last, marks.get(marks.size() - 1)[0]);
                long[] end =
                        marks.stream().filter(m -> m[2] == Long.MAX_VALUE).findFirst().orElse(null);
                if (end == null) {
                    allEnded = false;
                } else {
                    ended = Math.max(ended, end[0]);
                }
            }
            return allEnded ? ended : last;
        }

        long minAt(long nanos) {
            long min = Long.MAX_VALUE;
            for (List<long[]> marks : bySubtask) {
                min = Math.min(min, valueAt(marks, nanos));
            }
            return min;
        }

        private static long valueAt(List<long[]> marks, long nanos) {
            int low = 0;
            int high = marks.size() - 1;
            long value = Long.MIN_VALUE;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (marks.get(mid)[0] <= nanos) {
                    value = marks.get(mid)[2];
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return value;
        }
    }
}
