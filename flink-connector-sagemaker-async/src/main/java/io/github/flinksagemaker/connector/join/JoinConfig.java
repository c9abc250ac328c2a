package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;

/** The re-join's configuration, validated where the job is built. */
@Internal
public final class JoinConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Duration unmatchedOutputRetention;
    private final Duration duplicateRetention;
    private final boolean cleanup;

    private JoinConfig(ReadableConfig configuration) {
        this.unmatchedOutputRetention =
                OptionChecks.positive(configuration, JoinOptions.UNMATCHED_OUTPUT_RETENTION);
        this.duplicateRetention =
                OptionChecks.positive(configuration, JoinOptions.DUPLICATE_RETENTION);
        this.cleanup = OptionChecks.get(configuration, JoinOptions.CLEANUP);
    }

    /**
     * @throws IllegalArgumentException naming the first invalid option
     */
    public static JoinConfig from(ReadableConfig configuration) {
        return new JoinConfig(configuration);
    }

    /** How long a result object waits for its claim or pending record. */
    public long unmatchedOutputRetentionMillis() {
        return unmatchedOutputRetention.toMillis();
    }

    /** How long an inference ID is remembered after its result, to drop what comes again. */
    public long duplicateRetentionMillis() {
        return duplicateRetention.toMillis();
    }

    public boolean cleanup() {
        return cleanup;
    }
}
