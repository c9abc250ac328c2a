package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Rows end on the SDK's threads, many at once: every outcome is counted. */
class SqlFunctionMetricsTest {

    @Test
    void rowsEndingOnManyThreadsAtOnceAreAllCounted() throws Exception {
        RecordingMetricGroup group = new RecordingMetricGroup();
        SqlFunctionMetrics metrics = new SqlFunctionMetrics(group);

        Concurrently.repeat(
                () -> {
                    for (RowStatus status : RowStatus.values()) {
                        metrics.outcome(status);
                    }
                    metrics.nullInput();
                    metrics.submitted();
                    metrics.resubmitted();
                    metrics.retries().onRetry();
                    metrics.retries().onThrottled();
                });

        long each = (long) Concurrently.THREADS * Concurrently.TIMES_EACH;
        for (String counter :
                new String[] {
                    "succeeded",
                    "modelErrors",
                    "rejected",
                    "timedOut",
                    "unreadable",
                    "invalidOutputs",
                    "nullInputs",
                    "submitted",
                    "resubmissions",
                    "retries",
                    "throttled"
                }) {
            assertThat(group.count("sagemakerAsync." + counter)).as(counter).isEqualTo(each);
        }
    }
}
