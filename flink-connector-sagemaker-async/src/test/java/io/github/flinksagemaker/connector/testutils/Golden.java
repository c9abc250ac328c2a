package io.github.flinksagemaker.connector.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads the golden files under {@code src/test/resources/golden}: bytes written once by a released
 * serializer version and never regenerated. A test that compares against one fails when a format
 * changes by accident.
 */
public final class Golden {
    private Golden() {}

    /** {@link #bytes} for lambdas that cannot throw. */
    public static byte[] bytesUnchecked(String name) {
        try {
            return bytes(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static byte[] bytes(String name) throws IOException {
        try (InputStream in =
                Objects.requireNonNull(
                        Golden.class.getResourceAsStream("/golden/" + name),
                        "missing golden file " + name)) {
            return in.readAllBytes();
        }
    }
}
