package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hand-written fakes of the connector's client interfaces, shared through a static registry so a
 * serializable factory can reach them from inside an operator. Calls can be held open (to keep
 * elements in flight) or answered at once.
 */
final class FakeSageMakerRuntime implements SageMakerRuntimeProxy, S3ObjectStore {
    private static final Map<String, FakeSageMakerRuntime> REGISTRY = new ConcurrentHashMap<>();

    final List<InvocationRequest> invocations = Collections.synchronizedList(new ArrayList<>());
    final Map<S3Location, byte[]> objects = new ConcurrentHashMap<>();
    final List<CompletableFuture<InvocationAccepted>> held =
            Collections.synchronizedList(new ArrayList<>());
    volatile boolean holdCalls;
    volatile String validationErrorFor;

    /** When set, answers every upload instead of storing it. */
    volatile java.util.function.Function<S3Location, CompletableFuture<Void>> uploadAnswer;

    /** When set, answers every call instead of the default 202. */
    volatile java.util.function.Function<InvocationRequest, CompletableFuture<InvocationAccepted>>
            answer;

    static FakeSageMakerRuntime register(String name) {
        FakeSageMakerRuntime fake = new FakeSageMakerRuntime();
        REGISTRY.put(name, fake);
        return fake;
    }

    static SubmitClientFactory factory(String name) {
        return new SubmitClientFactory() {
            private static final long serialVersionUID = 1L;

            @Override
            public SageMakerRuntimeProxy sageMakerRuntime(
                    SubmitConfig config, RetryListener listener) {
                return REGISTRY.get(name);
            }

            @Override
            public S3ObjectStore s3(SubmitConfig config, RetryListener listener) {
                return REGISTRY.get(name);
            }
        };
    }

    @Override
    public CompletableFuture<InvocationAccepted> invokeEndpointAsync(InvocationRequest request) {
        invocations.add(request);
        if (answer != null) {
            return answer.apply(request);
        }
        if (request.inferenceId().equals(validationErrorFor)) {
            return CompletableFuture.failedFuture(
                    new InvocationException(
                            InvocationException.Kind.VALIDATION,
                            "ValidationError: refused by the fake",
                            null));
        }
        InvocationAccepted accepted =
                new InvocationAccepted(
                        request.inferenceId(),
                        "s3://out/" + request.inferenceId() + ".out",
                        "s3://out/" + request.inferenceId() + "-error.out");
        if (holdCalls) {
            CompletableFuture<InvocationAccepted> future = new CompletableFuture<>();
            held.add(future);
            return future;
        }
        return CompletableFuture.completedFuture(accepted);
    }

    @Override
    public CompletableFuture<Void> putObject(
            S3Location location, byte[] bytes, String contentType, java.time.Duration timeout) {
        if (uploadAnswer != null) {
            CompletableFuture<Void> answered = uploadAnswer.apply(location);
            if (answered.isCompletedExceptionally()) {
                return answered;
            }
        }
        objects.put(location, bytes.clone());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Integer> listObjects(
            S3Location prefix,
            boolean directChildrenOnly,
            java.util.function.Consumer<S3ObjectSummary> consumer) {
        throw new UnsupportedOperationException("the submit side never lists");
    }

    @Override
    public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
        throw new UnsupportedOperationException("the submit side never looks for results");
    }

    @Override
    public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
        throw new UnsupportedOperationException("the submit side never reads");
    }

    @Override
    public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
        throw new UnsupportedOperationException("the submit side never deletes");
    }

    @Override
    public void close() {}
}
