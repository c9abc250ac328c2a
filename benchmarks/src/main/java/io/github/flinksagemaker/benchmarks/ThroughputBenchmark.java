package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SageMakerAsyncSubmitFunction;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Submissions per second of one subtask: the connector's submit operator, the raw async client
 * driven as fast as it goes with the same number in flight (the practical limit), and a blocking
 * {@code MapFunction} calling the sync client (what users write without the connector).
 */
final class ThroughputBenchmark {
    static final String ENDPOINT = "throughput";
    static final int PAYLOAD_BYTES = 1_024;

    private final LocalSetup setup;
    private final int inFlight;

    ThroughputBenchmark(LocalSetup setup, int inFlight) {
        this.setup = setup;
        this.inFlight = inFlight;
    }

    /** The connector's submit operator, parallelism 1, from a bounded generator. */
    double connector(long elements) throws Exception {
        String name = "connector-" + System.nanoTime();
        Recorder recorder = Recorder.create(name);
        StreamExecutionEnvironment env = environment();
        DataStream<Long> input = source(env, elements);
        SageMakerAsyncSubmitFunction.<Long>builder()
                .setAll(setup.connector(ENDPOINT))
                .set(SubmitOptions.CAPACITY, inFlight)
                .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, PAYLOAD_BYTES)))
                .build()
                .applyTo(input)
                .map(new Arrival<PendingInference<Long>>(name))
                .sinkTo(new DiscardingSink<>());
        env.execute("throughput: connector");
        check(recorder, elements);
        return recorder.ratePerSecond();
    }

    /** A blocking MapFunction with the sync client: one call at a time per subtask. */
    double naiveBlockingMap(long elements) throws Exception {
        String name = "naive-" + System.nanoTime();
        Recorder recorder = Recorder.create(name);
        StreamExecutionEnvironment env = environment();
        source(env, elements)
                .map(new BlockingInvoke(setup, name))
                .map(new Arrival<String>(name))
                .sinkTo(new DiscardingSink<>());
        env.execute("throughput: blocking map");
        check(recorder, elements);
        return recorder.ratePerSecond();
    }

    /** The raw async client with {@code inFlight} calls outstanding, no Flink. */
    double rawClient(long elements) throws Exception {
        Recorder recorder = new Recorder();
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (SageMakerRuntimeAsyncClient client = setup.rawAsyncClient(inFlight)) {
            for (long i = 0; i < elements && failure.get() == null; i++) {
                permits.acquire();
                SdkBytes body = SdkBytes.fromByteArrayUnsafe(LocalSetup.payload(i, PAYLOAD_BYTES));
                client.invokeEndpointAsync(r -> r.endpointName(ENDPOINT).body(body))
                        .whenComplete(
                                (response, error) -> {
                                    if (error != null) {
                                        failure.compareAndSet(null, error);
                                    }
                                    recorder.arrived();
                                    permits.release();
                                });
            }
            permits.acquire(inFlight);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("A raw call failed", failure.get());
        }
        return recorder.ratePerSecond();
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        return env;
    }

    private static DataStream<Long> source(StreamExecutionEnvironment env, long elements) {
        return env.fromSource(
                new DataGeneratorSource<>(i -> i, elements, Types.LONG),
                WatermarkStrategy.noWatermarks(),
                "elements");
    }

    private static void check(Recorder recorder, long elements) {
        if (recorder.count.get() != elements) {
            throw new IllegalStateException(
                    "Expected " + elements + " results, saw " + recorder.count.get());
        }
    }

    /** Records each element's arrival at the end of the job. */
    static final class Arrival<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private transient Recorder recorder;

        Arrival(String name) {
            this.name = name;
        }

        @Override
        public void open(OpenContext openContext) {
            recorder = Recorder.get(name);
        }

        @Override
        public T map(T value) {
            recorder.arrived();
            return value;
        }
    }

    /** What users write without the connector: a blocking call per element. */
    static final class BlockingInvoke extends RichMapFunction<Long, String> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private transient SageMakerRuntimeClient client;

        BlockingInvoke(LocalSetup setup, String name) {
            this.name = name;
            SETUPS.put(name, setup);
        }

        private static final java.util.Map<String, LocalSetup> SETUPS =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void open(OpenContext openContext) {
            client = SETUPS.get(name).rawSyncClient();
        }

        @Override
        public String map(Long i) {
            return client.invokeEndpointAsync(
                            r ->
                                    r.endpointName(ENDPOINT)
                                            .body(
                                                    SdkBytes.fromByteArrayUnsafe(
                                                            LocalSetup.payload(i, PAYLOAD_BYTES))))
                    .inferenceId();
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
