package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions.CompletionMode;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.Set;

/**
 * How the one-call API learns of completions, derived once from its options when it is built, so
 * that a missing or malformed option fails the build, not the job.
 *
 * <p>The listing source's {@link WatchConfig} is derived in both modes: the join also looks at
 * result locations and cleans up with it. Where the user left it open it follows the submit side:
 * it lists the time buckets of {@code sagemaker.output-path-extension} (when that has
 * placeholders), keeps each bucket open for the result window, and starts from now. In completion
 * mode SQS the notification source's {@link SqsCompletionConfig} takes only the endpoint's own
 * notifications.
 */
@Internal
final class CompletionConfigs {
    private final CompletionMode mode;
    private final WatchConfig watch;
    private final SqsCompletionConfig sqs;

    private CompletionConfigs(CompletionMode mode, WatchConfig watch, SqsCompletionConfig sqs) {
        this.mode = mode;
        this.watch = watch;
        this.sqs = sqs;
    }

    /**
     * @param options the one-call API's options: submit, watch, completion, join and {@code aws.*}
     * @param submit the submit side built from {@code options}
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    static CompletionConfigs derive(Configuration options, SubmitConfig submit) {
        WatchConfig watch = WatchConfig.from(watchOptions(options, submit.resultWindowMillis()));
        CompletionMode mode = OptionChecks.get(options, CompletionOptions.MODE);
        SqsCompletionConfig sqs =
                mode == CompletionMode.SQS
                        ? SqsCompletionConfig.from(options, Set.of(submit.endpointName()))
                        : null;
        return new CompletionConfigs(mode, watch, sqs);
    }

    /** {@code options} with the watch options the user left open filled in from the submit side. */
    private static Configuration watchOptions(Configuration options, long resultWindowMillis) {
        Configuration watch = new Configuration(options);
        if (!watch.contains(WatchOptions.TIME_BUCKETS)) {
            options.getOptional(SubmitOptions.OUTPUT_PATH_EXTENSION)
                    .filter(extension -> extension.contains("{"))
                    .ifPresent(extension -> watch.set(WatchOptions.TIME_BUCKETS, extension));
        }
        if (!watch.contains(WatchOptions.BUCKET_LIFETIME)) {
            watch.set(WatchOptions.BUCKET_LIFETIME, Duration.ofMillis(resultWindowMillis));
        }
        if (!watch.contains(WatchOptions.START_FROM)) {
            watch.set(WatchOptions.START_FROM, WatchOptions.StartFrom.NOW);
        }
        return watch;
    }

    CompletionMode mode() {
        return mode;
    }

    /** The listing source's configuration; in mode SQS the join's location checks use it. */
    WatchConfig watch() {
        return watch;
    }

    /**
     * @throws IllegalStateException in mode S3_LISTING, which has no notification source
     */
    SqsCompletionConfig sqs() {
        if (sqs == null) {
            throw new IllegalStateException(
                    "No SQS completion in completion mode " + mode + ": the listing finds results");
        }
        return sqs;
    }
}
