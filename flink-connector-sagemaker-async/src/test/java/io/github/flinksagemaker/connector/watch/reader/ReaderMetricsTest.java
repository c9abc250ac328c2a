package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.testutils.Concurrently;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader counts in its fetcher thread and in the SDK's completion threads (bytes read,
 * deletes), many at once: nothing is lost.
 */
class ReaderMetricsTest {

    @Test
    void readsAndDeletesCountedOnManyThreadsAtOnceAreAllCounted() throws Exception {
        RecordingMetricGroup group = new RecordingMetricGroup();
        ReaderMetrics metrics = new ReaderMetrics(group, new ByteBudget(1));

        Concurrently.repeat(
                () -> {
                    metrics.getRequests.inc();
                    metrics.bytesRead.inc(5);
                    metrics.objectsVanished.inc();
                    metrics.objectsUnreadable.inc();
                    metrics.readRetries.inc();
                    metrics.objectsDeleted.inc(2);
                    metrics.deleteFailures.inc();
                });

        long each = (long) Concurrently.THREADS * Concurrently.TIMES_EACH;
        assertThat(group.count("sagemakerAsync.getRequests")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.bytesRead")).isEqualTo(5 * each);
        assertThat(group.count("sagemakerAsync.objectsVanished")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.objectsUnreadable")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.readRetries")).isEqualTo(each);
        assertThat(group.count("sagemakerAsync.objectsDeleted")).isEqualTo(2 * each);
        assertThat(group.count("sagemakerAsync.deleteFailures")).isEqualTo(each);
    }
}
