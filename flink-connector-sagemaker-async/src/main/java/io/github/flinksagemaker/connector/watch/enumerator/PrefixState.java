package io.github.flinksagemaker.connector.watch.enumerator;

import org.apache.flink.annotation.Internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the enumerator remembers of one watched prefix: the keys already discovered with their
 * last-modified times, grouped by time bucket ({@link #UNBUCKETED} for keys outside any bucket),
 * and the newest last-modified time seen. Kept bounded by pruning: whole buckets once they close,
 * or unbucketed keys older than the high-water mark minus the lookback.
 */
@Internal
public final class PrefixState {
    /** The bucket of keys listed without time buckets, or directly below a bucketed prefix. */
    public static final String UNBUCKETED = "";

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

    /**
     * Records a listed object; true if it is new: not known yet, or rewritten since it was (a
     * replayed submission writes its output key again, and that copy must be seen too).
     */
    boolean remember(String bucket, String key, long lastModifiedMillis) {
        highWaterMarkMillis = Math.max(highWaterMarkMillis, lastModifiedMillis);
        TreeMap<String, Long> keys = keysByBucket.computeIfAbsent(bucket, b -> new TreeMap<>());
        Long known = keys.get(key);
        if (known != null && known >= lastModifiedMillis) {
            return false;
        }
        keys.put(key, lastModifiedMillis);
        return true;
    }

    /**
     * Forgets every bucket not in {@code openBuckets} (nor unbucketed keys): never listed again.
     */
    void retainBuckets(Set<String> openBuckets) {
        keysByBucket.keySet().removeIf(b -> !b.equals(UNBUCKETED) && !openBuckets.contains(b));
    }

    /**
     * Forgets unbucketed keys last modified before {@code minLastModifiedMillis}: listings skip
     * them.
     */
    void forgetUnbucketedBefore(long minLastModifiedMillis) {
        TreeMap<String, Long> keys = keysByBucket.get(UNBUCKETED);
        if (keys != null) {
            keys.values().removeIf(t -> t < minLastModifiedMillis);
            if (keys.isEmpty()) {
                keysByBucket.remove(UNBUCKETED);
            }
        }
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
