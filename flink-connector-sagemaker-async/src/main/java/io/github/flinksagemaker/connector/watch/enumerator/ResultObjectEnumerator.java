package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.config.WatchOptions.StartFrom;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.s3.TimeBucketPattern;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig.WatchedPrefix;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.clock.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Discovers result objects by listing the watched prefixes (only their open time buckets, when
 * configured) every discovery interval, and hands them out to readers on request, a batch at a
 * time. Listing runs in the context's worker thread; all state changes on the coordinator thread.
 */
@Internal
public final class ResultObjectEnumerator
        implements SplitEnumerator<ResultObjectSplit, WatchEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(ResultObjectEnumerator.class);
    private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

    private final SplitEnumeratorContext<ResultObjectSplit> context;
    private final WatchConfig config;
    private final S3ObjectStore store;
    private final Clock clock;
    private final long startFloorMillis;
    private final Map<String, PrefixState> prefixStates = new HashMap<>();
    private final Deque<ResultObjectSplit> unassigned = new ArrayDeque<>();
    private final Set<Integer> waitingReaders = new LinkedHashSet<>();

    /** High-water marks as of the last discovery, for the listing thread to filter with. */
    private volatile Map<String, Long> highWaterMarks = Map.of();

    private boolean noMoreSplits;

    /** Periodic listings may still be scheduled after close; they must not touch the store. */
    private volatile boolean closed;

    private final Counter listRequests;
    private final Counter objectsDiscovered;
    private final Counter listFailures;
    private volatile long discoveryLagMillis;

    public ResultObjectEnumerator(
            SplitEnumeratorContext<ResultObjectSplit> context,
            WatchConfig config,
            S3ObjectStore store,
            Clock clock,
            WatchEnumeratorState restored) {
        this.context = context;
        this.config = config;
        this.store = store;
        this.clock = clock;
        if (restored != null) {
            this.startFloorMillis = restored.startFloorMillis();
            prefixStates.putAll(restored.prefixes());
            unassigned.addAll(restored.unassigned());
        } else {
            this.startFloorMillis =
                    config.startFrom() == StartFrom.NOW
                            ? clock.absoluteTimeMillis() - config.lookback().toMillis()
                            : Long.MIN_VALUE;
        }
        for (WatchedPrefix prefix : config.prefixes()) {
            prefixStates.putIfAbsent(prefix.id(), new PrefixState());
        }
        publishHighWaterMarks();

        MetricGroup metrics = context.metricGroup().addGroup("sagemakerAsync");
        this.listRequests = metrics.counter("listRequests");
        this.objectsDiscovered = metrics.counter("objectsDiscovered");
        this.listFailures = metrics.counter("listFailures");
        metrics.gauge("discoveryLagMillis", () -> discoveryLagMillis);
        metrics.gauge("unassignedObjects", unassigned::size);
        metrics.gauge(
                "trackedKeys",
                () -> prefixStates.values().stream().mapToInt(PrefixState::keyCount).sum());
    }

    @Override
    public void start() {
        context.callAsync(
                this::discover, this::onDiscovered, 0L, config.discoveryInterval().toMillis());
    }

    /** One listing of one prefix (or one time bucket of it). */
    private record Listing(
            WatchedPrefix prefix, String bucket, S3Location location, long minLastModified) {}

    /** One object a listing found. */
    private record Found(WatchedPrefix prefix, String bucket, S3ObjectSummary object) {}

    /** What one discovery saw. */
    record Discovery(List<Found> found, int listRequests, Map<String, Set<String>> openBuckets) {}

    /** Runs in the worker thread: reads only config, the clock and published high-water marks. */
    Discovery discover() {
        if (closed) {
            return new Discovery(List.of(), 0, Map.of());
        }
        long now = clock.absoluteTimeMillis();
        Map<String, Set<String>> openBuckets = new HashMap<>();
        List<Listing> listings = new ArrayList<>();
        TimeBucketPattern buckets = config.timeBuckets();
        for (WatchedPrefix prefix : config.prefixes()) {
            if (buckets == null) {
                long highWaterMark = highWaterMarks.getOrDefault(prefix.id(), Long.MIN_VALUE);
                long floor =
                        highWaterMark == Long.MIN_VALUE
                                ? startFloorMillis
                                : Math.max(
                                        startFloorMillis,
                                        highWaterMark - config.lookback().toMillis());
                listings.add(new Listing(prefix, "", directory(prefix.root(), ""), floor));
            } else {
                // A bucket keeps receiving results for the bucket lifetime after its hour; one
                // hour ahead tolerates clock skew between the submitting hosts and this one.
                Set<String> open =
                        buckets.bucketsBetween(
                                now - config.bucketLifetime().toMillis() - HOUR_MILLIS,
                                now + HOUR_MILLIS);
                openBuckets.put(prefix.id(), open);
                for (String bucket : open) {
                    listings.add(
                            new Listing(
                                    prefix,
                                    bucket,
                                    directory(prefix.root(), bucket),
                                    startFloorMillis));
                }
            }
        }
        // All listings of one discovery run at once: sequentially, a window of a dozen buckets
        // made each discovery slower than the discovery interval.
        List<List<Found>> foundPerListing = new ArrayList<>();
        List<CompletableFuture<Integer>> requestsPerListing = new ArrayList<>();
        for (Listing listing : listings) {
            List<Found> found = new ArrayList<>();
            foundPerListing.add(found);
            requestsPerListing.add(
                    store.listObjects(
                            listing.location(),
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
            requests += requestsPerListing.get(i).join();
            found.addAll(foundPerListing.get(i));
        }
        return new Discovery(found, requests, openBuckets);
    }

    /** Runs in the coordinator thread. */
    void onDiscovered(Discovery discovery, Throwable error) {
        if (closed) {
            return;
        }
        if (error != null) {
            listFailures.inc();
            LOG.warn("Listing the watched prefixes failed; retrying at the next interval", error);
            return;
        }
        if (noMoreSplits) {
            return;
        }
        listRequests.inc(discovery.listRequests());
        long now = clock.absoluteTimeMillis();
        long maxLag = 0;
        int discovered = 0;
        for (Found found : discovery.found()) {
            S3ObjectSummary object = found.object();
            PrefixState state = prefixStates.get(found.prefix().id());
            if (state.remember(found.bucket(), object.key(), object.lastModifiedMillis())) {
                unassigned.add(
                        new ResultObjectSplit(
                                new S3Location(found.prefix().root().bucket(), object.key()),
                                found.prefix().status(),
                                object.size(),
                                object.lastModifiedMillis(),
                                object.etag()));
                maxLag = Math.max(maxLag, now - object.lastModifiedMillis());
                discovered++;
            }
        }
        objectsDiscovered.inc(discovered);
        if (discovered > 0) {
            discoveryLagMillis = maxLag;
        }
        forgetWhatListingsSkip(discovery);
        publishHighWaterMarks();
        if (config.bounded() && discovered == 0 && unassigned.isEmpty()) {
            noMoreSplits = true;
            LOG.info("Bounded watch: a listing found nothing new; no more splits");
        }
        assignToWaitingReaders();
    }

    private void forgetWhatListingsSkip(Discovery discovery) {
        for (WatchedPrefix prefix : config.prefixes()) {
            PrefixState state = prefixStates.get(prefix.id());
            if (config.timeBuckets() != null) {
                state.retainBuckets(discovery.openBuckets().get(prefix.id()));
            } else if (state.highWaterMarkMillis() != Long.MIN_VALUE) {
                state.forgetBefore(state.highWaterMarkMillis() - config.lookback().toMillis());
            }
        }
    }

    private void publishHighWaterMarks() {
        Map<String, Long> marks = new HashMap<>();
        prefixStates.forEach((id, state) -> marks.put(id, state.highWaterMarkMillis()));
        highWaterMarks = marks;
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        waitingReaders.add(subtaskId);
        assignToWaitingReaders();
    }

    @Override
    public void addSplitsBack(List<ResultObjectSplit> splits, int subtaskId) {
        // Returned by a failed reader: hand them out first, in their order.
        for (int i = splits.size() - 1; i >= 0; i--) {
            unassigned.addFirst(splits.get(i));
        }
        assignToWaitingReaders();
    }

    @Override
    public void addReader(int subtaskId) {
        // Readers ask for splits when they have none.
    }

    private void assignToWaitingReaders() {
        Iterator<Integer> readers = waitingReaders.iterator();
        while (readers.hasNext()) {
            int reader = readers.next();
            if (!context.registeredReaders().containsKey(reader)) {
                readers.remove();
                continue;
            }
            if (!unassigned.isEmpty()) {
                List<ResultObjectSplit> batch = new ArrayList<>();
                while (batch.size() < config.splitsPerRequest() && !unassigned.isEmpty()) {
                    batch.add(unassigned.pollFirst());
                }
                context.assignSplits(new SplitsAssignment<>(Map.of(reader, batch)));
                readers.remove();
            } else if (noMoreSplits) {
                context.signalNoMoreSplits(reader);
                readers.remove();
            }
        }
    }

    @Override
    public WatchEnumeratorState snapshotState(long checkpointId) {
        return new WatchEnumeratorState(
                startFloorMillis, prefixStates, new ArrayList<>(unassigned));
    }

    @Override
    public void close() {
        closed = true;
        store.close();
    }

    private static S3Location directory(S3Location root, String bucket) {
        S3Location base = bucket.isEmpty() ? root : root.child(bucket);
        String key = base.key();
        return key.isEmpty() || key.endsWith("/") ? base : new S3Location(base.bucket(), key + "/");
    }
}
