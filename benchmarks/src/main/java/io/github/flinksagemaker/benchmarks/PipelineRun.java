package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one-call pipeline (submit, watch, re-join) on the in-JVM MiniCluster over a generated
 * workload, until every element has its result; then the job is cancelled (the watch source is
 * unbounded). Records each result's latency, submit to result.
 */
final class PipelineRun {
    static final int PARALLELISM = 2;

    private PipelineRun() {}

    /**
     * The pipeline with no elements, for {@code window} after {@code settle}: what its sources cost
     * idle. {@code startMeasuring} runs once the job has settled (started, and done with anything
     * its first seconds do).
     */
    static void idle(
            Configuration options,
            Duration settle,
            Runnable startMeasuring,
            Duration window,
            Duration checkpointInterval)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(checkpointInterval.toMillis());
        SageMakerAsyncInference.<Long>builder()
                .setAll(options)
                .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, 16)))
                .build()
                .apply(
                        env.fromSource(
                                new DataGeneratorSource<>(i -> i, 0, Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "no elements"))
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("idle pipeline");
        try {
            Thread.sleep(settle.toMillis());
            startMeasuring.run();
            Thread.sleep(window.toMillis());
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
            try {
                job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
            } catch (ExecutionException cancelled) {
                // The expected end of a cancelled job.
            }
        }
    }

    /**
     * @param perSecond the generator's rate, or 0 for as fast as the job takes them
     * @return the recorder with one latency (ms) per SUCCESS result
     */
    static Recorder run(
            Configuration options,
            long elements,
            int payloadBytes,
            double perSecond,
            Duration timeout)
            throws Exception {
        return run(options, elements, payloadBytes, perSecond, timeout, null);
    }

    /**
     * @param checkpointInterval checkpointing as in production, or null for none
     */
    static Recorder run(
            Configuration options,
            long elements,
            int payloadBytes,
            double perSecond,
            Duration timeout,
            Duration checkpointInterval)
            throws Exception {
        return run(
                options, elements, payloadBytes, perSecond, timeout, checkpointInterval, r -> {});
    }

    /** Told how many results have arrived, about every 20 ms while the job runs. */
    interface Progress {
        void results(long count);
    }

    static Recorder run(
            Configuration options,
            long elements,
            int payloadBytes,
            double perSecond,
            Duration timeout,
            Duration checkpointInterval,
            Progress progress)
            throws Exception {
        String name = "pipeline-" + System.nanoTime();
        Recorder recorder = Recorder.create(name);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        if (checkpointInterval != null) {
            env.enableCheckpointing(checkpointInterval.toMillis());
        }
        DataGeneratorSource<Long> generator =
                perSecond > 0
                        ? new DataGeneratorSource<>(
                                i -> i,
                                elements,
                                RateLimiterStrategy.perSecond(perSecond),
                                Types.LONG)
                        : new DataGeneratorSource<>(i -> i, elements, Types.LONG);
        String run = Long.toString(System.nanoTime(), 36);
        SageMakerAsyncInference.<Long>builder()
                .setAll(options)
                .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, payloadBytes)))
                .inferenceIdExtractor(i -> run + "-" + i)
                .build()
                .apply(env.fromSource(generator, WatermarkStrategy.noWatermarks(), "elements"))
                .map(new RecordResult(name))
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("benchmark pipeline");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (recorder.count.get() < elements) {
                progress.results(recorder.count.get());
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Only " + recorder.count.get() + " of " + elements + " results");
                }
                Thread.sleep(20);
            }
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
            // Wait until the tasks are gone, so their last listings do not count in the next run.
            try {
                job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
            } catch (ExecutionException cancelled) {
                // The expected end of a cancelled job.
            }
        }
        if (recorder.values.size() != elements) {
            throw new IllegalStateException(
                    (elements - recorder.values.size()) + " results were not SUCCESS");
        }
        return recorder;
    }

    /** Counts every result and keeps the latency and submit time of successful ones. */
    static final class RecordResult
            extends RichMapFunction<InferenceResult<Long>, InferenceResult<Long>> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private transient Recorder recorder;

        RecordResult(String name) {
            this.name = name;
        }

        @Override
        public void open(OpenContext openContext) {
            recorder = Recorder.get(name);
        }

        @Override
        public InferenceResult<Long> map(InferenceResult<Long> result) {
            if (result.isSuccess()) {
                recorder.values.add(result.latencyMillis());
                recorder.submitTimes.add(result.submitTimeMillis());
            }
            recorder.arrived();
            return result;
        }
    }
}
