package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.util.Objects;

/**
 * Type information for the connector's record types: opaque to Flink (no fields, not a key),
 * serialized by the type's own versioned serializer, optionally parameterized by the type of the
 * element it carries.
 */
@Internal
public abstract class ConnectorTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<?> typeClass;
    private final TypeInformation<?> elementType;

    /**
     * @param elementType the carried element's type, or null for types that carry none
     */
    protected ConnectorTypeInfo(Class<?> typeClass, TypeInformation<?> elementType) {
        this.typeClass = Objects.requireNonNull(typeClass, "typeClass");
        this.elementType = elementType;
    }

    @Override
    public final boolean isBasicType() {
        return false;
    }

    @Override
    public final boolean isTupleType() {
        return false;
    }

    @Override
    public final int getArity() {
        return 1;
    }

    @Override
    public final int getTotalFields() {
        return 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final Class<T> getTypeClass() {
        return (Class<T>) typeClass;
    }

    @Override
    public final boolean isKeyType() {
        return false;
    }

    @Override
    public final String toString() {
        return typeClass.getSimpleName() + (elementType != null ? "<" + elementType + ">" : "");
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null
                && obj.getClass() == getClass()
                && typeClass == ((ConnectorTypeInfo<?>) obj).typeClass
                && Objects.equals(elementType, ((ConnectorTypeInfo<?>) obj).elementType);
    }

    @Override
    public final int hashCode() {
        return Objects.hash(getClass(), typeClass, elementType);
    }

    @Override
    public final boolean canEqual(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }
}
