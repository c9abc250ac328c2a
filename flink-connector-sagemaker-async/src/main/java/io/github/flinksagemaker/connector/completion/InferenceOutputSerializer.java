package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.typeutils.ImmutableRecordSerializer;
import io.github.flinksagemaker.connector.typeutils.Ordinals;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializer of {@link InferenceOutput}. Record format version 2: location, status, a flags byte
 * (content, content type, ETag, read error present), the present fields, last-modified and size.
 * Version 1 is the same without the read-error flag, so this reader reads both.
 */
@Internal
public final class InferenceOutputSerializer extends ImmutableRecordSerializer<InferenceOutput> {
    private static final long serialVersionUID = 1L;
    public static final InferenceOutputSerializer INSTANCE = new InferenceOutputSerializer();

    private static final int HAS_CONTENT = 1;
    private static final int HAS_CONTENT_TYPE = 1 << 1;
    private static final int HAS_ETAG = 1 << 2;
    private static final int HAS_READ_ERROR = 1 << 3;
    private static final ResultStatus[] STATUSES = ResultStatus.values();

    @Override
    public InferenceOutput createInstance() {
        return new InferenceOutput("s3://", ResultStatus.SUCCESS, null, null, 0L, 0L, null);
    }

    @Override
    protected void write(InferenceOutput record, DataOutputView target) throws IOException {
        StringValue.writeString(record.location(), target);
        target.writeByte(record.status().canonical().ordinal());
        int flags =
                (record.content() != null ? HAS_CONTENT : 0)
                        | (record.contentType() != null ? HAS_CONTENT_TYPE : 0)
                        | (record.etag() != null ? HAS_ETAG : 0)
                        | (record.readError() != null ? HAS_READ_ERROR : 0);
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
        if (record.readError() != null) {
            StringValue.writeString(record.readError(), target);
        }
        target.writeLong(record.lastModifiedMillis());
        target.writeLong(record.size());
    }

    @Override
    public InferenceOutput deserialize(DataInputView source) throws IOException {
        String location = StringValue.readString(source);
        ResultStatus status = Ordinals.read(STATUSES, source.readUnsignedByte());
        int flags = source.readUnsignedByte();
        byte[] content = null;
        if ((flags & HAS_CONTENT) != 0) {
            content = new byte[source.readInt()];
            source.readFully(content);
        }
        String contentType =
                (flags & HAS_CONTENT_TYPE) != 0 ? StringValue.readString(source) : null;
        String etag = (flags & HAS_ETAG) != 0 ? StringValue.readString(source) : null;
        String readError = (flags & HAS_READ_ERROR) != 0 ? StringValue.readString(source) : null;
        long lastModified = source.readLong();
        long size = source.readLong();
        return readError != null
                ? InferenceOutput.unreadable(location, status, lastModified, size, etag, readError)
                : new InferenceOutput(
                        location, status, content, contentType, lastModified, size, etag);
    }

    @Override
    public TypeSerializerSnapshot<InferenceOutput> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of {@link InferenceOutputSerializer}: versions 1 and 2. Also accepts the snapshot
     * class this serializer had in package {@code watch}, which savepoints taken before the move
     * name.
     */
    public static final class Snapshot extends RecordFormatSnapshot<InferenceOutput> {
        // By name: completion must not depend on watch.
        static final String NAME_BEFORE_MOVE =
                "io.github.flinksagemaker.connector.watch.InferenceOutputSerializer$Snapshot";

        public Snapshot() {
            super(2, 1, () -> INSTANCE);
        }

        @Override
        protected boolean sharesFormatWith(String snapshotClassName) {
            return NAME_BEFORE_MOVE.equals(snapshotClassName);
        }
    }
}
