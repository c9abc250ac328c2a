package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutputSerializer;
import io.github.flinksagemaker.connector.typeutils.RecordTypeInfo;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Type information of the records the re-join passes on and keeps in state. */
@Internal
public final class JoinTypes {
    public static final TypeInformation<LocationClaim> LOCATION_CLAIM =
            new RecordTypeInfo<>(LocationClaim.class, LocationClaimSerializer.INSTANCE);
    public static final TypeInformation<Claimant> CLAIMANT =
            new RecordTypeInfo<>(Claimant.class, ClaimantSerializer.INSTANCE);
    public static final TypeInformation<TaggedOutput> TAGGED_OUTPUT =
            new RecordTypeInfo<>(TaggedOutput.class, TaggedOutputSerializer.INSTANCE);
    public static final TypeInformation<HeldOutput> HELD_OUTPUT =
            new RecordTypeInfo<>(HeldOutput.class, HeldOutputSerializer.INSTANCE);

    private JoinTypes() {}
}
