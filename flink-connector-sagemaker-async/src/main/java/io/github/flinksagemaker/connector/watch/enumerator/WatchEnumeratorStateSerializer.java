package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplitSerializer;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serializer of {@link WatchEnumeratorState}. Version 1: start floor; per prefix its ID, high-water
 * mark and keys by bucket with their last-modified times; then the split serializer's version and
 * the unassigned splits in it. Every version ever written keeps a reader here.
 */
@Internal
public final class WatchEnumeratorStateSerializer
        implements SimpleVersionedSerializer<WatchEnumeratorState> {
    public static final int CURRENT_VERSION = 1;

    private final ResultObjectSplitSerializer splitSerializer =
            ResultObjectSplitSerializer.INSTANCE;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(WatchEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeLong(state.startFloorMillis());
        Map<String, PrefixState> prefixes = state.prefixes();
        out.writeInt(prefixes.size());
        for (Map.Entry<String, PrefixState> prefix : prefixes.entrySet()) {
            out.writeUTF(prefix.getKey());
            out.writeLong(prefix.getValue().highWaterMarkMillis());
            Map<String, TreeMap<String, Long>> buckets = prefix.getValue().keysByBucket();
            out.writeInt(buckets.size());
            for (Map.Entry<String, TreeMap<String, Long>> bucket : buckets.entrySet()) {
                out.writeUTF(bucket.getKey());
                out.writeInt(bucket.getValue().size());
                for (Map.Entry<String, Long> key : bucket.getValue().entrySet()) {
                    out.writeUTF(key.getKey());
                    out.writeLong(key.getValue());
                }
            }
        }
        out.writeInt(splitSerializer.getVersion());
        out.writeInt(state.unassigned().size());
        for (ResultObjectSplit split : state.unassigned()) {
            byte[] bytes = splitSerializer.serialize(split);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public WatchEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "Unknown WatchEnumeratorState serializer version "
                            + version
                            + "; this connector reads version "
                            + CURRENT_VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        WatchEnumeratorState state = readV1(in);
        if (in.available() > 0) {
            throw new IOException(
                    "Unexpected " + in.available() + " trailing bytes in a WatchEnumeratorState");
        }
        return state;
    }

    private WatchEnumeratorState readV1(DataInputDeserializer in) throws IOException {
        long startFloor = in.readLong();
        int prefixCount = in.readInt();
        Map<String, PrefixState> prefixes = new TreeMap<>();
        for (int p = 0; p < prefixCount; p++) {
            String id = in.readUTF();
            long highWaterMark = in.readLong();
            int bucketCount = in.readInt();
            TreeMap<String, TreeMap<String, Long>> buckets = new TreeMap<>();
            for (int b = 0; b < bucketCount; b++) {
                String bucket = in.readUTF();
                int keyCount = in.readInt();
                TreeMap<String, Long> keys = new TreeMap<>();
                for (int k = 0; k < keyCount; k++) {
                    keys.put(in.readUTF(), in.readLong());
                }
                buckets.put(bucket, keys);
            }
            prefixes.put(id, new PrefixState(highWaterMark, buckets));
        }
        int splitVersion = in.readInt();
        int splitCount = in.readInt();
        List<ResultObjectSplit> unassigned = new ArrayList<>(splitCount);
        for (int s = 0; s < splitCount; s++) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            unassigned.add(splitSerializer.deserialize(splitVersion, bytes));
        }
        return new WatchEnumeratorState(startFloor, prefixes, unassigned);
    }
}
