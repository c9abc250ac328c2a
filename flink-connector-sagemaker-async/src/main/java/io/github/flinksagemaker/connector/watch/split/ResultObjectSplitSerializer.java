package io.github.flinksagemaker.connector.watch.split;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.typeutils.Ordinals;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/**
 * Serializer of {@link ResultObjectSplit}. Version 1: bucket, key (modified UTF-8), status ordinal,
 * size, last-modified, ETag (flag + string). Every version ever written keeps a reader here.
 */
@Internal
public final class ResultObjectSplitSerializer
        implements SimpleVersionedSerializer<ResultObjectSplit> {
    public static final ResultObjectSplitSerializer INSTANCE = new ResultObjectSplitSerializer();
    public static final int CURRENT_VERSION = 1;

    private static final ResultStatus[] STATUSES = ResultStatus.values();

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(ResultObjectSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + split.location().key().length());
        out.writeUTF(split.location().bucket());
        out.writeUTF(split.location().key());
        out.writeByte(split.status().canonical().ordinal());
        out.writeLong(split.size());
        out.writeLong(split.lastModifiedMillis());
        out.writeBoolean(split.etag() != null);
        if (split.etag() != null) {
            out.writeUTF(split.etag());
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public ResultObjectSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "Unknown ResultObjectSplit serializer version "
                            + version
                            + "; this connector reads version "
                            + CURRENT_VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        ResultObjectSplit split = readV1(in);
        if (in.available() > 0) {
            throw new IOException(
                    "Unexpected " + in.available() + " trailing bytes in a ResultObjectSplit");
        }
        return split;
    }

    private static ResultObjectSplit readV1(DataInputDeserializer in) throws IOException {
        S3Location location = new S3Location(in.readUTF(), in.readUTF());
        ResultStatus status = Ordinals.read(STATUSES, in.readUnsignedByte());
        long size = in.readLong();
        long lastModified = in.readLong();
        String etag = in.readBoolean() ? in.readUTF() : null;
        return new ResultObjectSplit(location, status, size, lastModified, etag);
    }
}
