package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;

/**
 * Where {@link io.github.flinksagemaker.connector.completion.InferenceOutputSerializer} lived
 * before it moved to package {@code completion}. Savepoints name a serializer's snapshot class, so
 * state holding {@link InferenceOutput} that was saved before the move names {@link Snapshot}; this
 * class keeps that name loadable, and it restores the serializer at its new place.
 *
 * <p>It can go in the connector's next major version, whose release notes ask users to take a
 * savepoint with a version that has the move before upgrading (that savepoint names the new class).
 *
 * @deprecated only for restoring savepoints; use {@link
 *     io.github.flinksagemaker.connector.completion.InferenceOutputSerializer}.
 */
@Deprecated
@Internal
public final class InferenceOutputSerializer {
    private InferenceOutputSerializer() {}

    /**
     * The snapshot of versions 1 and 2, which is all this name was ever written with. Flink 2.x
     * resolves compatibility on the new serializer's snapshot, which accepts this one; this one
     * accepts that one in turn so that either side answers the same.
     *
     * @deprecated only for restoring savepoints.
     */
    @Deprecated
    public static final class Snapshot extends RecordFormatSnapshot<InferenceOutput> {
        public Snapshot() {
            super(
                    2,
                    1,
                    () ->
                            io.github.flinksagemaker.connector.completion.InferenceOutputSerializer
                                    .INSTANCE);
        }

        @Override
        protected boolean sharesFormatWith(String snapshotClassName) {
            return io.github.flinksagemaker.connector.completion.InferenceOutputSerializer.Snapshot
                    .class
                    .getName()
                    .equals(snapshotClassName);
        }
    }
}
