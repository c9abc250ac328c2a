package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/**
 * Result latency (submit to result) minus the model's fixed latency, per element, through the whole
 * pipeline at a steady rate, for a given discovery interval of the watch source.
 */
final class EndToEndOverheadBenchmark {
    static final String ENDPOINT = "overhead";
    static final Duration MODEL_LATENCY = Duration.ofMillis(200);

    private final LocalSetup setup;
    private int runs;

    EndToEndOverheadBenchmark(LocalSetup setup) {
        this.setup = setup;
    }

    /** Overheads in milliseconds. */
    Samples run(Duration discoveryInterval, double perSecond, long elements) throws Exception {
        // A fresh endpoint per run, so that no run lists and fetches another's results.
        String endpoint = ENDPOINT + "-" + (++runs);
        setup.register(
                endpoint, new EchoModel(), FaultInjection.builder().latency(MODEL_LATENCY).build());
        Configuration options = setup.connector(endpoint);
        options.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results/{yyyy}/{MM}/{dd}/{HH}");
        options.set(WatchOptions.DISCOVERY_INTERVAL, discoveryInterval);
        Recorder recorder =
                PipelineRun.run(options, elements, 1_024, perSecond, Duration.ofMinutes(3));
        Samples overheads = new Samples();
        recorder.values.forEach(latency -> overheads.add(latency - MODEL_LATENCY.toMillis()));
        return overheads;
    }
}
