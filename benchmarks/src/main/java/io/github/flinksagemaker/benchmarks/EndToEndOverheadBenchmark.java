package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.local.LocalCounters;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.Iterator;

/**
 * Result latency (submit to result) minus the model's fixed latency, per element, through the whole
 * pipeline at a steady rate with checkpointing on, from the job's first second: by SQS
 * notification, or by listing at a given discovery interval. Also what each mode asks of S3 and SQS
 * per inference, and when idle.
 */
final class EndToEndOverheadBenchmark {
    static final String ENDPOINT = "overhead";
    static final Duration MODEL_LATENCY = Duration.ofMillis(200);
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** Results of elements submitted in the job's first seconds: the cold phase. */
    static final Duration COLD_PHASE = Duration.ofSeconds(10);

    /** How a run learns of completions; null interval: SQS. */
    record Mode(Duration discoveryInterval) {
        static final Mode SQS = new Mode(null);

        static Mode listing(Duration interval) {
            return new Mode(interval);
        }

        boolean isSqs() {
            return discoveryInterval == null;
        }

        String label() {
            return isSqs()
                    ? "SQS notifications"
                    : "listing, " + discoveryInterval.toMillis() + " ms";
        }
    }

    /** One run: overheads (ms) of all results and of the cold phase's, and requests made. */
    record Run(
            Samples overheads,
            Samples coldOverheads,
            long results,
            long s3Gets,
            long s3Lists,
            long s3Total,
            long sqsTotal) {
        double perThousand(long requests) {
            return requests * 1000.0 / results;
        }
    }

    private final LocalSetup setup;
    private int runs;

    EndToEndOverheadBenchmark(LocalSetup setup) {
        this.setup = setup;
    }

    Run run(Mode mode, double perSecond, long elements) throws Exception {
        // A fresh endpoint and queue per run, so that no run sees another's results.
        String endpoint = ENDPOINT + "-" + (++runs);
        Configuration options = options(mode, endpoint);
        LocalCounters counters = setup.local.counters();
        counters.reset();
        Recorder recorder =
                PipelineRun.run(
                        options,
                        elements,
                        1_024,
                        perSecond,
                        Duration.ofMinutes(3),
                        CHECKPOINT_INTERVAL);
        long results = recorder.count.get();
        Samples overheads = new Samples();
        Samples cold = new Samples();
        long firstSubmit = recorder.submitTimes.stream().mapToLong(Long::longValue).min().orElse(0);
        Iterator<Long> submitTimes = recorder.submitTimes.iterator();
        for (long latency : recorder.values) {
            long overhead = latency - MODEL_LATENCY.toMillis();
            overheads.add(overhead);
            if (submitTimes.next() - firstSubmit < COLD_PHASE.toMillis()) {
                cold.add(overhead);
            }
        }
        long submitted =
                counters.invocations(InvocationKind.INLINE)
                        + counters.invocations(InvocationKind.INPUT_LOCATION);
        if (submitted < results) {
            throw new IllegalStateException(submitted + " submissions for " + results + " results");
        }
        return new Run(
                overheads,
                cold,
                results,
                counters.s3Requests(S3Operation.GET),
                counters.s3Requests(S3Operation.LIST),
                counters.s3RequestsTotal(),
                counters.sqsRequestsTotal());
    }

    /**
     * Requests per hour per reader of a job with nothing to do: its sources alone, for {@code
     * window} once it has settled, scaled to an hour and divided by the job's parallelism.
     *
     * @return {S3 LIST, SQS} requests per hour per reader
     */
    double[] idleRequestsPerHourPerReader(Mode mode, Duration window) throws Exception {
        String endpoint = ENDPOINT + "-idle-" + (++runs);
        Configuration options = options(mode, endpoint);
        LocalCounters counters = setup.local.counters();
        // Past the job's start and its first long polls, which end at the wait time (20 s).
        PipelineRun.idle(
                options, Duration.ofSeconds(25), counters::reset, window, CHECKPOINT_INTERVAL);
        double scale = Duration.ofHours(1).toMillis() / (double) window.toMillis();
        return new double[] {
            counters.s3Requests(S3Operation.LIST) * scale / PipelineRun.PARALLELISM,
            counters.sqsRequestsTotal() * scale / PipelineRun.PARALLELISM
        };
    }

    /** A fresh endpoint (and queue, for SQS) named {@code endpoint}, and the options for it. */
    Configuration options(Mode mode, String endpoint) {
        Configuration options = setup.echoEndpoint(endpoint, MODEL_LATENCY, mode.isSqs());
        options.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results/{yyyy}/{MM}/{dd}/{HH}");
        if (!mode.isSqs()) {
            options.set(WatchOptions.DISCOVERY_INTERVAL, mode.discoveryInterval());
        }
        return options;
    }
}
