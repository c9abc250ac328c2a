package io.github.flinksagemaker.connector.aws;

import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SDK reports retries from its own threads, many calls at once: none may be lost. */
class RetryCountersTest {

    @Test
    void retriesAndThrottledAttemptsReportedFromManyThreadsAtOnceAreAllCounted() throws Exception {
        RecordingMetricGroup group = new RecordingMetricGroup();
        RetryCounters counters = new RetryCounters(group);

        Concurrently.repeat(
                () -> {
                    counters.onRetry();
                    counters.onThrottled();
                });

        long each = (long) Concurrently.THREADS * Concurrently.TIMES_EACH;
        assertThat(group.count("retries")).isEqualTo(each);
        assertThat(group.count("throttled")).isEqualTo(each);
    }
}
