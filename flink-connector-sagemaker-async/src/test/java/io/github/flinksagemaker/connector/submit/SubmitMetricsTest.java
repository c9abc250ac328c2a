package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Submissions complete on the SDK's threads, many at once: every one is counted. A lost increment
 * once made {@code submittedInline} read 299 for 300 accepted submissions.
 */
class SubmitMetricsTest {

    @Test
    void submissionsCompletingOnManyThreadsAtOnceAreAllCounted() throws Exception {
        RecordingMetricGroup group = new RecordingMetricGroup();
        SubmitMetrics metrics = new SubmitMetrics(group);

        Concurrently.repeat(
                () -> {
                    metrics.submitted(SubmitPath.INLINE, 3, 1);
                    metrics.submitted(SubmitPath.S3, 7, 1);
                    metrics.rejected();
                    metrics.retries().onRetry();
                    metrics.retries().onThrottled();
                });

        long each = (long) Concurrently.THREADS * Concurrently.TIMES_EACH;
        assertThat(group.count("sagemakerAsync.submittedInline")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.submittedS3")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.bytesInline")).isEqualTo(3 * each);
        assertThat(group.count("sagemakerAsync.bytesS3")).isEqualTo(7 * each);
        assertThat(group.count("sagemakerAsync.rejected")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.retries")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.throttled")).isEqualTo(each);
    }
}
