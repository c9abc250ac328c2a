package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.submit.InferenceSubmitter;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitClientFactory;
import io.github.flinksagemaker.connector.submit.SubmitConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Time from handing an element to the submit path until the service's 202, per element, through the
 * connector's own submission code (what the submit operator runs for each element): inline, or
 * forced through S3 (upload, then InputLocation) as before June 2026.
 */
final class SubmitLatencyBenchmark {
    static final String ENDPOINT = "latency";
    static final int PAYLOAD_BYTES = 2_048;

    private final LocalSetup setup;
    private final int inFlight;

    SubmitLatencyBenchmark(LocalSetup setup, int inFlight) {
        this.setup = setup;
        this.inFlight = inFlight;
    }

    /** Latencies in milliseconds of {@code elements} submissions. */
    Samples run(boolean forceS3, int elements) throws Exception {
        Configuration options = setup.connector(ENDPOINT);
        if (forceS3) {
            options.set(SubmitOptions.INLINE_LIMIT, new MemorySize(0));
        }
        options.set(SubmitOptions.CAPACITY, inFlight);
        Samples latencies = new Samples();
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        String run = (forceS3 ? "s3-" : "inline-") + System.nanoTime() + "-";
        try (InferenceSubmitter submitter =
                InferenceSubmitter.open(
                        SubmitConfig.from(options), SubmitClientFactory.SDK, RetryListener.NONE)) {
            for (int i = 0; i < elements && failure.get() == null; i++) {
                SerializedRequest request =
                        SerializedRequest.of(LocalSetup.payload(i, PAYLOAD_BYTES));
                permits.acquire();
                long start = System.nanoTime();
                submitter
                        .submit(run + i, request, System.currentTimeMillis())
                        .whenComplete(
                                (submission, error) -> {
                                    if (error != null) {
                                        failure.compareAndSet(null, error);
                                    } else {
                                        latencies.add((System.nanoTime() - start) / 1e6);
                                    }
                                    permits.release();
                                });
            }
            permits.acquire(inFlight);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("A submission failed", failure.get());
        }
        return latencies;
    }
}
