package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions.FailureHandling;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Submits each element to a SageMaker async inference endpoint and emits a {@link
 * PendingInference}: payloads up to the inline limit travel in the request body; larger ones are
 * uploaded to the S3 input prefix under a key derived from the inference ID and sent as
 * InputLocation. Retries of throttling, 5xx and network errors happen in the SDK with backoff and
 * full jitter; an element that still cannot be submitted becomes a rejected record (or fails the
 * job if {@code sagemaker.submit.failure-handling} is FAIL).
 *
 * <pre>{@code
 * DataStream<PendingInference<Review>> pending =
 *         SageMakerAsyncSubmitFunction.<Review>builder()
 *                 .endpointName("reviews-sentiment")
 *                 .set(AwsConfigOptions.AWS_REGION, "eu-west-1")
 *                 .s3InputPrefix("s3://my-bucket/sagemaker-inputs")
 *                 .serializer(review -> SerializedRequest.of(review.toJsonBytes()))
 *                 .inferenceIdExtractor(review -> review.id())
 *                 .build()
 *                 .applyTo(reviews);
 * }</pre>
 *
 * @param <IN> the input element type
 * @param <E> what each pending inference carries: the element or a projection of it
 */
@PublicEvolving
public final class SageMakerAsyncSubmitFunction<IN, E>
        extends RichAsyncFunction<IN, PendingInference<E>> {
    private static final long serialVersionUID = 1L;

    private final SubmitConfig config;
    private final RequestSerializer<IN> serializer;
    private final InferenceIdExtractor<IN> idExtractor;
    private final ElementProjection<IN, E> projection;
    private final TypeInformation<E> elementType;
    private final SubmitClientFactory clientFactory;

    private transient InferenceSubmitter submitter;
    private transient SubmitMetrics metrics;

    /**
     * The submissions in progress, by their result future: the operator's timeout hands back the
     * same one, and unlike the element it is never shared (boxed small numbers, enums and interned
     * strings are). What the timeout needs to keep an element whose request went out pending under
     * its ID.
     */
    private transient Map<ResultFuture<?>, InFlight> inFlight;

    /** An element's submission in progress. */
    private record InFlight(Prepared<?> prepared, SubmissionProgress progress) {}

    private SageMakerAsyncSubmitFunction(Builder<IN, E> builder, SubmitConfig config) {
        this.config = config;
        this.serializer = builder.serializer;
        this.idExtractor = builder.idExtractor;
        this.projection = builder.projection;
        this.elementType = builder.elementType;
        this.clientFactory = builder.clientFactory;
    }

    public static <IN> Builder<IN, IN> builder() {
        return new Builder<>();
    }

    /**
     * Applies this function to {@code input} with {@link AsyncDataStream#unorderedWait}, using the
     * configured timeout and capacity, and gives the result its type.
     */
    @SuppressWarnings("unchecked")
    public SingleOutputStreamOperator<PendingInference<E>> applyTo(DataStream<IN> input) {
        TypeInformation<E> carried =
                elementType != null ? elementType : (TypeInformation<E>) input.getType();
        return AsyncDataStream.unorderedWait(
                        input,
                        this,
                        config.submitTimeout().toMillis(),
                        TimeUnit.MILLISECONDS,
                        config.capacity())
                .returns(new PendingInferenceTypeInfo<>(carried))
                .name("SageMaker async submit: " + config.endpointName());
    }

    public SubmitConfig config() {
        return config;
    }

    /** The ID extractor, or null when IDs are random; for the one-call API's wiring. */
    @Internal
    public InferenceIdExtractor<IN> idExtractor() {
        return idExtractor;
    }

    /** What each pending inference carries; for the one-call API's wiring. */
    @Internal
    public ElementProjection<IN, E> projection() {
        return projection;
    }

    /** The type of the carried projection, or null when the element itself is carried. */
    @Internal
    public TypeInformation<E> elementType() {
        return elementType;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new SubmitMetrics(getRuntimeContext().getMetricGroup());
        submitter = InferenceSubmitter.open(config, clientFactory, metrics.retries());
        metrics.watch(submitter);
        inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
    }

    @Override
    public void close() {
        if (submitter != null) {
            submitter.close();
        }
    }

    /** An element ready to submit, or the rejection that stops it first. */
    private record Prepared<E>(
            String inferenceId,
            E carried,
            SerializedRequest request,
            long submitTime,
            PendingInference<E> rejection) {}

    @Override
    public void asyncInvoke(IN element, ResultFuture<PendingInference<E>> result) {
        Prepared<E> prepared = prepare(element, System.currentTimeMillis());
        if (prepared.rejection() != null) {
            reject(result, prepared.rejection());
            return;
        }
        SubmissionProgress progress = new SubmissionProgress();
        inFlight.put(result, new InFlight(prepared, progress));
        submitter
                .submit(
                        prepared.inferenceId(),
                        prepared.request(),
                        prepared.submitTime(),
                        Long.MAX_VALUE,
                        progress)
                .whenComplete(
                        (submission, error) -> {
                            if (inFlight.remove(result) == null) {
                                return; // the operator's timeout answered for the element
                            }
                            try {
                                complete(prepared, submission, error, result);
                            } catch (Throwable t) {
                                // Never lose an element in a callback. Once the service took
                                // it, it runs and is billed: its result decides, not this throw.
                                if (submission != null) {
                                    emitUnconfirmed(
                                            prepared,
                                            submitter.unconfirmed(
                                                    prepared.inferenceId(),
                                                    prepared.submitTime(),
                                                    submission.path(),
                                                    submission.inputLocation()),
                                            result);
                                    return;
                                }
                                reject(
                                        result,
                                        rejection(
                                                prepared,
                                                RejectionReason.SUBMIT_FAILED,
                                                "Completing the submission failed: "
                                                        + InferenceSubmitter.describe(t),
                                                null));
                            }
                        });
    }

    /** Projects, identifies and serializes the element: everything before the first call. */
    private Prepared<E> prepare(IN element, long submitTime) {
        E carried;
        try {
            carried = projection.project(element);
        } catch (Exception e) {
            return rejectedBefore(
                    null,
                    null,
                    submitTime,
                    RejectionReason.SERIALIZATION_FAILED,
                    "Element projection failed: " + InferenceSubmitter.describe(e));
        }
        String inferenceId;
        try {
            inferenceId =
                    idExtractor != null ? idExtractor.extract(element) : InferenceIds.generate();
        } catch (Exception e) {
            return rejectedBefore(
                    null,
                    carried,
                    submitTime,
                    RejectionReason.INVALID_INFERENCE_ID,
                    "Inference ID extractor failed: " + InferenceSubmitter.describe(e));
        }
        String idProblem = InferenceIds.problem(inferenceId);
        if (idProblem != null) {
            return rejectedBefore(
                    null,
                    carried,
                    submitTime,
                    RejectionReason.INVALID_INFERENCE_ID,
                    "Invalid inference ID '" + abbreviate(inferenceId) + "': " + idProblem);
        }
        try {
            SerializedRequest request =
                    Objects.requireNonNull(
                            serializer.serialize(element), "the request serializer returned null");
            return new Prepared<>(inferenceId, carried, request, submitTime, null);
        } catch (Exception e) {
            return rejectedBefore(
                    inferenceId,
                    carried,
                    submitTime,
                    RejectionReason.SERIALIZATION_FAILED,
                    "Request serializer failed: " + InferenceSubmitter.describe(e));
        }
    }

    /** Turns the submitter's answer into the element's pending record or rejection. */
    private void complete(
            Prepared<E> prepared,
            InferenceSubmitter.Submission submission,
            Throwable error,
            ResultFuture<PendingInference<E>> result) {
        if (error == null && !submission.confirmed()) {
            emitUnconfirmed(prepared, submission, result);
            return;
        }
        if (error == null) {
            InvocationAccepted accepted = submission.accepted();
            // Built first: an answer it cannot use throws before anything is counted.
            PendingInference<E> pending =
                    PendingInference.accepted(
                            accepted.inferenceId(),
                            accepted.outputLocation(),
                            accepted.failureLocation(),
                            submission.path(),
                            prepared.request().payload().length,
                            prepared.submitTime(),
                            prepared.submitTime() + config.resultWindowMillis(),
                            submission.inputLocation(),
                            prepared.carried());
            metrics.submitted(
                    submission.path(),
                    prepared.request().payload().length,
                    System.currentTimeMillis() - prepared.submitTime());
            result.complete(Collections.singleton(pending));
            return;
        }
        Throwable cause = InferenceSubmitter.unwrap(error);
        if (cause instanceof FatalAwsException) {
            // Dooms every element, whatever the failure handling: fail the job, say what to fix.
            metrics.rejected();
            result.completeExceptionally(cause);
            return;
        }
        RejectionReason reason =
                cause instanceof SubmissionRejectedException
                        ? ((SubmissionRejectedException) cause).reason()
                        : RejectionReason.SUBMIT_FAILED;
        String uploaded =
                cause instanceof SubmissionRejectedException
                        ? ((SubmissionRejectedException) cause).inputLocation()
                        : null;
        reject(result, rejection(prepared, reason, cause.getMessage(), uploaded));
    }

    /**
     * A request that went out without an answer: pending under its ID, for its result to decide.
     */
    private void emitUnconfirmed(
            Prepared<E> prepared,
            InferenceSubmitter.Submission submission,
            ResultFuture<PendingInference<E>> result) {
        metrics.unconfirmed();
        result.complete(
                Collections.singleton(
                        PendingInference.unconfirmed(
                                prepared.inferenceId(),
                                submission.accepted().outputLocation(),
                                submission.path(),
                                prepared.request().payload().length,
                                prepared.submitTime(),
                                prepared.submitTime() + config.resultWindowMillis(),
                                submission.inputLocation(),
                                prepared.carried())));
    }

    /**
     * A submission still running after {@code sagemaker.submit.timeout}. If its request went out,
     * the service may have accepted it: it stays pending under its ID. Otherwise it is rejected, so
     * one slow call never fails the job (unless failure handling is FAIL).
     */
    @Override
    @SuppressWarnings("unchecked")
    public void timeout(IN element, ResultFuture<PendingInference<E>> result) {
        InFlight running = inFlight.remove(result);
        if (running == null) {
            return; // its submission just completed and answers for it
        }
        Prepared<E> prepared = (Prepared<E>) running.prepared();
        if (!running.progress().giveUp()) {
            SubmitPath path = submitter.pathFor(prepared.request().payload().length);
            emitUnconfirmed(
                    prepared,
                    submitter.unconfirmed(
                            prepared.inferenceId(),
                            prepared.submitTime(),
                            path,
                            path == SubmitPath.S3
                                    ? submitter.inputLocation(prepared.inferenceId())
                                    : null),
                    result);
            return;
        }
        reject(
                result,
                rejection(
                        prepared,
                        RejectionReason.SUBMIT_TIMEOUT,
                        "Submission did not start within '"
                                + SubmitOptions.SUBMIT_TIMEOUT.key()
                                + "' = "
                                + config.submitTimeout()
                                + ": no capacity to send it (the endpoint kept throttling)",
                        null));
    }

    private Prepared<E> rejectedBefore(
            String inferenceId,
            E carried,
            long submitTime,
            RejectionReason reason,
            String message) {
        return new Prepared<>(
                inferenceId,
                carried,
                null,
                submitTime,
                PendingInference.rejected(
                        inferenceId, null, -1, submitTime, null, carried, reason, message));
    }

    private PendingInference<E> rejection(
            Prepared<E> prepared, RejectionReason reason, String message, String inputLocation) {
        int size = prepared.request().payload().length;
        return PendingInference.rejected(
                prepared.inferenceId(),
                size == 0 ? null : submitter.pathFor(size),
                size,
                prepared.submitTime(),
                inputLocation,
                prepared.carried(),
                reason,
                message);
    }

    private void reject(ResultFuture<PendingInference<E>> result, PendingInference<E> rejection) {
        metrics.rejected();
        if (config.failureHandling() == FailureHandling.FAIL) {
            result.completeExceptionally(
                    new SageMakerAsyncSubmitException(
                            rejection.rejectionReason(), rejection.errorMessage()));
        } else {
            result.complete(Collections.singleton(rejection));
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }

    /**
     * Builds a {@link SageMakerAsyncSubmitFunction}. Options may be set one by one, typed, or in
     * bulk from a {@link Configuration}; {@link #build()} validates them all and names the first
     * option at fault.
     */
    @PublicEvolving
    public static final class Builder<IN, E> {
        private final Configuration configuration = new Configuration();
        private RequestSerializer<IN> serializer;
        private InferenceIdExtractor<IN> idExtractor;
        private ElementProjection<IN, E> projection;
        private TypeInformation<E> elementType;
        private SubmitClientFactory clientFactory = SubmitClientFactory.SDK;

        @SuppressWarnings("unchecked")
        private Builder() {
            this.projection = element -> (E) element;
        }

        /** Sets any option, e.g. from {@link SubmitOptions} or {@link AwsConfigOptions}. */
        public <T> Builder<IN, E> set(ConfigOption<T> option, T value) {
            configuration.set(option, value);
            return this;
        }

        /**
         * Adds every option of {@code options}, e.g. the {@code aws.credentials.provider.*} keys.
         */
        public Builder<IN, E> setAll(Configuration options) {
            configuration.addAll(options);
            return this;
        }

        public Builder<IN, E> endpointName(String endpointName) {
            return set(SubmitOptions.ENDPOINT_NAME, endpointName);
        }

        public Builder<IN, E> region(String region) {
            return set(AwsConfigOptions.AWS_REGION, region);
        }

        public Builder<IN, E> contentType(String contentType) {
            return set(SubmitOptions.CONTENT_TYPE, contentType);
        }

        public Builder<IN, E> accept(String accept) {
            return set(SubmitOptions.ACCEPT, accept);
        }

        /** Payloads of at most this size are sent inline, larger ones through S3. */
        public Builder<IN, E> inlineLimit(MemorySize size) {
            return set(SubmitOptions.INLINE_LIMIT, size);
        }

        /** {@link #inlineLimit(MemorySize)} in bytes. */
        public Builder<IN, E> inlineLimit(int bytes) {
            if (bytes < 0) {
                throw OptionChecks.invalid(
                        SubmitOptions.INLINE_LIMIT,
                        bytes,
                        "sizes from 0 to " + SubmitOptions.MAX_INLINE_BYTES + " bytes");
            }
            return inlineLimit(new MemorySize(bytes));
        }

        public Builder<IN, E> s3InputPrefix(String s3Uri) {
            return set(SubmitOptions.S3_INPUT_PREFIX, s3Uri);
        }

        public Builder<IN, E> requestTtl(Duration ttl) {
            return set(SubmitOptions.REQUEST_TTL, ttl);
        }

        public Builder<IN, E> invocationTimeout(Duration timeout) {
            return set(SubmitOptions.INVOCATION_TIMEOUT, timeout);
        }

        public Builder<IN, E> capacity(int capacity) {
            return set(SubmitOptions.CAPACITY, capacity);
        }

        public Builder<IN, E> submitTimeout(Duration timeout) {
            return set(SubmitOptions.SUBMIT_TIMEOUT, timeout);
        }

        public Builder<IN, E> failureHandling(FailureHandling handling) {
            return set(SubmitOptions.FAILURE_HANDLING, handling);
        }

        /** Required: turns each element into its payload. */
        public Builder<IN, E> serializer(RequestSerializer<IN> serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** Derives inference IDs from elements, so replays reuse them; default: random UUIDs. */
        public Builder<IN, E> inferenceIdExtractor(InferenceIdExtractor<IN> extractor) {
            this.idExtractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** Carries a projection of each element instead of the element itself. */
        @SuppressWarnings("unchecked")
        public <P> Builder<IN, P> projection(
                ElementProjection<IN, P> projection, TypeInformation<P> type) {
            Builder<IN, P> self = (Builder<IN, P>) this;
            self.projection = Objects.requireNonNull(projection, "projection");
            self.elementType = Objects.requireNonNull(type, "type");
            return self;
        }

        @VisibleForTesting
        Builder<IN, E> clientFactory(SubmitClientFactory factory) {
            this.clientFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first missing or invalid option
         * @throws IllegalStateException if no serializer was given
         */
        public SageMakerAsyncSubmitFunction<IN, E> build() {
            if (serializer == null) {
                throw new IllegalStateException(
                        "A RequestSerializer is required: call serializer(...)");
            }
            return new SageMakerAsyncSubmitFunction<>(this, SubmitConfig.from(configuration));
        }
    }
}
