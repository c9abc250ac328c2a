package io.github.flinksagemaker.connector.watch;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializer of {@link InferenceOutput}. Record format version 1: location, status, a flags byte
 * (content, content type, ETag present), the present fields, last-modified and size. A later format
 * must keep a reader for version 1, chosen by the snapshot's version.
 */
@Internal
public final class InferenceOutputSerializer extends TypeSerializerSingleton<InferenceOutput> {
    private static final long serialVersionUID = 1L;
    public static final InferenceOutputSerializer INSTANCE = new InferenceOutputSerializer();

    private static final int HAS_CONTENT = 1;
    private static final int HAS_CONTENT_TYPE = 1 << 1;
    private static final int HAS_ETAG = 1 << 2;
    private static final ResultStatus[] STATUSES = ResultStatus.values();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public InferenceOutput createInstance() {
        return new InferenceOutput("s3://", ResultStatus.SUCCESS, null, null, 0L, 0L, null);
    }

    @Override
    public InferenceOutput copy(InferenceOutput from) {
        return from;
    }

    @Override
    public InferenceOutput copy(InferenceOutput from, InferenceOutput reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(InferenceOutput record, DataOutputView target) throws IOException {
        StringValue.writeString(record.location(), target);
        target.writeByte(record.status().ordinal());
        int flags =
                (record.content() != null ? HAS_CONTENT : 0)
                        | (record.contentType() != null ? HAS_CONTENT_TYPE : 0)
                        | (record.etag() != null ? HAS_ETAG : 0);
        target.writeByte(flags);
        if (record.content() != null) {
            target.writeInt(record.content().length);
            target.write(record.content());
        }
        if (record.contentType() != null) {
            StringValue.writeString(record.contentType(), target);
        }
        if (record.etag() != null) {
            StringValue.writeString(record.etag(), target);
        }
        target.writeLong(record.lastModifiedMillis());
        target.writeLong(record.size());
    }

    @Override
    public InferenceOutput deserialize(DataInputView source) throws IOException {
        String location = StringValue.readString(source);
        ResultStatus status = STATUSES[source.readUnsignedByte()];
        int flags = source.readUnsignedByte();
        byte[] content = null;
        if ((flags & HAS_CONTENT) != 0) {
            content = new byte[source.readInt()];
            source.readFully(content);
        }
        String contentType =
                (flags & HAS_CONTENT_TYPE) != 0 ? StringValue.readString(source) : null;
        String etag = (flags & HAS_ETAG) != 0 ? StringValue.readString(source) : null;
        long lastModified = source.readLong();
        long size = source.readLong();
        return new InferenceOutput(
                location, status, content, contentType, lastModified, size, etag);
    }

    @Override
    public InferenceOutput deserialize(InferenceOutput reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<InferenceOutput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link InferenceOutputSerializer}; its version is the record format version. */
    public static final class Snapshot implements TypeSerializerSnapshot<InferenceOutput> {
        private static final int CURRENT_VERSION = 1;
        private int readVersion = CURRENT_VERSION;

        @Override
        public int getCurrentVersion() {
            return CURRENT_VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            if (readVersion != CURRENT_VERSION) {
                throw new IOException(
                        "Cannot read InferenceOutputSerializer snapshot version "
                                + readVersion
                                + "; this connector reads version "
                                + CURRENT_VERSION);
            }
            this.readVersion = readVersion;
        }

        @Override
        public InferenceOutputSerializer restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<InferenceOutput> resolveSchemaCompatibility(
                TypeSerializerSnapshot<InferenceOutput> oldSnapshot) {
            return oldSnapshot instanceof Snapshot
                            && ((Snapshot) oldSnapshot).readVersion == CURRENT_VERSION
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
