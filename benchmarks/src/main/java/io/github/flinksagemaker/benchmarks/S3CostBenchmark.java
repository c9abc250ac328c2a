package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * S3 requests per 1,000 inferences for the same workload through the whole pipeline: inline, and
 * forced through S3 (every element uploaded, as before June 2026). Counted by the local S3 server:
 * the connector's requests by operation, plus the endpoint's reads of uploaded inputs and its
 * writes of outputs, which AWS bills to the bucket owner too.
 */
final class S3CostBenchmark {
    static final String ENDPOINT = "cost";
    static final int PAYLOAD_BYTES = 2_048;

    /** S3 Standard request prices, us-east-1, USD per 1,000 requests. */
    static final double PUT_LIST_PRICE = 0.005;

    static final double GET_HEAD_PRICE = 0.0004;

    private final LocalSetup setup;
    private int runs;

    S3CostBenchmark(LocalSetup setup) {
        this.setup = setup;
    }

    /** Requests per 1,000 inferences, by operation, with the endpoint's own reads and writes. */
    record Cost(Map<S3Operation, Double> connector, double endpointReads, double endpointWrites) {
        double dollars() {
            double puts = connector.get(S3Operation.PUT) + endpointWrites;
            double lists = connector.get(S3Operation.LIST);
            double gets = connector.get(S3Operation.GET) + endpointReads;
            double heads = connector.get(S3Operation.HEAD);
            return ((puts + lists) * PUT_LIST_PRICE + (gets + heads) * GET_HEAD_PRICE) / 1_000;
        }
    }

    Cost run(boolean forceS3, long elements) throws Exception {
        // A fresh endpoint (output and failure paths) per run: a new job must not find the
        // previous run's results in its first listings.
        String endpoint = ENDPOINT + "-" + (++runs);
        setup.register(endpoint, new EchoModel(), FaultInjection.NONE);
        Configuration options = setup.connector(endpoint);
        options.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results/{yyyy}/{MM}/{dd}/{HH}");
        if (forceS3) {
            options.set(SubmitOptions.INLINE_LIMIT, new MemorySize(0));
        }
        LocalCounters counters = setup.local.counters();
        counters.reset();
        PipelineRun.run(options, elements, PAYLOAD_BYTES, 0, Duration.ofMinutes(3));
        double per1000 = 1_000.0 / elements;
        Map<S3Operation, Double> connector = new EnumMap<>(S3Operation.class);
        for (S3Operation operation : S3Operation.values()) {
            connector.put(operation, counters.s3Requests(operation) * per1000);
        }
        return new Cost(
                connector,
                counters.inputsRead() * per1000,
                (counters.outputsWritten() + counters.failuresWritten()) * per1000);
    }
}
