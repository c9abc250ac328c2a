package io.github.flinksagemaker.local;

/**
 * How the local endpoint names result objects when the request gives no {@code Filename}. The real
 * service's default naming is not documented reliably, so clients must use the returned output and
 * failure locations; {@link #RANDOM} makes any client that guesses names from inference IDs fail.
 */
public enum OutputNaming {
    /** {@code <random-uuid>.out} and {@code <random-uuid>-error.out}: the default. */
    RANDOM,
    /** {@code <inference-id>.out} and {@code <inference-id>-error.out}. */
    INFERENCE_ID
}
