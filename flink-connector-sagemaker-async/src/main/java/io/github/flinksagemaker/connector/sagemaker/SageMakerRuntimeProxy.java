package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.CompletableFuture;

/**
 * {@code InvokeEndpointAsync} behind an interface, so that operators talk to it and tests can plug
 * in a hand-written fake. {@link SdkSageMakerRuntimeProxy} is the real one. Retries happen inside:
 * the future completes with the accepted call or fails with an {@link InvocationException}.
 */
@Internal
public interface SageMakerRuntimeProxy extends AutoCloseable {

    CompletableFuture<InvocationAccepted> invokeEndpointAsync(InvocationRequest request);

    @Override
    void close();
}
