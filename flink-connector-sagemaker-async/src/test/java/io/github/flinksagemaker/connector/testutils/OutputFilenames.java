package io.github.flinksagemaker.connector.testutils;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of the output object of an inference ID when the connector sends the Filename (the
 * default), for tests that check where an output landed or put one there themselves. Derived here
 * from the documented rule ({@code SubmitOptions.OUTPUT_FILENAME}), not from the connector's code,
 * so that a change to the rule fails these tests.
 */
public final class OutputFilenames {
    private OutputFilenames() {}

    /** 28 hex characters of the ID's SHA-256, then ".out". */
    public static String of(String inferenceId) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(inferenceId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 14) + ".out";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
