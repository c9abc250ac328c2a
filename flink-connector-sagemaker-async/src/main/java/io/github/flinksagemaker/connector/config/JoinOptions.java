package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of the re-join of pending inferences with their result objects. */
@PublicEvolving
public final class JoinOptions {

    public static final ConfigOption<Duration> UNMATCHED_OUTPUT_RETENTION =
            ConfigOptions.key("sagemaker.join.unmatched-output-retention")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long a result object with no pending inference yet is kept"
                                    + " waiting for it (a fast model can finish before its pending"
                                    + " record reaches the join). Results of submissions this job"
                                    + " never recorded are dropped after it. At least"
                                    + " sagemaker.submit.timeout plus 5 s: a result can come that"
                                    + " long before its pending record.");

    public static final ConfigOption<Duration> DUPLICATE_RETENTION =
            ConfigOptions.key("sagemaker.join.duplicate-retention")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription(
                            "How long an inference ID is remembered after its result, to drop"
                                    + " replayed submissions, second outputs and late outputs"
                                    + " instead of emitting them again.");

    public static final ConfigOption<Boolean> CLEANUP =
            ConfigOptions.key("sagemaker.join.cleanup")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Delete the S3 input object (S3 path) and the result object once a"
                                    + " result is emitted and the checkpoint covering it completes."
                                    + " Needs s3:DeleteObject.");

    private JoinOptions() {}
}
