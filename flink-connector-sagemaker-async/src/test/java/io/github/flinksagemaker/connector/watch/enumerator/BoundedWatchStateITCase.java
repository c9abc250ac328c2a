package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.apache.flink.util.clock.ManualClock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 20,000 result objects written over ten (simulated) hours into time buckets of the in-process S3,
 * discovered by the enumerator through the real SDK client: its state stays bounded by the open
 * buckets, and once the window moves on a listing never reads old buckets again.
 */
class BoundedWatchStateITCase {
    private static final int HOURS = 10;
    private static final int OBJECTS_PER_HOUR = 2_000;
    private static final long T0 = Instant.parse("2026-11-25T00:00:00Z").toEpochMilli();
    private static final long HOUR = Duration.ofHours(1).toMillis();

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @Test
    void stateAndListingCostFollowTheWindowNotTheHistory() throws Exception {
        Configuration config = LOCAL.awsConfig();
        config.set(WatchOptions.OUTPUT_PATH, "s3://" + LOCAL.bucket() + "/out");
        config.set(WatchOptions.TIME_BUCKETS, "r/{yyyy}/{MM}/{dd}/{HH}");
        config.set(WatchOptions.BUCKET_LIFETIME, Duration.ofHours(2));
        config.set(WatchOptions.SPLITS_PER_REQUEST, 5_000);
        WatchConfig watch = WatchConfig.from(config);
        ManualClock clock = new ManualClock(TimeUnit.MILLISECONDS.toNanos(T0));
        TestingSplitEnumeratorContext<ResultObjectSplit> context =
                new TestingSplitEnumeratorContext<>(1);
        context.registerReader(0, "reader");
        WatchEnumeratorStateSerializer serializer = new WatchEnumeratorStateSerializer();

        List<Integer> stateBytes = new ArrayList<>();
        List<Integer> trackedKeys = new ArrayList<>();
        List<Long> listRequests = new ArrayList<>();
        List<ResultObjectSplit> assigned = new ArrayList<>();
        try (ResultObjectEnumerator enumerator =
                new ResultObjectEnumerator(
                        context, watch, WatchClientFactory.SDK.s3(watch), clock, null)) {
            enumerator.start();
            for (int hour = 0; hour < HOURS; hour++) {
                writeBucket(hour);
                clock.advanceTime(Duration.ofMillis(T0 + hour * HOUR + HOUR / 2 - now(clock)));
                long listsBefore = LOCAL.counters().s3Requests(S3Operation.LIST);

                context.triggerAllActions();
                // The reader takes everything discovered, as a running job would.
                while (!enumerator.snapshotState(hour).unassigned().isEmpty()) {
                    enumerator.handleSplitRequest(0, "reader");
                }

                listRequests.add(LOCAL.counters().s3Requests(S3Operation.LIST) - listsBefore);
                WatchEnumeratorState state = enumerator.snapshotState(hour);
                trackedKeys.add(state.trackedKeys());
                stateBytes.add(serializer.serialize(state).length);
            }
            assigned.addAll(context.getSplitAssignments().get(0).getAssignedSplits());
        }

        assertThat(assigned).as("every object discovered once").hasSize(20_000);
        assertThat(assigned.stream().map(ResultObjectSplit::location).distinct().count())
                .as("and each a different object")
                .isEqualTo(20_000);
        // Open at hh:30 with a 2 h lifetime: hours h-3 .. h+1, of which h-3 .. h hold objects.
        for (int hour = 3; hour < HOURS; hour++) {
            assertThat(trackedKeys.get(hour)).isEqualTo(4 * OBJECTS_PER_HOUR);
            // 4 buckets of 2,000 keys = 2 pages each, plus 1 request for the empty next hour.
            assertThat(listRequests.get(hour)).isEqualTo(4 * 2 + 1);
        }
        assertThat(stateBytes.get(HOURS - 1))
                .as("state after 20,000 objects vs after 8,000: the same window")
                .isBetween(stateBytes.get(3) - 64, stateBytes.get(3) + 64);
        assertThat(stateBytes.get(HOURS - 1)).isLessThan(8_000 * 120);
    }

    private static long now(ManualClock clock) {
        return clock.absoluteTimeMillis();
    }

    private static void writeBucket(int hour) {
        String bucket = String.format("out/r/2026/11/25/%02d/", hour);
        Map<String, String> objects = new HashMap<>();
        for (int i = 0; i < OBJECTS_PER_HOUR; i++) {
            objects.put(
                    bucket + String.format("%032x.out", (long) hour * OBJECTS_PER_HOUR + i), "x");
        }
        LOCAL.putObjects(objects);
    }
}
