package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.typeutils.ImmutableRecordSerializer;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** Serializer of {@link LocationClaim}. Format version 1: location, then the claimant's format. */
@Internal
public final class LocationClaimSerializer extends ImmutableRecordSerializer<LocationClaim> {
    private static final long serialVersionUID = 1L;
    public static final LocationClaimSerializer INSTANCE = new LocationClaimSerializer();

    @Override
    public LocationClaim createInstance() {
        return new LocationClaim("", ClaimantSerializer.INSTANCE.createInstance());
    }

    @Override
    protected void write(LocationClaim claim, DataOutputView target) throws IOException {
        StringValue.writeString(claim.location(), target);
        ClaimantSerializer.INSTANCE.serialize(claim.claimant(), target);
    }

    @Override
    public LocationClaim deserialize(DataInputView source) throws IOException {
        return new LocationClaim(
                StringValue.readString(source), ClaimantSerializer.INSTANCE.deserialize(source));
    }

    @Override
    public TypeSerializerSnapshot<LocationClaim> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link LocationClaimSerializer}: version 1. */
    public static final class Snapshot extends RecordFormatSnapshot<LocationClaim> {
        public Snapshot() {
            super(1, 1, () -> INSTANCE);
        }
    }
}
