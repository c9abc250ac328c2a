package io.github.flinksagemaker.connector.watch.enumerator;

import org.apache.flink.annotation.Internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the enumerator remembers of one watched prefix: the keys already discovered, grouped by time
 * bucket ("" without buckets), and the newest last-modified time seen. Kept bounded by pruning:
 * whole buckets once they close, or keys older than the high-water mark minus the lookback.
 */
@Internal
public final class PrefixState {
    private long highWaterMarkMillis;
    private final TreeMap<String, TreeMap<String, Long>> keysByBucket;

    public PrefixState() {
        this(Long.MIN_VALUE, new TreeMap<>());
    }

    PrefixState(long highWaterMarkMillis, TreeMap<String, TreeMap<String, Long>> keysByBucket) {
        this.highWaterMarkMillis = highWaterMarkMillis;
        this.keysByBucket = keysByBucket;
    }

    public long highWaterMarkMillis() {
        return highWaterMarkMillis;
    }

    /** Bucket to (key to last-modified), sorted; do not modify. */
    Map<String, TreeMap<String, Long>> keysByBucket() {
        return keysByBucket;
    }

    /** Records a listed object; true if it was not known yet. */
    boolean remember(String bucket, String key, long lastModifiedMillis) {
        highWaterMarkMillis = Math.max(highWaterMarkMillis, lastModifiedMillis);
        return keysByBucket
                        .computeIfAbsent(bucket, b -> new TreeMap<>())
                        .putIfAbsent(key, lastModifiedMillis)
                == null;
    }

    /** Forgets every bucket not in {@code openBuckets}: they are never listed again. */
    void retainBuckets(Set<String> openBuckets) {
        keysByBucket.keySet().retainAll(openBuckets);
    }

    /** Forgets keys last modified before {@code minLastModifiedMillis}: listings skip them. */
    void forgetBefore(long minLastModifiedMillis) {
        keysByBucket
                .values()
                .forEach(keys -> keys.values().removeIf(t -> t < minLastModifiedMillis));
        keysByBucket.values().removeIf(Map::isEmpty);
    }

    public int keyCount() {
        return keysByBucket.values().stream().mapToInt(Map::size).sum();
    }

    PrefixState copy() {
        TreeMap<String, TreeMap<String, Long>> copy = new TreeMap<>();
        keysByBucket.forEach((bucket, keys) -> copy.put(bucket, new TreeMap<>(keys)));
        return new PrefixState(highWaterMarkMillis, copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixState
                && highWaterMarkMillis == ((PrefixState) o).highWaterMarkMillis
                && keysByBucket.equals(((PrefixState) o).keysByBucket);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(highWaterMarkMillis) + keysByBucket.hashCode();
    }

    @Override
    public String toString() {
        return "PrefixState{highWaterMark=" + highWaterMarkMillis + ", keys=" + keyCount() + '}';
    }
}
