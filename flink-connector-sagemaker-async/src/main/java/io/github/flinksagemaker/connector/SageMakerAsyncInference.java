package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions.CompletionMode;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.ClaimLocations;
import io.github.flinksagemaker.connector.join.DeadLetterSplitter;
import io.github.flinksagemaker.connector.join.InferenceIdGuard;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceResultJoin;
import io.github.flinksagemaker.connector.join.InferenceResultJoinFactory;
import io.github.flinksagemaker.connector.join.InferenceResultTypeInfo;
import io.github.flinksagemaker.connector.join.JoinConfig;
import io.github.flinksagemaker.connector.join.JoinTypes;
import io.github.flinksagemaker.connector.join.LocationClaim;
import io.github.flinksagemaker.connector.join.LocationTagger;
import io.github.flinksagemaker.connector.join.ResultEmitter;
import io.github.flinksagemaker.connector.join.ResultLocationCheck;
import io.github.flinksagemaker.connector.join.SubmissionSplitter;
import io.github.flinksagemaker.connector.notification.NotificationClientFactory;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource;
import io.github.flinksagemaker.connector.submit.ElementProjection;
import io.github.flinksagemaker.connector.submit.InferenceIdExtractor;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceTypeInfo;
import io.github.flinksagemaker.connector.submit.RequestSerializer;
import io.github.flinksagemaker.connector.submit.SageMakerAsyncSubmitFunction;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.watch.ResultObjectDeserializer;
import io.github.flinksagemaker.connector.watch.SageMakerAsyncResultSource;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one-call API: submits each element of a stream to a SageMaker async endpoint, watches the
 * endpoint's output and failure paths, and joins every result back to its element, emitting exactly
 * one {@link InferenceResult} per element, with an {@link
 * io.github.flinksagemaker.connector.join.InferenceStatus InferenceStatus} of SUCCESS, MODEL_ERROR,
 * REJECTED, TIMED_OUT or UNREADABLE.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<InferenceResult<Review>> results =
 *         SageMakerAsyncInference.<Review>builder()
 *                 .endpointName("reviews-sentiment")
 *                 .region("eu-west-1")
 *                 .outputPath("s3://my-bucket/async/output")    // the endpoint's S3OutputPath
 *                 .failurePath("s3://my-bucket/async/failure")  // and S3FailurePath
 *                 .s3InputPrefix("s3://my-bucket/async/input")
 *                 .serializer(review -> SerializedRequest.of(review.toJsonBytes()))
 *                 .inferenceIdExtractor(Review::id)
 *                 .build()
 *                 .apply(reviews);
 * DataStream<InferenceResult<Review>> failures = SageMakerAsyncInference.deadLetters(results);
 * }</pre>
 *
 * <p>The builder has the submit builder's settings ({@code contentType}, {@code accept}, {@code
 * capacity}, {@code submitTimeout}, {@code requestTtl}, {@code invocationTimeout}), each checked
 * where it is set, and the parallelism of each part: {@code submitParallelism}, {@code
 * resultSourceParallelism} and {@code joinParallelism} (unset, the job's default). Operators' uids
 * start with {@code uidPrefix}, by default {@code sagemaker-async-<endpoint name>}: set it to keep
 * a savepoint's state when the endpoint name changes. {@link #splitDeadLetters} splits the results
 * into successes and the rest, where {@link #deadLetters} copies the rest.
 *
 * <p>The parts stay usable on their own: {@link SageMakerAsyncSubmitFunction}, {@link
 * SageMakerAsyncResultSource}, {@link LocationTagger} and {@link InferenceResultJoin}.
 */
@PublicEvolving
public final class SageMakerAsyncInference<IN, E> {
    static final String DEAD_LETTERS_ID = "sagemaker-async-dead-letters";
    static final String SPLIT_DEAD_LETTERS_ID = "sagemaker-async-split-dead-letters";

    /**
     * Results go to hourly time buckets unless the user chooses a layout: then every discovery
     * lists only the buckets that can still receive results, and its cost stays flat however much
     * history the prefix holds. A whole-prefix listing pages through all of it (1,000 keys per
     * LIST), because S3 lists in key order and result names carry no time.
     */
    static final String DEFAULT_OUTPUT_PATH_EXTENSION = "results/{yyyy}/{MM}/{dd}/{HH}";

    /** Flink's upper bound on an operator's (maximum) parallelism. */
    static final int MAX_PARALLELISM = Transformation.UPPER_BOUND_MAX_PARALLELISM;

    /** In-flight deadline checks per subtask; they are rare, and each is two small S3 calls. */
    private static final int DEADLINE_CHECK_CAPACITY = 64;

    private static final Duration DEADLINE_CHECK_TIMEOUT = Duration.ofMinutes(15);

    /**
     * Results cross three or four network hops; at the default 100 ms each waits for its buffer to
     * fill up to that long, which at a few results a second is most of the end-to-end overhead.
     */
    static final long RESULT_PATH_BUFFER_TIMEOUT_MILLIS = 10;

    /**
     * How much longer than the submit timeout a result object must be kept for its pending record:
     * the record's trip from the submit operator to the join, a few buffered hops.
     */
    static final Duration RETENTION_MARGIN_OVER_SUBMIT_TIMEOUT = Duration.ofSeconds(5);

    private final SageMakerAsyncSubmitFunction<IN, E> submit;
    private final SageMakerAsyncResultSource<InferenceOutput> results;
    private final JoinConfig join;
    private final String uidPrefix;
    private final CompletionConfigs completion;
    private final NotificationClientFactory notificationClients;

    /** Parallelism of the submit side, the result source and the join side; null: the job's. */
    private final Integer submitParallelism;

    private final Integer resultSourceParallelism;
    private final Integer joinParallelism;

    private SageMakerAsyncInference(Builder<IN, E> builder) {
        this.join = JoinConfig.from(builder.configuration);
        this.submit = builder.submit.setAll(builder.configuration).build();
        checkRetentionCoversSubmitTimeout(join, submit.config().submitTimeout());
        this.completion = CompletionConfigs.derive(builder.configuration, submit.config());
        this.results =
                SageMakerAsyncResultSource.create(
                        completion.watch(), ResultObjectDeserializer.inferenceOutputs());
        this.uidPrefix =
                builder.uidPrefix != null
                        ? builder.uidPrefix
                        : "sagemaker-async-" + submit.config().endpointName();
        this.notificationClients = builder.notificationClients;
        this.submitParallelism = builder.submitParallelism;
        this.resultSourceParallelism = builder.resultSourceParallelism;
        this.joinParallelism = builder.joinParallelism;
    }

    /**
     * A pending record leaves the submit operator only when its call returns, up to the submit
     * timeout after its element came, and a fast model's result can be there first: a shorter
     * retention would drop answers whose pending record is still on its way.
     */
    private static void checkRetentionCoversSubmitTimeout(JoinConfig join, Duration submitTimeout) {
        Duration retention = Duration.ofMillis(join.unmatchedOutputRetentionMillis());
        if (retention.compareTo(submitTimeout.plus(RETENTION_MARGIN_OVER_SUBMIT_TIMEOUT)) < 0) {
            throw OptionChecks.invalid(
                    JoinOptions.UNMATCHED_OUTPUT_RETENTION,
                    TimeUtils.formatWithHighestUnit(retention),
                    "durations of at least '"
                            + SubmitOptions.SUBMIT_TIMEOUT.key()
                            + "' ("
                            + TimeUtils.formatWithHighestUnit(submitTimeout)
                            + ") plus "
                            + TimeUtils.formatWithHighestUnit(RETENTION_MARGIN_OVER_SUBMIT_TIMEOUT)
                            + ": a result can come up to the submit timeout before its pending"
                            + " record, and would be dropped unanswered");
        }
    }

    public static <IN> Builder<IN, IN> builder() {
        return new Builder<>();
    }

    @VisibleForTesting
    SageMakerAsyncSubmitFunction<IN, E> submitFunction() {
        return submit;
    }

    @VisibleForTesting
    SageMakerAsyncResultSource<InferenceOutput> resultSource() {
        return results;
    }

    /**
     * Copies of the non-SUCCESS results of {@code results} (a stream returned by {@link #apply}),
     * which itself still holds every result: sinking both writes each failure twice. To send each
     * result to exactly one of two sinks, use {@link #splitDeadLetters}.
     */
    public static <E> DataStream<InferenceResult<E>> deadLetters(
            SingleOutputStreamOperator<InferenceResult<E>> results) {
        return results.getSideOutput(new OutputTag<>(DEAD_LETTERS_ID, results.getType()));
    }

    /**
     * Splits {@code results} (e.g. a stream returned by {@link #apply}) in two: the SUCCESS results
     * and the rest, each result in exactly one of them. Adds one stateless operator after {@code
     * results}, with its parallelism (so it chains to it) and, when {@code results} has a uid, the
     * uid {@code <that uid>-split}; call it once per stream. The pipeline {@link #apply} builds is
     * unchanged unless this is called.
     */
    public static <E> SplitResults<E> splitDeadLetters(DataStream<InferenceResult<E>> results) {
        OutputTag<InferenceResult<E>> failures =
                new OutputTag<>(SPLIT_DEAD_LETTERS_ID, results.getType());
        SingleOutputStreamOperator<InferenceResult<E>> successes =
                results.process(new DeadLetterSplitter<>(failures))
                        .returns(results.getType())
                        .name("Split successes from dead letters");
        Transformation<InferenceResult<E>> upstream = results.getTransformation();
        if (upstream.isParallelismConfigured()) {
            successes.setParallelism(upstream.getParallelism());
        }
        if (upstream.getUid() != null) {
            successes.uid(upstream.getUid() + "-split");
        }
        return new SplitResults<>(successes, successes.getSideOutput(failures));
    }

    /**
     * The two streams of {@link #splitDeadLetters}: every result is in exactly one.
     *
     * @param <E> the carried element (or projection) type
     */
    @PublicEvolving
    public static final class SplitResults<E> {
        private final SingleOutputStreamOperator<InferenceResult<E>> successes;
        private final DataStream<InferenceResult<E>> deadLetters;

        private SplitResults(
                SingleOutputStreamOperator<InferenceResult<E>> successes,
                DataStream<InferenceResult<E>> deadLetters) {
            this.successes = successes;
            this.deadLetters = deadLetters;
        }

        /** The SUCCESS results; the split operator itself, to name or give a uid. */
        public SingleOutputStreamOperator<InferenceResult<E>> successes() {
            return successes;
        }

        /** The other results: MODEL_ERROR, UNREADABLE, REJECTED and TIMED_OUT. */
        public DataStream<InferenceResult<E>> deadLetters() {
            return deadLetters;
        }
    }

    /** Wires submit, watch and re-join onto {@code input}; see the class comment. */
    @SuppressWarnings("unchecked")
    public SingleOutputStreamOperator<InferenceResult<E>> apply(DataStream<IN> input) {
        checkStreamingMode(input.getExecutionEnvironment());
        TypeInformation<E> carried =
                submit.elementType() != null
                        ? submit.elementType()
                        : (TypeInformation<E>) input.getType();
        InferenceResultTypeInfo<E> resultType = new InferenceResultTypeInfo<>(carried);
        OutputTag<InferenceResult<E>> rejectedTag = new OutputTag<>("rejected", resultType);
        // Operator names carry the endpoint: metrics of two pipelines in one job stay apart.
        String endpoint = submit.config().endpointName();

        List<DataStream<InferenceResult<E>>> rejections = new ArrayList<>();
        DataStream<IN> toSubmit = input;
        if (submit.idExtractor() != null) {
            SingleOutputStreamOperator<IN> guarded =
                    input.keyBy(InferenceIdGuard.keyBy(submit.idExtractor()), Types.STRING)
                            .process(
                                    new InferenceIdGuard<>(
                                            submit.projection(),
                                            submit.config().submitTimeout().toMillis()
                                                    + submit.config().resultWindowMillis()
                                                    + join.duplicateRetentionMillis(),
                                            rejectedTag))
                            .returns(input.getType())
                            .name("Inference ID guard: " + endpoint)
                            .uid(uidPrefix + "-id-guard");
            withParallelism(guarded, submitParallelism);
            rejections.add(guarded.getSideOutput(rejectedTag));
            toSubmit = guarded;
        }

        SingleOutputStreamOperator<PendingInference<E>> accepted =
                withParallelism(
                        withParallelism(submit.applyTo(toSubmit), submitParallelism)
                                .uid(uidPrefix + "-submit")
                                .process(new SubmissionSplitter<>(rejectedTag))
                                .returns(new PendingInferenceTypeInfo<>(carried))
                                .name("Split rejected submissions: " + endpoint)
                                .uid(uidPrefix + "-split-rejected"),
                        submitParallelism);
        rejections.add(accepted.getSideOutput(rejectedTag));

        DataStream<TaggedOutput> tagged =
                completion.mode() == CompletionMode.SQS
                        ? notifications(input, endpoint)
                        : listedAndTagged(accepted, input, endpoint);
        OutputTag<PendingInference<E>> deadlineTag = InferenceResultJoin.deadlineTag(carried);
        // Notifications consumed after a restored snapshot were deleted: look at the restored
        // inferences' locations instead of waiting for their deadlines. A listing finds them again.
        InferenceResultJoin<E> joinOperator =
                new InferenceResultJoin<>(
                                carried,
                                join,
                                deadlineTag,
                                results.config(),
                                WatchClientFactory.SDK,
                                completion.mode() == CompletionMode.SQS)
                        .deadlineChecksTakeUpTo(DEADLINE_CHECK_TIMEOUT.toMillis());
        SingleOutputStreamOperator<InferenceResult<E>> joined =
                accepted.connect(tagged)
                        .keyBy(
                                PendingInference::inferenceId,
                                TaggedOutput::inferenceId,
                                Types.STRING)
                        .transform(
                                "Join results by inference ID: " + endpoint,
                                resultType,
                                new InferenceResultJoinFactory<>(joinOperator, resultSourceId()))
                        .uid(uidPrefix + "-join")
                        .setBufferTimeout(RESULT_PATH_BUFFER_TIMEOUT_MILLIS);
        withParallelism(joined, joinParallelism);
        SingleOutputStreamOperator<InferenceResult<E>> checked =
                AsyncDataStream.unorderedWaitWithRetry(
                                joined.getSideOutput(deadlineTag),
                                new ResultLocationCheck<E>(
                                        results.config(), WatchClientFactory.SDK),
                                DEADLINE_CHECK_TIMEOUT.toMillis(),
                                TimeUnit.MILLISECONDS,
                                DEADLINE_CHECK_CAPACITY,
                                deadlineCheckRetries())
                        .returns(resultType)
                        .name("Look at result locations at the deadline: " + endpoint)
                        .uid(uidPrefix + "-deadline-check");
        withParallelism(checked, joinParallelism);

        DataStream<InferenceResult<E>> all = joined.union(checked);
        for (DataStream<InferenceResult<E>> rejection : rejections) {
            all = all.union(rejection);
        }
        return withParallelism(
                all.process(
                                new ResultEmitter<>(
                                        new OutputTag<>(DEAD_LETTERS_ID, resultType),
                                        cleanupStore()))
                        .returns(resultType)
                        .name("SageMaker async inference results: " + endpoint)
                        .uid(uidPrefix + "-results")
                        .setBufferTimeout(RESULT_PATH_BUFFER_TIMEOUT_MILLIS),
                joinParallelism);
    }

    /**
     * Sets a parallelism the user chose; unset, the operator keeps the job's default, exactly as
     * before these settings existed.
     */
    private static <T> SingleOutputStreamOperator<T> withParallelism(
            SingleOutputStreamOperator<T> operator, Integer parallelism) {
        return parallelism == null ? operator : operator.setParallelism(parallelism);
    }

    /**
     * In BATCH mode each stage ends before the next starts, so the result source would have to end
     * before the join that knows when no result is needed runs: results come hours after their
     * elements, which only a streaming job can wait for.
     */
    private static void checkStreamingMode(StreamExecutionEnvironment env) {
        RuntimeExecutionMode mode = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
        if (mode == RuntimeExecutionMode.BATCH) {
            throw new IllegalStateException(
                    "SageMaker async inference needs '"
                            + ExecutionOptions.RUNTIME_MODE.key()
                            + "' STREAMING (or AUTOMATIC), not BATCH: its results arrive in S3 long"
                            + " after their elements were submitted, and only a streaming job waits"
                            + " for them. A bounded input still ends: the job finishes once every"
                            + " element has its result");
        }
    }

    /** Completion by listing: result objects, tagged with their inference by location claims. */
    private DataStream<TaggedOutput> listedAndTagged(
            DataStream<PendingInference<E>> accepted, DataStream<IN> input, String endpoint) {
        DataStream<LocationClaim> claims =
                withParallelism(
                        accepted.flatMap(new ClaimLocations<E>(results.config()))
                                .returns(JoinTypes.LOCATION_CLAIM)
                                .name("Result location claims: " + endpoint)
                                .uid(uidPrefix + "-claims"),
                        submitParallelism);
        DataStream<InferenceOutput> objects =
                endedByTheJoin(
                        withParallelism(
                                input.getExecutionEnvironment()
                                        .fromSource(
                                                results,
                                                WatermarkStrategy.noWatermarks(),
                                                "SageMaker async results: " + endpoint)
                                        .uid(uidPrefix + "-watch")
                                        .setBufferTimeout(RESULT_PATH_BUFFER_TIMEOUT_MILLIS),
                                resultSourceParallelism));
        return withParallelism(
                claims.connect(objects)
                        .keyBy(LocationClaim::location, InferenceOutput::location, Types.STRING)
                        .process(new LocationTagger(join))
                        .returns(JoinTypes.TAGGED_OUTPUT)
                        .name("Tag results by location: " + endpoint)
                        .uid(uidPrefix + "-tag")
                        .setBufferTimeout(RESULT_PATH_BUFFER_TIMEOUT_MILLIS),
                joinParallelism);
    }

    /**
     * Completion by notification: each message names its inference, so nothing is tagged. Whether
     * messages are deleted after checkpoints or as they are emitted (a job without checkpoints) the
     * readers decide when the job runs, so checkpointing may be enabled after {@code apply()}.
     */
    private DataStream<TaggedOutput> notifications(DataStream<IN> input, String endpoint) {
        StreamExecutionEnvironment env = input.getExecutionEnvironment();
        SqsCompletionSource<TaggedOutput> source =
                SqsCompletionSource.tagged(completion.sqs(), notificationClients);
        return endedByTheJoin(
                withParallelism(
                        env.fromSource(
                                        source,
                                        WatermarkStrategy.noWatermarks(),
                                        "SageMaker async notifications: " + endpoint)
                                .uid(uidPrefix + "-notifications")
                                .setBufferTimeout(RESULT_PATH_BUFFER_TIMEOUT_MILLIS),
                        resultSourceParallelism));
    }

    /**
     * Registers a result source under {@link #resultSourceId()}, where the join's coordinator ends
     * it once the input ended and every element has its result. Results carry no event time (the
     * join gives each its element's), so the source emits no watermarks.
     */
    private <T> SingleOutputStreamOperator<T> endedByTheJoin(SingleOutputStreamOperator<T> source) {
        ((SourceTransformation<?, ?, ?>) source.getTransformation())
                .setCoordinatorListeningID(resultSourceId());
        return source;
    }

    private String resultSourceId() {
        return uidPrefix + "-result-source";
    }

    /** S3 errors that are not fatal are retried with backoff for minutes, never given up early. */
    @VisibleForTesting
    static <E> AsyncRetryStrategy<InferenceResult<E>> deadlineCheckRetries() {
        return new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<
                        InferenceResult<E>>(12, 500L, 60_000L, 2.0)
                .ifException(new NotFatal())
                .build();
    }

    /** Retries what is not a {@link FatalAwsException}; serializable, as the strategy must be. */
    private static final class NotFatal implements Predicate<Throwable>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(Throwable error) {
            return !(AwsErrors.unwrap(error) instanceof FatalAwsException);
        }
    }

    private ResultEmitter.CleanupStoreFactory cleanupStore() {
        if (!join.cleanup()) {
            return null;
        }
        WatchConfig watch = results.config();
        return () -> WatchClientFactory.SDK.s3(watch);
    }

    /**
     * Builds a {@link SageMakerAsyncInference}. All options (submit, watch, join, {@code aws.*})
     * live in one configuration; the watch source follows the submit side where it can: it lists
     * the time buckets of {@code sagemaker.output-path-extension}, keeps them open for the result
     * window, and starts from now.
     */
    @PublicEvolving
    public static final class Builder<IN, E> {
        /** Options of the watch source, the join and everything else; the submit side's too. */
        private final Configuration configuration = new Configuration();

        /** How elements become requests: the submit function's own builder holds it. */
        private SageMakerAsyncSubmitFunction.Builder<IN, E> submit;

        private String uidPrefix;

        private Integer submitParallelism;
        private Integer resultSourceParallelism;
        private Integer joinParallelism;

        private NotificationClientFactory notificationClients = NotificationClientFactory.SDK;

        @SuppressWarnings("unchecked")
        private Builder() {
            this.submit =
                    (SageMakerAsyncSubmitFunction.Builder<IN, E>)
                            (Object) SageMakerAsyncSubmitFunction.<IN>builder();
        }

        /** Sets any option of the submit side, the watch source, the join or {@code aws.*}. */
        public <T> Builder<IN, E> set(ConfigOption<T> option, T value) {
            configuration.set(option, value);
            return this;
        }

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

        /** The endpoint's S3OutputPath: where the watch source looks for outputs. */
        public Builder<IN, E> outputPath(String s3Uri) {
            return set(WatchOptions.OUTPUT_PATH, s3Uri);
        }

        /** The endpoint's S3FailurePath: where the watch source looks for failures. */
        public Builder<IN, E> failurePath(String s3Uri) {
            return set(WatchOptions.FAILURE_PATH, s3Uri);
        }

        public Builder<IN, E> s3InputPrefix(String s3Uri) {
            return set(SubmitOptions.S3_INPUT_PREFIX, s3Uri);
        }

        /**
         * MIME type of every payload ({@code sagemaker.content-type}), unless the serializer sets
         * one per element; at most 1024 ASCII characters.
         */
        public Builder<IN, E> contentType(String contentType) {
            return checked(
                    "contentType",
                    SubmitOptions.CONTENT_TYPE,
                    contentType,
                    SubmitConfig::checkedContentType);
        }

        /** Desired MIME type of the output ({@code sagemaker.accept}); at most 1024 ASCII. */
        public Builder<IN, E> accept(String accept) {
            return checked("accept", SubmitOptions.ACCEPT, accept, SubmitConfig::checkedAccept);
        }

        /**
         * Submissions in flight per submit subtask ({@code sagemaker.submit.capacity}, default
         * 128); at least 1.
         */
        public Builder<IN, E> capacity(int capacity) {
            return checked(
                    "capacity", SubmitOptions.CAPACITY, capacity, SubmitConfig::checkedCapacity);
        }

        /**
         * Time for one element's submission, retries and waiting for a call slot included ({@code
         * sagemaker.submit.timeout}, default 5 min); positive.
         */
        public Builder<IN, E> submitTimeout(Duration timeout) {
            return checked(
                    "submitTimeout",
                    SubmitOptions.SUBMIT_TIMEOUT,
                    timeout,
                    SubmitConfig::checkedSubmitTimeout);
        }

        /**
         * How long a request may wait in the endpoint's queue ({@code sagemaker.request-ttl});
         * whole seconds from 60 s to 6 h. Unset, the service's 6 h.
         */
        public Builder<IN, E> requestTtl(Duration ttl) {
            return checked(
                    "requestTtl",
                    SubmitOptions.REQUEST_TTL,
                    ttl,
                    SubmitConfig::checkedRequestTtlSeconds);
        }

        /**
         * How long the model may take once started ({@code sagemaker.invocation-timeout}); whole
         * seconds from 1 s to 1 h. Unset, the service's 15 min.
         */
        public Builder<IN, E> invocationTimeout(Duration timeout) {
            return checked(
                    "invocationTimeout",
                    SubmitOptions.INVOCATION_TIMEOUT,
                    timeout,
                    SubmitConfig::checkedInvocationTimeoutSeconds);
        }

        /**
         * Parallelism of the submit side: the inference ID guard, the submit operator, the split of
         * rejections and the location claims. Calls in flight are at most this times {@link
         * #capacity}. Unset, the job's default parallelism.
         */
        public Builder<IN, E> submitParallelism(int parallelism) {
            this.submitParallelism = checkedParallelism("submitParallelism", parallelism);
            return this;
        }

        /**
         * Parallelism of the result source: the watch source's readers, or the notification
         * source's in SQS completion mode. Unset, the job's default parallelism.
         */
        public Builder<IN, E> resultSourceParallelism(int parallelism) {
            this.resultSourceParallelism =
                    checkedParallelism("resultSourceParallelism", parallelism);
            return this;
        }

        /**
         * Parallelism of the join side, which holds the keyed state of pending inferences: the
         * location tagger, the join, the deadline check and the results operator that {@link
         * #apply} returns. Unset, the job's default parallelism.
         */
        public Builder<IN, E> joinParallelism(int parallelism) {
            this.joinParallelism = checkedParallelism("joinParallelism", parallelism);
            return this;
        }

        /**
         * Sets {@code option} after running on {@code value} alone the check {@code build()} runs
         * on it, so that a bad value fails here, naming the setter and the option.
         */
        private <T> Builder<IN, E> checked(
                String setter, ConfigOption<T> option, T value, Function<Configuration, ?> check) {
            if (value == null) {
                throw new IllegalArgumentException(
                        setter + "(null): option '" + option.key() + "' needs a value");
            }
            Configuration alone = new Configuration();
            alone.set(option, value);
            try {
                check.apply(alone);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        setter
                                + "("
                                + OptionChecks.shown(option.key(), value)
                                + "): "
                                + e.getMessage(),
                        e);
            }
            return set(option, value);
        }

        private static int checkedParallelism(String setter, int parallelism) {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new IllegalArgumentException(
                        setter
                                + "("
                                + parallelism
                                + "): allowed are integers from 1 to "
                                + MAX_PARALLELISM
                                + " (Flink's upper bound); leave it unset for the job's default"
                                + " parallelism");
            }
            return parallelism;
        }

        /** Required: turns each element into its payload. */
        public Builder<IN, E> serializer(RequestSerializer<IN> serializer) {
            submit.serializer(serializer);
            return this;
        }

        /**
         * Derives inference IDs from elements, so replays reuse them; elements must not share one
         * (a later one is REJECTED with DUPLICATE_INFERENCE_ID). Default: random UUIDs.
         */
        public Builder<IN, E> inferenceIdExtractor(InferenceIdExtractor<IN> extractor) {
            submit.inferenceIdExtractor(extractor);
            return this;
        }

        /** Carries a projection of each element instead of the element itself. */
        @SuppressWarnings("unchecked")
        public <P> Builder<IN, P> projection(
                ElementProjection<IN, P> projection, TypeInformation<P> type) {
            Builder<IN, P> self = (Builder<IN, P>) this;
            self.submit = submit.projection(projection, type);
            return self;
        }

        /**
         * Learn of completions from the SQS queue subscribed to the endpoint's SNS success and
         * error topics instead of by listing S3: see {@code docs/completion-modes.md}.
         */
        public Builder<IN, E> sqsCompletion(String queueUrl) {
            set(CompletionOptions.MODE, CompletionMode.SQS);
            return set(CompletionOptions.SQS_QUEUE_URL, queueUrl);
        }

        @VisibleForTesting
        Builder<IN, E> notificationClients(NotificationClientFactory factory) {
            this.notificationClients = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Prefix of the operators' uids, by which a savepoint's state finds its operators; default
         * {@code sagemaker-async-<endpoint name>}. The default follows the endpoint: a job moved to
         * an endpoint of another name has other uids, and its restore fails on the old state (or,
         * with {@code --allowNonRestoredState}, drops it, pending inferences included). To keep the
         * state, set the prefix the savepoint was taken with, e.g. {@code sagemaker-async-<old
         * endpoint name>}: see {@code docs/results.md}, "Savepoints and restores".
         */
        public Builder<IN, E> uidPrefix(String uidPrefix) {
            this.uidPrefix = Objects.requireNonNull(uidPrefix, "uidPrefix");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first missing or invalid option
         */
        public SageMakerAsyncInference<IN, E> build() {
            if (configuration.get(WatchOptions.DELETE_CONSUMED)) {
                throw new IllegalArgumentException(
                        "Option '"
                                + WatchOptions.DELETE_CONSUMED.key()
                                + "' deletes every object the watch source lists, also other"
                                + " jobs' results in a shared prefix; in the one-call API use '"
                                + JoinOptions.CLEANUP.key()
                                + "', which deletes only this job's own inputs and results");
            }
            if (configuration.get(WatchOptions.BOUNDED)) {
                throw new IllegalArgumentException(
                        "Option '"
                                + WatchOptions.BOUNDED.key()
                                + "' ends the watch at its first empty listing, before the results"
                                + " of pending elements arrive; the one-call API ends its result"
                                + " source by itself once the input has ended and every element"
                                + " has its result. Remove the option");
            }
            if (!configuration.contains(SubmitOptions.OUTPUT_PATH_EXTENSION)) {
                configuration.set(
                        SubmitOptions.OUTPUT_PATH_EXTENSION, DEFAULT_OUTPUT_PATH_EXTENSION);
            }
            return new SageMakerAsyncInference<>(this);
        }
    }
}
