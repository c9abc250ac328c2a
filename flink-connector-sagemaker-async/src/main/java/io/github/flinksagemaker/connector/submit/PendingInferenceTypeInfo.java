package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.typeutils.ConnectorTypeInfo;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link PendingInference}, given the carried element's type. */
@PublicEvolving
public final class PendingInferenceTypeInfo<E> extends ConnectorTypeInfo<PendingInference<E>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<E> elementType;

    public PendingInferenceTypeInfo(TypeInformation<E> elementType) {
        super(PendingInference.class, elementType);
        this.elementType = elementType;
    }

    public TypeInformation<E> elementType() {
        return elementType;
    }

    @Override
    public TypeSerializer<PendingInference<E>> createSerializer(SerializerConfig config) {
        return new PendingInferenceSerializer<>(elementType.createSerializer(config));
    }
}
