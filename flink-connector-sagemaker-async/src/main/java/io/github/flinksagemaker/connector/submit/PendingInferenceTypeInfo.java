package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.Objects;

/** Type information for {@link PendingInference}, given the carried element's type. */
@PublicEvolving
public final class PendingInferenceTypeInfo<E> extends TypeInformation<PendingInference<E>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<E> elementType;

    public PendingInferenceTypeInfo(TypeInformation<E> elementType) {
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
    public Class<PendingInference<E>> getTypeClass() {
        return (Class<PendingInference<E>>) (Class<?>) PendingInference.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PendingInference<E>> createSerializer(SerializerConfig config) {
        return new PendingInferenceSerializer<>(elementType.createSerializer(config));
    }

    @Override
    public String toString() {
        return "PendingInference<" + elementType + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PendingInferenceTypeInfo
                && elementType.equals(((PendingInferenceTypeInfo<?>) obj).elementType);
    }

    @Override
    public int hashCode() {
        return elementType.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PendingInferenceTypeInfo;
    }
}
