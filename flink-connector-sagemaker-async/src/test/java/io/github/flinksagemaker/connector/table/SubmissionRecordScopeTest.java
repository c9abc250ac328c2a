package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitClientFactory;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A submission record belongs to the endpoint the request went to: two models (endpoints) in one
 * job that share an input prefix and an ID column (e.g. review_id) each invoke their own model, and
 * get their own output, whether they send the same payload or another one.
 */
class SubmissionRecordScopeTest {
    private static final RetryListener QUIET =
            new RetryListener() {
                @Override
                public void onRetry() {}

                @Override
                public void onThrottled() {}
            };

    /** Each endpoint writes its outputs under its own output path. */
    private static final class Clients implements SubmitClientFactory {
        private static final long serialVersionUID = 1L;
        final List<InvocationRequest> calls = new CopyOnWriteArrayList<>();
        final InMemoryObjectStore objects = new InMemoryObjectStore();

        @Override
        public SageMakerRuntimeProxy sageMakerRuntime(SubmitConfig config, RetryListener listener) {
            return new SageMakerRuntimeProxy() {
                @Override
                public CompletableFuture<InvocationAccepted> invokeEndpointAsync(
                        InvocationRequest request) {
                    calls.add(request);
                    String root = "s3://b/" + request.endpointName();
                    return CompletableFuture.completedFuture(
                            new InvocationAccepted(
                                    request.inferenceId(),
                                    root + "/out/" + request.inferenceId() + ".out",
                                    root + "/failure/" + request.inferenceId() + "-error.out"));
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public S3ObjectStore s3(SubmitConfig config, RetryListener listener) {
            return objects;
        }
    }

    private static AsyncInferenceCaller caller(Clients clients, String endpoint) {
        Map<String, String> options = new TreeMap<>();
        options.put("sagemaker.endpoint-name", endpoint);
        options.put("aws.region", "us-east-1");
        options.put("sagemaker.result.poll-initial-delay", "10 ms");
        options.put("sagemaker.result.timeout", "5 s");
        options.put("sagemaker.s3.input-prefix", "s3://b/in");
        return new AsyncInferenceCaller(
                SqlInvokeConfig.of(options, Duration.ofMinutes(3), "test", true),
                clients,
                QUIET,
                true,
                System::currentTimeMillis);
    }

    @Test
    void aSecondModelSharingTheInputPrefixIsInvokedAndGetsItsOwnOutput() throws Exception {
        Clients clients = new Clients();
        SerializedRequest payload =
                SerializedRequest.of("{\"text\":\"great\"}".getBytes(StandardCharsets.UTF_8));
        try (AsyncInferenceCaller sentiment = caller(clients, "sentiment");
                AsyncInferenceCaller summary = caller(clients, "summary")) {
            CompletableFuture<AwaitedResult> first =
                    sentiment.call(payload, "review-1", sentiment.rowDeadline());
            clients.objects.put(
                    S3Location.parse("s3://b/sentiment/out/review-1.out", "t"), "positive", 0);
            assertThat(first.get(30, TimeUnit.SECONDS).isSuccess()).isTrue();

            CompletableFuture<AwaitedResult> second =
                    summary.call(payload, "review-1", summary.rowDeadline());
            // What the summary endpoint would write, were it invoked.
            clients.objects.put(
                    S3Location.parse("s3://b/summary/out/review-1.out", "t"), "a short summary", 0);
            AwaitedResult answer = second.get(30, TimeUnit.SECONDS);

            assertThat(clients.calls)
                    .extracting(InvocationRequest::endpointName)
                    .as("the summary model is invoked for its row")
                    .containsExactly("sentiment", "summary");
            assertThat(new String(answer.content(), StandardCharsets.UTF_8))
                    .as("never the other model's output")
                    .isEqualTo("a short summary");
            assertThat(
                            clients.objects.contains(
                                    S3Location.parse(
                                            "s3://b/in/sentiment/review-1.submitted", "t")))
                    .isTrue();
            assertThat(
                            clients.objects.contains(
                                    S3Location.parse("s3://b/in/summary/review-1.submitted", "t")))
                    .as("each model records under its own endpoint")
                    .isTrue();
        }
    }

    @Test
    void aSecondModelSendingAnotherPayloadUnderTheSameIdIsInvokedNotRejected() throws Exception {
        Clients clients = new Clients();
        try (AsyncInferenceCaller sentiment = caller(clients, "sentiment");
                AsyncInferenceCaller summary = caller(clients, "summary")) {
            AsyncInferenceCaller.SubmitOutcome first =
                    sentiment
                            .submit(SerializedRequest.of(bytes("{\"text\":\"great\"}")), "review-1")
                            .get(30, TimeUnit.SECONDS);
            AsyncInferenceCaller.SubmitOutcome second =
                    summary.submit(SerializedRequest.of(bytes("{\"doc\":\"great\"}")), "review-1")
                            .get(30, TimeUnit.SECONDS);

            assertThat(first.rejection()).isNull();
            assertThat(second.rejection()).as("not a DUPLICATE_INFERENCE_ID").isNull();
            assertThat(second.submission().accepted().outputLocation())
                    .isEqualTo("s3://b/summary/out/review-1.out");
            assertThat(clients.calls)
                    .extracting(InvocationRequest::endpointName)
                    .containsExactly("sentiment", "summary");
        }
    }

    @Test
    void aReplayWithAnotherAcceptIsRejectedNeverAnsweredInTheOtherFormat() throws Exception {
        Clients clients = new Clients();
        SerializedRequest payload = SerializedRequest.of(bytes("{\"text\":\"great\"}"));
        try (AsyncInferenceCaller caller = caller(clients, "sentiment")) {
            caller.submit(payload.withAccept("application/json"), "review-1")
                    .get(30, TimeUnit.SECONDS);
            AsyncInferenceCaller.SubmitOutcome csv =
                    caller.submit(payload.withAccept("text/csv"), "review-1")
                            .get(30, TimeUnit.SECONDS);

            assertThat(csv.submission()).isNull();
            assertThat(csv.rejection().message()).startsWith("DUPLICATE_INFERENCE_ID");
            assertThat(clients.calls).hasSize(1);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
