package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The snapshot of a serializer whose snapshot version is its record format version. The
 * serializer's reader understands every version from {@code oldestVersion} on (later versions only
 * add fields behind flags), so a snapshot of any of them restores as compatible; an unknown version
 * is an error naming the type and the versions this connector reads.
 */
@Internal
public abstract class RecordFormatSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final int currentVersion;
    private final int oldestVersion;
    private final Supplier<? extends TypeSerializer<T>> serializer;
    private int readVersion;

    protected RecordFormatSnapshot(
            int currentVersion,
            int oldestVersion,
            Supplier<? extends TypeSerializer<T>> serializer) {
        this.currentVersion = currentVersion;
        this.oldestVersion = oldestVersion;
        this.serializer = serializer;
        this.readVersion = currentVersion;
    }

    @Override
    public final int getCurrentVersion() {
        return currentVersion;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) {}

    @Override
    public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
            throws IOException {
        if (readVersion < oldestVersion || readVersion > currentVersion) {
            throw new IOException(
                    "Cannot read a "
                            + getClass().getName()
                            + " of version "
                            + readVersion
                            + "; this connector reads versions "
                            + oldestVersion
                            + " to "
                            + currentVersion);
        }
        this.readVersion = readVersion;
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        return serializer.get();
    }

    /**
     * Flink 2.x asks the new serializer's snapshot about the old one ({@code
     * newSnapshot.resolveSchemaCompatibility(oldSnapshot)}); the old one is compatible as is when
     * it is this format, under this class name or one {@link #sharesFormatWith} accepts, in a
     * version the reader reads.
     */
    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        return isThisFormat(oldSnapshot)
                        && ((RecordFormatSnapshot<T>) oldSnapshot).readVersion >= oldestVersion
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }

    private boolean isThisFormat(TypeSerializerSnapshot<T> oldSnapshot) {
        return oldSnapshot.getClass() == getClass()
                || (oldSnapshot instanceof RecordFormatSnapshot
                        && sharesFormatWith(oldSnapshot.getClass().getName()));
    }

    /**
     * Whether the snapshot class of this name describes this same format under another name. A
     * serializer that moves package keeps a deprecated snapshot class at its old name, because
     * savepoints name the snapshot class; the two accept each other here. Compared by name so that
     * the moved serializer's package need not depend on the one it left. None by default.
     */
    protected boolean sharesFormatWith(String snapshotClassName) {
        return false;
    }
}
