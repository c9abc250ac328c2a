package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.typeutils.ConnectorTypeInfo;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for {@link InferenceResult}, given the carried element's type. */
@PublicEvolving
public final class InferenceResultTypeInfo<E> extends ConnectorTypeInfo<InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<E> elementType;

    public InferenceResultTypeInfo(TypeInformation<E> elementType) {
        super(InferenceResult.class, elementType);
        this.elementType = elementType;
    }

    public TypeInformation<E> elementType() {
        return elementType;
    }

    @Override
    public TypeSerializer<InferenceResult<E>> createSerializer(SerializerConfig config) {
        return new InferenceResultSerializer<>(elementType.createSerializer(config));
    }
}
