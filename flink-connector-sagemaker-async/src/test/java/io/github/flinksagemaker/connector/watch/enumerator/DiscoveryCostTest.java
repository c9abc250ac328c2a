package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.clock.ManualClock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one discovery costs in LIST requests (1,000 keys per page) with the default options, in the
 * steady state of a job that has produced results at a constant rate for longer than the result
 * window: every bucket of the window holds its full share of keys. A fake store computes each
 * bucket's key count from the rate instead of holding millions of keys. The numbers printed are the
 * ones in docs/watch.md ("Cost of a discovery"); the assertions bound them.
 */
class DiscoveryCostTest {
    private static final long HOUR_START = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    private static final long INTERVAL = WatchOptions.DISCOVERY_INTERVAL.defaultValue().toMillis();

    private static final String HOURLY = "r/{yyyy}/{MM}/{dd}/{HH}";
    private static final String MINUTE = "r/{yyyy}/{MM}/{dd}/{HH}/{mm}";

    /**
     * LIST requests and keys listed by discoveries: the first one (after a start or restore), and
     * the largest and mean of one hour of them in the steady state.
     */
    record Cost(
            long firstRequests,
            long maxRequests,
            double meanRequests,
            long maxKeys,
            double meanKeys) {}

    @Test
    void hourlyBucketsAt100PerSecond() {
        Cost cost = hourOfDiscoveries(HOURLY, 100, Duration.ofMinutes(1));
        print("hourly, 100/s", cost);
        // Before: every open bucket at every discovery, 2,832 requests on average.
        assertThat(cost.meanRequests()).isLessThan(400);
        assertThat(cost.maxRequests()).as("the current hour plus older buckets").isLessThan(1_500);
    }

    @Test
    void hourlyBucketsAt1000PerSecond() {
        Cost cost = hourOfDiscoveries(HOURLY, 1_000, Duration.ofMinutes(1));
        print("hourly, 1000/s", cost);
        assertThat(cost.meanRequests()).isLessThan(4_000);
    }

    @Test
    void minuteBucketsAt100PerSecond() {
        Cost cost = hourOfDiscoveries(MINUTE, 100, Duration.ofMinutes(1));
        print("minute, 100/s", cost);
        // The window's 2.64 million keys once at the start, then the recent minutes and a share
        // of the older buckets per discovery.
        assertThat(cost.firstRequests()).isGreaterThan(2_640);
        assertThat(cost.meanRequests()).isLessThan(150);
        assertThat(cost.maxRequests()).isLessThan(300);
    }

    @Test
    void minuteBucketsAt1000PerSecond() {
        Cost cost = hourOfDiscoveries(MINUTE, 1_000, Duration.ofMinutes(1));
        print("minute, 1000/s", cost);
        assertThat(cost.meanRequests()).isLessThan(1_200);
        assertThat(cost.maxRequests()).isLessThan(2_500);
    }

    @Test
    void minuteBucketsAt1000PerSecondWithOlderBucketsEveryFiveMinutes() {
        Cost cost = hourOfDiscoveries(MINUTE, 1_000, Duration.ofMinutes(5));
        print("minute, 1000/s, older-bucket-interval 5 min", cost);
        assertThat(cost.meanRequests()).isLessThan(400);
    }

    private static void print(String what, Cost cost) {
        System.out.printf(
                "Discovery cost, %s: LIST requests first %d, then per discovery max %d mean %.0f;"
                        + " keys listed per discovery max %d mean %.0f%n",
                what,
                cost.firstRequests(),
                cost.maxRequests(),
                cost.meanRequests(),
                cost.maxKeys(),
                cost.meanKeys());
    }

    /**
     * Runs a discovery every discovery interval (a listing takes no time here) from ten minutes
     * before {@code HOUR_START}, to settle, and measures those of the following hour, the last at
     * its end when the current hourly bucket is full.
     */
    static Cost hourOfDiscoveries(String pattern, int resultsPerSecond, Duration olderInterval) {
        Configuration config = new Configuration();
        config.set(AwsConfigOptions.AWS_REGION, "us-east-1");
        config.set(WatchOptions.OUTPUT_PATH, "s3://b/out");
        config.set(WatchOptions.FAILURE_PATH, "s3://b/failed");
        config.set(WatchOptions.TIME_BUCKETS, pattern);
        config.set(WatchOptions.OLDER_BUCKET_INTERVAL, olderInterval);
        long start = HOUR_START - Duration.ofMinutes(10).toMillis();
        ManualClock clock = new ManualClock(TimeUnit.MILLISECONDS.toNanos(start));
        RateStore store = new RateStore(clock, resultsPerSecond);
        ResultObjectLister lister =
                new ResultObjectLister(WatchConfig.from(config), store, clock, Long.MIN_VALUE);
        long first = -1;
        long maxRequests = 0;
        long maxKeys = 0;
        long requests = 0;
        long keys = 0;
        int discoveries = 0;
        for (long t = start; t < HOUR_START + 3_600_000L; t += INTERVAL) {
            clock.advanceTime(Duration.ofMillis(t - clock.absoluteTimeMillis()));
            store.requests = 0;
            store.keys = 0;
            lister.discover(Map.of());
            if (first < 0) {
                first = store.requests;
            }
            if (t >= HOUR_START) {
                maxRequests = Math.max(maxRequests, store.requests);
                maxKeys = Math.max(maxKeys, store.keys);
                requests += store.requests;
                keys += store.keys;
                discoveries++;
            }
        }
        return new Cost(
                first,
                maxRequests,
                (double) requests / discoveries,
                maxKeys,
                (double) keys / discoveries);
    }

    /**
     * Output buckets hold {@code rate} keys per second of their period up to now; the failure
     * prefix is empty. Counts pages as S3 would (at least one per listing) and keys listed; hands
     * no objects to the lister, which only the counts matter for here.
     */
    static final class RateStore implements S3ObjectStore {
        private final ManualClock clock;
        private final int rate;
        long requests;
        long keys;

        RateStore(ManualClock clock, int rate) {
            this.clock = clock;
            this.rate = rate;
        }

        @Override
        public CompletableFuture<Integer> listObjects(
                S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer) {
            long count = prefix.key().startsWith("out/r/") ? keysIn(prefix.key()) : 0;
            int pages = (int) Math.max(1, (count + 999) / 1000);
            requests += pages;
            keys += count;
            return CompletableFuture.completedFuture(pages);
        }

        /** Keys in the bucket "out/r/yyyy/MM/dd/HH[/mm]/": the rate times its elapsed part. */
        private long keysIn(String key) {
            String[] parts = key.substring("out/r/".length()).split("/");
            LocalDateTime start =
                    LocalDateTime.of(
                            Integer.parseInt(parts[0]),
                            Integer.parseInt(parts[1]),
                            Integer.parseInt(parts[2]),
                            Integer.parseInt(parts[3]),
                            parts.length > 4 ? Integer.parseInt(parts[4]) : 0);
            long from = start.toInstant(ZoneOffset.UTC).toEpochMilli();
            long to = from + (parts.length > 4 ? 60_000L : 3_600_000L);
            long elapsed = Math.min(to, clock.absoluteTimeMillis()) - from;
            return Math.max(0, elapsed) * rate / 1000;
        }

        @Override
        public CompletableFuture<Void> putObject(
                S3Location location, byte[] bytes, String contentType, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
