package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.watch.enumerator.ResultObjectEnumerator;
import io.github.flinksagemaker.connector.watch.enumerator.WatchEnumeratorState;
import io.github.flinksagemaker.connector.watch.enumerator.WatchEnumeratorStateSerializer;
import io.github.flinksagemaker.connector.watch.reader.ReaderMetrics;
import io.github.flinksagemaker.connector.watch.reader.ResultObjectRecordEmitter;
import io.github.flinksagemaker.connector.watch.reader.ResultObjectSourceReader;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplitSerializer;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.clock.Clock;
import org.apache.flink.util.clock.SystemClock;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Watches a SageMaker async endpoint's S3 output and failure paths and emits each new result object
 * once, with exactly-once emission across checkpoints and state that stays bounded: see {@code
 * docs/watch.md}.
 *
 * <pre>{@code
 * SageMakerAsyncResultSource<InferenceOutput> results =
 *         SageMakerAsyncResultSource.builder()
 *                 .region("eu-west-1")
 *                 .outputPath("s3://my-bucket/async/output")
 *                 .failurePath("s3://my-bucket/async/failure")
 *                 .timeBuckets("results/{yyyy}/{MM}/{dd}/{HH}")
 *                 .build();
 * env.fromSource(results, WatermarkStrategy.noWatermarks(), "sagemaker-results");
 * }</pre>
 *
 * @param <T> the emitted type; {@link InferenceOutput} unless a deserializer says otherwise
 */
@PublicEvolving
public final class SageMakerAsyncResultSource<T>
        implements Source<T, ResultObjectSplit, WatchEnumeratorState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final WatchConfig config;
    private final ResultObjectDeserializer<T> deserializer;
    private final WatchClientFactory clientFactory;
    private final ClockSupplier clock;

    /** A serializable way to get the enumerator's clock. */
    @FunctionalInterface
    interface ClockSupplier extends Serializable, Supplier<Clock> {}

    SageMakerAsyncResultSource(
            WatchConfig config,
            ResultObjectDeserializer<T> deserializer,
            WatchClientFactory clientFactory,
            ClockSupplier clock) {
        this.config = config;
        this.deserializer = deserializer;
        this.clientFactory = clientFactory;
        this.clock = clock;
    }

    /** A source with an already validated configuration, for the connector's own wiring. */
    @Internal
    public static <T> SageMakerAsyncResultSource<T> create(
            WatchConfig config, ResultObjectDeserializer<T> deserializer) {
        return new SageMakerAsyncResultSource<>(
                config, deserializer, WatchClientFactory.SDK, SystemClock::getInstance);
    }

    /** A builder for a source of {@link InferenceOutput}s. */
    public static Builder<InferenceOutput> builder() {
        return new Builder<>(ResultObjectDeserializer.inferenceOutputs());
    }

    public WatchConfig config() {
        return config;
    }

    @Override
    public Boundedness getBoundedness() {
        return config.bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, ResultObjectSplit> createReader(SourceReaderContext context) {
        ByteBudget budget = new ByteBudget(config.maxBufferedBytes());
        ReaderMetrics metrics = new ReaderMetrics(context.metricGroup(), budget);
        return new ResultObjectSourceReader<>(
                clientFactory.s3(config),
                config.maxContentBytes(),
                config.fetchConcurrency(),
                budget,
                new ResultObjectRecordEmitter<>(
                        deserializer,
                        context.metricGroup().getIOMetricGroup().getNumRecordsInCounter(),
                        budget),
                context,
                config.deleteConsumed(),
                config.splitsPerRequest(),
                metrics);
    }

    @Override
    public SplitEnumerator<ResultObjectSplit, WatchEnumeratorState> createEnumerator(
            SplitEnumeratorContext<ResultObjectSplit> context) {
        return new ResultObjectEnumerator(
                context, config, clientFactory.s3(config), clock.get(), null);
    }

    @Override
    public SplitEnumerator<ResultObjectSplit, WatchEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<ResultObjectSplit> context, WatchEnumeratorState checkpoint) {
        return new ResultObjectEnumerator(
                context, config, clientFactory.s3(config), clock.get(), checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<ResultObjectSplit> getSplitSerializer() {
        return ResultObjectSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<WatchEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new WatchEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    /**
     * Builds a {@link SageMakerAsyncResultSource}; {@link #build()} validates every option and
     * names the first one at fault.
     */
    @PublicEvolving
    public static final class Builder<T> {
        private final Configuration configuration = new Configuration();
        private ResultObjectDeserializer<T> deserializer;
        private WatchClientFactory clientFactory = WatchClientFactory.SDK;
        private ClockSupplier clock = SystemClock::getInstance;

        private Builder(ResultObjectDeserializer<T> deserializer) {
            this.deserializer = deserializer;
        }

        public <V> Builder<T> set(ConfigOption<V> option, V value) {
            configuration.set(option, value);
            return this;
        }

        /** Adds every option of {@code options}, e.g. the shared {@code aws.*} keys. */
        public Builder<T> setAll(Configuration options) {
            configuration.addAll(options);
            return this;
        }

        public Builder<T> region(String region) {
            return set(AwsConfigOptions.AWS_REGION, region);
        }

        /** The endpoint's S3OutputPath: objects found there are SUCCESS results. */
        public Builder<T> outputPath(String s3Uri) {
            return set(WatchOptions.OUTPUT_PATH, s3Uri);
        }

        /** The endpoint's S3FailurePath: objects found there are MODEL_ERROR results. */
        public Builder<T> failurePath(String s3Uri) {
            return set(WatchOptions.FAILURE_PATH, s3Uri);
        }

        /**
         * @deprecated use {@link #outputPath}, named like the one-call API's
         */
        @Deprecated
        public Builder<T> outputPrefix(String s3Uri) {
            return outputPath(s3Uri);
        }

        /**
         * @deprecated use {@link #failurePath}, named like the one-call API's
         */
        @Deprecated
        public Builder<T> failurePrefix(String s3Uri) {
            return failurePath(s3Uri);
        }

        public Builder<T> timeBuckets(String pattern) {
            return set(WatchOptions.TIME_BUCKETS, pattern);
        }

        public Builder<T> discoveryInterval(Duration interval) {
            return set(WatchOptions.DISCOVERY_INTERVAL, interval);
        }

        public Builder<T> bounded(boolean bounded) {
            return set(WatchOptions.BOUNDED, bounded);
        }

        /** Emits what {@code deserializer} makes of each object instead of InferenceOutputs. */
        @SuppressWarnings("unchecked")
        public <V> Builder<V> deserializer(ResultObjectDeserializer<V> deserializer) {
            Builder<V> self = (Builder<V>) this;
            self.deserializer = Objects.requireNonNull(deserializer, "deserializer");
            return self;
        }

        @VisibleForTesting
        Builder<T> clientFactory(WatchClientFactory factory) {
            this.clientFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        @VisibleForTesting
        Builder<T> clock(ClockSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first missing or invalid option
         */
        public SageMakerAsyncResultSource<T> build() {
            return new SageMakerAsyncResultSource<>(
                    WatchConfig.from(configuration), deserializer, clientFactory, clock);
        }
    }
}
