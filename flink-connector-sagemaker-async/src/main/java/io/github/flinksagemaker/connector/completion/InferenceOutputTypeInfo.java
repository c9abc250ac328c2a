package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.typeutils.ConnectorTypeInfo;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link InferenceOutput}, with its versioned serializer. */
@PublicEvolving
public final class InferenceOutputTypeInfo extends ConnectorTypeInfo<InferenceOutput> {
    private static final long serialVersionUID = 1L;

    public InferenceOutputTypeInfo() {
        super(InferenceOutput.class, null);
    }

    @Override
    public TypeSerializer<InferenceOutput> createSerializer(SerializerConfig config) {
        return InferenceOutputSerializer.INSTANCE;
    }
}
