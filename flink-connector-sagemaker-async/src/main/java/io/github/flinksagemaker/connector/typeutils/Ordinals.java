package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;

import java.io.IOException;

/** Reads enum values written by ordinal, refusing ordinals this version of the connector lacks. */
@Internal
public final class Ordinals {
    private Ordinals() {}

    /**
     * @param values the enum's values, in declaration order
     * @throws IOException naming the enum and the value when {@code ordinal} is out of range
     */
    public static <E extends Enum<E>> E read(E[] values, int ordinal) throws IOException {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IOException(
                    "Unknown "
                            + values.getClass().getComponentType().getSimpleName()
                            + " value "
                            + ordinal
                            + " (this version knows 0 to "
                            + (values.length - 1)
                            + "): written by a newer version of the connector?");
        }
        return values[ordinal];
    }
}
