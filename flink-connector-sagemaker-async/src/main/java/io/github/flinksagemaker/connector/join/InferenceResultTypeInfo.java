package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.Objects;

/** Type information for {@link InferenceResult}, given the carried element's type. */
@PublicEvolving
public final class InferenceResultTypeInfo<E> extends TypeInformation<InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<E> elementType;

    public InferenceResultTypeInfo(TypeInformation<E> elementType) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
    }

    public TypeInformation<E> elementType() {
        return elementType;
    }

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
    @SuppressWarnings("unchecked")
    public Class<InferenceResult<E>> getTypeClass() {
        return (Class<InferenceResult<E>>) (Class<?>) InferenceResult.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<InferenceResult<E>> createSerializer(SerializerConfig config) {
        return new InferenceResultSerializer<>(elementType.createSerializer(config));
    }

    @Override
    public String toString() {
        return "InferenceResult<" + elementType + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof InferenceResultTypeInfo
                && elementType.equals(((InferenceResultTypeInfo<?>) obj).elementType);
    }

    @Override
    public int hashCode() {
        return elementType.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof InferenceResultTypeInfo;
    }
}
