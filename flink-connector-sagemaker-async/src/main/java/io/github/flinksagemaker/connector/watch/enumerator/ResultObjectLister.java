package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.s3.TimeBucketPattern;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig.WatchedPrefix;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.clock.Clock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Lists what may hold new result objects: each watched prefix whole, or only its open time buckets
 * (and, for the failure prefix, the objects directly below it), skipping objects older than what
 * the state remembers. Runs in the enumerator context's worker thread and touches no enumerator
 * state: it reads the configuration, the clock and the high-water marks it is given.
 *
 * <p>Of the open buckets, only the recent ones (within the recent-bucket margin of their period)
 * are listed at every discovery: a bucket is chosen at submit time, so it receives most of its
 * results while recent, and its random keys give no point to resume a listing from, so each listing
 * reads all of it. Each older bucket is listed once per older-bucket interval, at a phase of its
 * own so that those listings spread over the interval instead of coinciding. Which older bucket was
 * listed when is not checkpointed: after a restore every open bucket is listed at once.
 */
@Internal
final class ResultObjectLister {
    private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

    private final WatchConfig config;
    private final S3ObjectStore store;
    private final Clock clock;
    private final long startFloorMillis;

    /** Open older bucket to the older-bucket slot it was last listed in; worker thread only. */
    private final Map<String, Long> listedInSlot = new HashMap<>();

    ResultObjectLister(
            WatchConfig config, S3ObjectStore store, Clock clock, long startFloorMillis) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.startFloorMillis = startFloorMillis;
    }

    /** One listing of one prefix, one of its time buckets, or its direct children. */
    private record Listing(
            WatchedPrefix prefix,
            String bucket,
            S3Location location,
            boolean directChildrenOnly,
            long minLastModified) {}

    /** One object a listing found, with the bucket it was found in. */
    record Found(WatchedPrefix prefix, String bucket, S3ObjectSummary object) {}

    /** What one discovery saw, and the buckets that were open for it per prefix ID. */
    record Discovery(List<Found> found, int listRequests, Map<String, Set<String>> openBuckets) {}

    /** A listing that failed, with the place it listed. */
    static final class ListingException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient S3Location location;

        ListingException(S3Location location, Throwable cause) {
            super("Listing " + location + " failed", cause);
            this.location = location;
        }

        S3Location location() {
            return location;
        }
    }

    /**
     * Lists once. All listings of one discovery run at once: one after another, a window of a dozen
     * buckets made a discovery slower than the discovery interval.
     *
     * @param highWaterMarks newest last-modified time seen per prefix ID
     * @throws ListingException for the first listing that failed
     */
    Discovery discover(Map<String, Long> highWaterMarks) {
        long now = clock.absoluteTimeMillis();
        Map<String, Set<String>> openBuckets = new HashMap<>();
        List<Listing> listings = new ArrayList<>();
        TimeBucketPattern buckets = config.timeBuckets();
        // A bucket keeps receiving results for the bucket lifetime after its period; one hour
        // ahead tolerates clock skew between the submitting hosts and this one.
        Set<String> open =
                buckets == null
                        ? Set.of()
                        : buckets.bucketsBetween(
                                now - config.bucketLifetime().toMillis() - HOUR_MILLIS,
                                now + HOUR_MILLIS);
        Map<String, Long> slots = buckets == null ? Map.of() : bucketsToList(buckets, now, open);
        for (WatchedPrefix prefix : config.prefixes()) {
            long recentFloor =
                    recentFloor(highWaterMarks.getOrDefault(prefix.id(), Long.MIN_VALUE));
            if (buckets == null) {
                listings.add(
                        new Listing(
                                prefix,
                                PrefixState.UNBUCKETED,
                                prefix.directory(),
                                false,
                                recentFloor));
                continue;
            }
            openBuckets.put(prefix.id(), open);
            for (String bucket : slots.keySet()) {
                listings.add(
                        new Listing(
                                prefix,
                                bucket,
                                prefix.directory().child(bucket + "/"),
                                false,
                                startFloorMillis));
            }
            if (prefix.listsDirectChildren(buckets)) {
                listings.add(
                        new Listing(
                                prefix,
                                PrefixState.UNBUCKETED,
                                prefix.directory(),
                                true,
                                recentFloor));
            }
        }
        List<List<Found>> foundPerListing = new ArrayList<>();
        List<CompletableFuture<Integer>> requestsPerListing = new ArrayList<>();
        for (Listing listing : listings) {
            List<Found> found = new ArrayList<>();
            foundPerListing.add(found);
            requestsPerListing.add(
                    store.listObjects(
                            listing.location(),
                            listing.directChildrenOnly(),
                            object -> {
                                if (object.lastModifiedMillis() >= listing.minLastModified()
                                        && !object.key().endsWith("/")) {
                                    found.add(
                                            new Found(listing.prefix(), listing.bucket(), object));
                                }
                            }));
        }
        List<Found> found = new ArrayList<>();
        int requests = 0;
        for (int i = 0; i < listings.size(); i++) {
            try {
                requests += requestsPerListing.get(i).join();
            } catch (CompletionException e) {
                throw new ListingException(listings.get(i).location(), e.getCause());
            }
            found.addAll(foundPerListing.get(i));
        }
        // Only now: after a failed listing, the older buckets are tried again at once.
        listedInSlot.keySet().retainAll(open);
        listedInSlot.putAll(slots);
        return new Discovery(found, requests, openBuckets);
    }

    /**
     * The open buckets to list now, each with its current older-bucket slot: the recent ones, those
     * never listed, and those not listed yet in their current slot; every one in a bounded watch,
     * whose end on a listing that finds nothing new needs every bucket listed.
     */
    private Map<String, Long> bucketsToList(TimeBucketPattern buckets, long now, Set<String> open) {
        long margin = config.recentBucketMargin().toMillis();
        Set<String> recent = buckets.bucketsBetween(now - margin, now + margin);
        long interval = config.olderBucketInterval().toMillis();
        Map<String, Long> toList = new LinkedHashMap<>();
        for (String bucket : open) {
            long slot = Math.floorDiv(now - phase(bucket, interval), interval);
            Long listed = listedInSlot.get(bucket);
            if (config.bounded() || recent.contains(bucket) || listed == null || listed < slot) {
                toList.put(bucket, slot);
            }
        }
        return toList;
    }

    /** Where in each older-bucket interval a bucket's slot starts: spread by its name's hash. */
    private static long phase(String bucket, long interval) {
        long mixed = bucket.hashCode() * 0x9E3779B97F4A7C15L;
        return Math.floorMod(mixed ^ (mixed >>> 29), interval);
    }

    /** Unbucketed keys are listed from the newest seen minus the lookback (or the start floor). */
    private long recentFloor(long highWaterMark) {
        return highWaterMark == Long.MIN_VALUE
                ? startFloorMillis
                : Math.max(startFloorMillis, highWaterMark - config.lookback().toMillis());
    }
}
