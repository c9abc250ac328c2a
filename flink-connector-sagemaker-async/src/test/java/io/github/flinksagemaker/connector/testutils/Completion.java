package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.LocalModel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a job learns of results, each set up end to end against a {@link
 * LocalSageMakerAsync}: an endpoint registered with its model and faults (in SQS mode with a queue
 * of its own name that gets its success and error notifications), and the one-call API builder
 * pointed at it with short polling intervals, so tests over both modes stay fast.
 */
public enum Completion {
    /** Results found by listing the output and failure prefixes. */
    LISTING,
    /** Results announced by SNS-to-SQS notifications. */
    SQS;

    public static String prefix(LocalSageMakerAsync local, String endpoint, String part) {
        return "s3://" + local.bucket() + "/" + endpoint + "/" + part;
    }

    /** Registers {@code endpoint} with this mode's notifications, at most 256 calls at once. */
    public void register(
            LocalSageMakerAsync local, String endpoint, LocalModel model, FaultInjection faults) {
        LocalEndpointConfig.Builder config =
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath(prefix(local, endpoint, "output"))
                        .s3FailurePath(prefix(local, endpoint, "failure"))
                        .maxConcurrentInvocations(256)
                        .model(model)
                        .faults(faults);
        if (this == SQS) {
            local.createQueue(endpoint);
            config.notifications(
                    LocalNotifications.builder()
                            .successQueue(endpoint)
                            .errorQueue(endpoint)
                            .build());
        }
        local.registerEndpoint(config.build());
    }

    /**
     * The builder for {@code endpoint} (registered with {@link #register}), with the element itself
     * as its inference ID and {@code "p" + element} as its payload.
     */
    public SageMakerAsyncInference.Builder<String, String> inference(
            LocalSageMakerAsync local, String endpoint) {
        SageMakerAsyncInference.Builder<String, String> builder =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LocalAwsConfig.of(local))
                        .endpointName(endpoint)
                        .outputPath(prefix(local, endpoint, "output"))
                        .failurePath(prefix(local, endpoint, "failure"))
                        .s3InputPrefix(prefix(local, endpoint, "input"))
                        .serializer(element -> SerializedRequest.of(payload(element)))
                        .inferenceIdExtractor(element -> element)
                        .set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(200));
        if (this == SQS) {
            builder.sqsCompletion(local.createQueue(endpoint))
                    .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                    .set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(5));
        }
        return builder;
    }

    /** The payload {@link #inference} sends for an element: never starts with 'E'. */
    public static byte[] payload(String element) {
        return ("p" + element).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Exactly one result per expected ID, each the {@link DigestModel}'s answer to its element's
     * {@link #payload}; fails naming the IDs with none, with several, unexpected ones and wrong
     * ones.
     */
    public static void assertExactlyOneSuccessEach(
            Collection<InferenceResult<String>> results, Collection<String> ids) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (InferenceResult<String> result : results) {
            counts.merge(result.inferenceId(), 1, Integer::sum);
            if (result.status() != InferenceStatus.SUCCESS) {
                wrong.add(result.toString());
            } else if (!Arrays.equals(
                    result.output(), DigestModel.digest(payload(result.element())))) {
                wrong.add(result.inferenceId() + ": another element's output");
            }
        }
        Set<String> expected = new HashSet<>(ids);
        List<String> missing = ids.stream().filter(id -> !counts.containsKey(id)).sorted().toList();
        List<String> repeated =
                counts.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(e -> e.getKey() + " x" + e.getValue())
                        .sorted()
                        .toList();
        List<String> unexpected =
                counts.keySet().stream().filter(id -> !expected.contains(id)).sorted().toList();
        assertThat(missing.size())
                .as("%d elements without a result: %s", missing.size(), abbreviate(missing))
                .isZero();
        assertThat(repeated.size())
                .as("elements with more than one result: %s", abbreviate(repeated))
                .isZero();
        assertThat(unexpected.size())
                .as("results of no element of this run: %s", abbreviate(unexpected))
                .isZero();
        assertThat(wrong.size())
                .as(
                        "results other than the model's SUCCESS for their element: %s",
                        abbreviate(wrong))
                .isZero();
    }

    /** The first 20 of {@code items}, and how many more there are. */
    public static String abbreviate(Collection<?> items) {
        List<?> all = new ArrayList<>(items);
        List<?> first = all.subList(0, Math.min(20, all.size()));
        return first + (all.size() > first.size() ? " and " + (all.size() - 20) + " more" : "");
    }
}
