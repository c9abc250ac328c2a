package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

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
                    "resultsSuccess",
                    "resultsModelError",
                    "resultsRejected",
                    "resultsTimedOut",
                    "resultsUnreadable",
                    "resultsInvalidOutput",
                    "nullInputs",
                    "submitted",
                    "resubmissions",
                    "retries",
                    "throttled"
                }) {
            assertThat(group.count("sagemakerAsync." + counter)).as(counter).isEqualTo(each);
        }
    }

    /**
     * The counters are named like the one-call API's ({@code resultsSuccess} ...); the names they
     * had before still count the same rows for one release.
     */
    @Test
    void theFormerCounterNamesStillCountTheSameRows() {
        RecordingMetricGroup group = new RecordingMetricGroup();
        SqlFunctionMetrics metrics = new SqlFunctionMetrics(group);
        int times = 1;
        for (RowStatus status : RowStatus.values()) {
            for (int i = 0; i < times; i++) {
                metrics.outcome(status);
            }
            times++;
        }
        String[][] renamed = {
            {"resultsSuccess", "succeeded"},
            {"resultsModelError", "modelErrors"},
            {"resultsRejected", "rejected"},
            {"resultsTimedOut", "timedOut"},
            {"resultsUnreadable", "unreadable"},
            {"resultsInvalidOutput", "invalidOutputs"}
        };
        for (int i = 0; i < renamed.length; i++) {
            assertThat(group.count("sagemakerAsync." + renamed[i][0]))
                    .as(renamed[i][0])
                    .isEqualTo(i + 1);
            assertThat(group.count("sagemakerAsync." + renamed[i][1]))
                    .as(renamed[i][1])
                    .isEqualTo(i + 1);
        }
    }

    @Test
    void deniedRecordReadsAreAGaugeOfTheCallersCount() {
        RecordingMetricGroup group = new RecordingMetricGroup();
        SqlFunctionMetrics metrics = new SqlFunctionMetrics(group);
        AtomicLong denied = new AtomicLong();
        metrics.submissionRecordReadsDenied(denied::get);

        denied.set(3);

        assertThat(group.gaugeValue("sagemakerAsync.submissionRecordReadsDenied")).isEqualTo(3L);
    }
}
