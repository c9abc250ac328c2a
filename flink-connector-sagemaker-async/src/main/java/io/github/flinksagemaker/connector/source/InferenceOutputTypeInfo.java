package io.github.flinksagemaker.connector.source;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link InferenceOutput}, with its versioned serializer. */
@PublicEvolving
public final class InferenceOutputTypeInfo extends TypeInformation<InferenceOutput> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<InferenceOutput> getTypeClass() {
        return InferenceOutput.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<InferenceOutput> createSerializer(SerializerConfig config) {
        return InferenceOutputSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "InferenceOutput";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof InferenceOutputTypeInfo;
    }

    @Override
    public int hashCode() {
        return InferenceOutputTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof InferenceOutputTypeInfo;
    }
}
