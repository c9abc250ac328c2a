package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.enumerator.ResultObjectEnumerator;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.apache.flink.util.clock.ManualClock;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * LIST requests per discovery of the watch source's enumerator, through the real SDK client, as a
 * prefix accumulates history: with hourly time buckets (the layout the one-call API uses) and, for
 * contrast, without them. History lies in buckets older than the bucket lifetime; the current hour
 * holds a fixed number of new results.
 */
final class ListingCostBenchmark {
    private static final long NOW = Instant.parse("2026-11-25T12:30:00Z").toEpochMilli();
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
    static final int CURRENT_OBJECTS = 500;

    private final LocalSetup setup;
    private final S3AsyncClient s3;
    private final String prefix;
    private long history;

    ListingCostBenchmark(LocalSetup setup) {
        this.setup = setup;
        this.s3 = setup.s3Client();
        this.prefix = "listing-" + System.nanoTime() + "/output";
        write(Instant.ofEpochMilli(NOW), 0, CURRENT_OBJECTS);
    }

    /** Adds historical objects, 2,000 per hour bucket going back from two days ago. */
    void growHistoryTo(long objects) {
        while (history < objects) {
            long hoursBack = 48 + history / 2_000;
            Instant hour = Instant.ofEpochMilli(NOW).minus(Duration.ofHours(hoursBack));
            int count = (int) Math.min(2_000, objects - history);
            write(hour, history, count);
            history += count;
        }
    }

    /** LIST requests of one steady-state discovery (the second after the enumerator starts). */
    long listRequestsPerDiscovery(boolean timeBuckets) throws Exception {
        Configuration options = setup.connector("listing");
        options.set(WatchOptions.OUTPUT_PATH, "s3://" + setup.local.bucket() + "/" + prefix);
        options.removeConfig(WatchOptions.FAILURE_PATH);
        if (timeBuckets) {
            options.set(WatchOptions.TIME_BUCKETS, "r/{yyyy}/{MM}/{dd}/{HH}");
        }
        WatchConfig watch = WatchConfig.from(options);
        TestingSplitEnumeratorContext<ResultObjectSplit> context =
                new TestingSplitEnumeratorContext<>(1);
        ManualClock clock = new ManualClock(TimeUnit.MILLISECONDS.toNanos(NOW));
        try (ResultObjectEnumerator enumerator =
                new ResultObjectEnumerator(
                        context, watch, WatchClientFactory.SDK.s3(watch), clock, null)) {
            enumerator.start();
            context.triggerAllActions();
            long before = setup.local.counters().s3Requests(S3Operation.LIST);
            // Discovery runs one interval after the previous listing ended: earlier ticks skip.
            clock.advanceTime(watch.discoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
            context.triggerAllActions();
            return setup.local.counters().s3Requests(S3Operation.LIST) - before;
        }
    }

    private void write(Instant hour, long first, int count) {
        String bucket = prefix + "/r/" + HOUR.format(hour) + "/";
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = bucket + String.format("%032x.out", first + i);
            puts.add(
                    s3.putObject(
                            r -> r.bucket(setup.local.bucket()).key(key),
                            AsyncRequestBody.fromString("{}")));
            if (puts.size() == 128) {
                CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
                puts.clear();
            }
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
    }

    long history() {
        return history;
    }
}
