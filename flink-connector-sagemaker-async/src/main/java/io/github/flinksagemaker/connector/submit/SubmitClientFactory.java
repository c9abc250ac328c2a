package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.aws.RetryCountingInterceptor;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.config.SubmitOptions.InputEncryption;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;
import io.github.flinksagemaker.connector.sagemaker.SdkSageMakerRuntimeProxy;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.Serializable;

/**
 * Creates the clients the submit function uses, once per subtask in {@code open}. The default
 * builds the SDK's async clients; tests plug in hand-written fakes.
 */
@Internal
public interface SubmitClientFactory extends Serializable {

    SageMakerRuntimeProxy sageMakerRuntime(SubmitConfig config, RetryListener listener);

    /** The store for uploads; {@code listener} hears of retries and throttled attempts. */
    S3ObjectStore s3(SubmitConfig config, RetryListener listener);

    /** The SDK's Netty-based async clients, sized to the operator's capacity. */
    SubmitClientFactory SDK =
            new SubmitClientFactory() {
                private static final long serialVersionUID = 1L;

                @Override
                public SageMakerRuntimeProxy sageMakerRuntime(
                        SubmitConfig config, RetryListener listener) {
                    return SdkSageMakerRuntimeProxy.create(
                            config.configuration(),
                            config.capacity(),
                            config.retrySettings(),
                            listener);
                }

                @Override
                public S3ObjectStore s3(SubmitConfig config, RetryListener listener) {
                    ServerSideEncryption encryption =
                            config.inputEncryption() == InputEncryption.SSE_S3
                                    ? ServerSideEncryption.AES256
                                    : config.inputEncryption() == InputEncryption.SSE_KMS
                                            ? ServerSideEncryption.AWS_KMS
                                            : null;
                    return new SdkS3ObjectStore(
                            AwsClients.s3(
                                    config.configuration(),
                                    config.capacity(),
                                    override ->
                                            override.retryStrategy(
                                                            SdkSageMakerRuntimeProxy.retryStrategy(
                                                                    config.retrySettings()))
                                                    .addExecutionInterceptor(
                                                            new RetryCountingInterceptor(
                                                                    listener))),
                            encryption,
                            config.inputKmsKeyId());
                }
            };
}
