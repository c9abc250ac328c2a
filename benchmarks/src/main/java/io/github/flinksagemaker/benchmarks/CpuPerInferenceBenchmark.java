package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.WatchOptions;

import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * CPU per inference of this JVM, with the endpoint (echo model, fixed latency) in a JVM of its own:
 * the raw async client's calls, and the whole one-call pipeline by completion mode, each as fast as
 * it goes. Measured between a fifth and nine tenths of the results, so that neither the start (JIT,
 * the MiniCluster) nor the end counts; per stage by thread CPU; the endpoint's own CPU read apart
 * from the OS.
 */
final class CpuPerInferenceBenchmark {
    static final Duration MODEL_LATENCY = Duration.ofMillis(20);
    static final int RAW_IN_FLIGHT = 64;
    static final int PAYLOAD_BYTES = 1_024;
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    private static final double FROM = 0.2;
    private static final double TO = 0.9;

    /** Where a thread's CPU goes, by its name; the first match wins. */
    static final List<Map.Entry<String, List<String>>> STAGES =
            List.of(
                    Map.entry("submit task", List.of("SageMaker async submit")),
                    Map.entry("SDK HTTP (Netty)", List.of("aws-java-sdk-NettyEventLoop")),
                    Map.entry("SDK response threads", List.of("sdk-async-response")),
                    Map.entry(
                            "completion source",
                            List.of("SageMaker async notifications", "SageMaker async results")),
                    Map.entry("join", List.of("Join results")),
                    Map.entry("checkpoints (async part)", List.of("AsyncOperations")),
                    Map.entry("generator and sink", List.of("Source: elements", "Sink")));

    static final String REST = "Flink runtime, GC, JIT (rest of the JVM)";

    /** CPU per 1,000 inferences (ms) of this JVM and of the endpoint's, by stage, and the rate. */
    record Measure(
            double cpuMsPerThousand,
            double endpointCpuMsPerThousand,
            double perSecond,
            Map<String, Double> stageCpuMsPerThousand) {}

    /** What is known at one moment of a run. */
    private record Snapshot(
            long results,
            long nanos,
            long processCpu,
            long endpointCpu,
            Map<Long, Long> threads,
            Map<Long, String> names) {}

    private static final class Window implements PipelineRun.Progress {
        private final long total;
        private final LongSupplier endpointCpuNanos;
        private Snapshot from;
        private Snapshot to;

        Window(long total, LongSupplier endpointCpuNanos) {
            this.total = total;
            this.endpointCpuNanos = endpointCpuNanos;
        }

        @Override
        public void results(long count) {
            if (from == null && count >= total * FROM) {
                from = snapshot(count, endpointCpuNanos);
            } else if (to == null && count >= total * TO) {
                to = snapshot(count, endpointCpuNanos);
            }
        }

        Measure measure() {
            if (from == null || to == null) {
                throw new IllegalStateException("The run ended before its measuring window");
            }
            double thousands = (to.results - from.results) / 1000.0;
            Map<String, Double> stages = new LinkedHashMap<>();
            STAGES.forEach(stage -> stages.put(stage.getKey(), 0.0));
            long threadCpu = 0;
            Map<Long, String> names = new LinkedHashMap<>(from.names);
            names.putAll(to.names);
            for (Map.Entry<Long, Long> thread : to.threads.entrySet()) {
                long used = thread.getValue() - from.threads.getOrDefault(thread.getKey(), 0L);
                String stage = stageOf(names.getOrDefault(thread.getKey(), ""));
                if (Boolean.getBoolean("bench.debug") && used > 100_000_000L) {
                    System.out.println(
                            "DEBUG "
                                    + used / 1_000_000
                                    + " ms "
                                    + names.get(thread.getKey())
                                    + " -> "
                                    + stage);
                }
                if (stage != null) {
                    stages.merge(stage, used / 1e6 / thousands, Double::sum);
                    threadCpu += used;
                }
            }
            long processCpu = to.processCpu - from.processCpu;
            stages.put(REST, (processCpu - threadCpu) / 1e6 / thousands);
            return new Measure(
                    processCpu / 1e6 / thousands,
                    (to.endpointCpu - from.endpointCpu) / 1e6 / thousands,
                    (to.results - from.results) * 1e9 / (to.nanos - from.nanos),
                    stages);
        }
    }

    /**
     * The raw async client at {@code perSecond}, at most {@value #RAW_IN_FLIGHT} calls in flight.
     */
    Measure raw(long calls, double perSecond) throws Exception {
        try (ExternalEndpoint endpoint = ExternalEndpoint.start(MODEL_LATENCY);
                SageMakerRuntimeAsyncClient client = endpoint.rawAsyncClient(RAW_IN_FLIGHT)) {
            Window window = new Window(calls, () -> endpoint.cpu().toNanos());
            Semaphore permits = new Semaphore(RAW_IN_FLIGHT);
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long start = System.nanoTime();
            for (long i = 0; i < calls && failure.get() == null; i++) {
                LockSupport.parkNanos(start + (long) (i * 1e9 / perSecond) - System.nanoTime());
                permits.acquire();
                window.results(done.get());
                SdkBytes body = SdkBytes.fromByteArrayUnsafe(LocalSetup.payload(i, PAYLOAD_BYTES));
                client.invokeEndpointAsync(
                                r -> r.endpointName(ExternalEndpoint.ENDPOINT).body(body))
                        .whenComplete(
                                (response, error) -> {
                                    if (error != null) {
                                        failure.compareAndSet(null, error);
                                    }
                                    done.incrementAndGet();
                                    permits.release();
                                });
            }
            permits.acquire(RAW_IN_FLIGHT);
            if (failure.get() != null) {
                throw new IllegalStateException("A raw call failed", failure.get());
            }
            return window.measure();
        }
    }

    /**
     * The one-call pipeline with elements at {@code perSecond}, checkpoints every second. At a rate
     * it keeps up with, so that submissions and results are measured in the same window.
     */
    Measure pipeline(boolean sqs, long elements, double perSecond) throws Exception {
        try (ExternalEndpoint endpoint = ExternalEndpoint.start(MODEL_LATENCY)) {
            Configuration options = endpoint.connector(sqs);
            if (!sqs) {
                options.set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(500));
            }
            Window window = new Window(elements, () -> endpoint.cpu().toNanos());
            PipelineRun.run(
                    options,
                    elements,
                    PAYLOAD_BYTES,
                    perSecond,
                    Duration.ofMinutes(10),
                    CHECKPOINT_INTERVAL,
                    window);
            return window.measure();
        }
    }

    /** Threads of the local endpoint, its S3 (s3proxy) and its SQS (ElasticMQ and the front). */
    static final List<String> EMULATOR_THREADS =
            List.of(
                    "local-",
                    "sagemaker-runtime-http",
                    "elasticmq",
                    "SNProxy",
                    "s3proxy",
                    "HTTP-Dispatcher",
                    "HttpClient-");

    /**
     * The pipeline with the endpoint in this JVM, as fast as it goes (SQS mode): what this machine
     * does in all; the endpoint's threads' CPU is reported apart.
     */
    Measure inProcess(LocalSetup setup, String endpoint, long elements) throws Exception {
        Configuration options = setup.echoEndpoint(endpoint, MODEL_LATENCY, true);
        Window window = new Window(elements, CpuPerInferenceBenchmark::emulatorThreadsCpu);
        PipelineRun.run(
                options,
                elements,
                PAYLOAD_BYTES,
                0,
                Duration.ofMinutes(10),
                CHECKPOINT_INTERVAL,
                window);
        return window.measure();
    }

    private static long emulatorThreadsCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (EMULATOR_THREADS.stream().anyMatch(thread.getName()::startsWith)) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    private static String stageOf(String thread) {
        for (Map.Entry<String, List<String>> stage : STAGES) {
            for (String part : stage.getValue()) {
                if (thread.contains(part)) {
                    return stage.getKey();
                }
            }
        }
        return null;
    }

    private static Map<Long, String> threadNames() {
        Map<Long, String> names = new LinkedHashMap<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.put(t.getId(), t.getName()));
        return names;
    }

    private static Snapshot snapshot(long results, LongSupplier endpointCpuNanos) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new LinkedHashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long used = threads.getThreadCpuTime(id);
            if (used >= 0) {
                cpu.put(id, used);
            }
        }
        return new Snapshot(
                results,
                System.nanoTime(),
                ((com.sun.management.OperatingSystemMXBean)
                                ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime(),
                endpointCpuNanos.getAsLong(),
                cpu,
                threadNames());
    }
}
