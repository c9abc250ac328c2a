package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.s3.S3Location;

import org.apache.flink.annotation.Internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/** The rules inference IDs follow, and the names derived from them. */
@Internal
public final class InferenceIds {
    private static final Pattern SERVICE_PATTERN = Pattern.compile("\\A\\S[\\p{Print}]*\\z");
    private static final HexFormat HEX = HexFormat.of();

    private InferenceIds() {}

    public static String generate() {
        return UUID.randomUUID().toString();
    }

    /** Null when the ID is acceptable to the service, else what is wrong with it. */
    public static String problem(String inferenceId) {
        if (inferenceId == null) {
            return "the inference ID is NULL";
        }
        if (inferenceId.isEmpty()) {
            return "the inference ID is empty";
        }
        if (inferenceId.length() > 64) {
            return "the inference ID has "
                    + inferenceId.length()
                    + " characters, at most 64 allowed";
        }
        if (!SERVICE_PATTERN.matcher(inferenceId).matches()) {
            return "the inference ID must be printable ASCII and not start with white space";
        }
        return null;
    }

    /**
     * The output Filename for an ID: 28 hex characters of its SHA-256 plus ".out", 32 in all, the
     * most the service allows (a 36-character UUID would not fit).
     */
    static String filename(String inferenceId) {
        return HEX.formatHex(sha256(inferenceId), 0, 14) + ".out";
    }

    /**
     * The S3 input key for an ID: the ID with every character outside [A-Za-z0-9_-] written %XX
     * (UTF-8; dots too, so no key segment is "." or ".."), so that distinct IDs never share a key
     * and a replay overwrites its own upload.
     */
    static S3Location inputLocation(S3Location prefix, String inferenceId) {
        return prefix.child(escaped(inferenceId));
    }

    /**
     * {@code value} with every character outside [A-Za-z0-9_-] written %XX (UTF-8): one key
     * segment, without slash or dot, that no other value escapes to.
     */
    private static String escaped(String value) {
        StringBuilder key = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-') {
                key.append(c);
            } else {
                key.append('%').append(HEX.toHexDigits(b).toUpperCase());
            }
        }
        return key.toString();
    }

    /**
     * Where SQL records the submission of an ID given by the user to an endpoint: {@code
     * <input-prefix>/<escaped-endpoint>/<escaped-id>.submitted}. Scoped by the endpoint, so that
     * models sharing an input prefix and an ID column never read each other's records; beside,
     * never on, an input key (escaped IDs contain no slash, and no dot for the suffix to clash
     * with).
     */
    public static S3Location submissionRecordLocation(
            S3Location prefix, String endpointName, String inferenceId) {
        return prefix.child(escaped(endpointName)).child(escaped(inferenceId) + ".submitted");
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
