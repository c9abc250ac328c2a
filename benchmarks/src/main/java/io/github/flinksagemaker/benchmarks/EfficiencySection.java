package io.github.flinksagemaker.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Section 7: CPU per inference against the raw client, throughput on this machine, the latency tail
 * in every run, and what a checkpoint costs as pending inferences pile up.
 */
final class EfficiencySection {
    static final double CPU_RATE = 400;
    static final int TAIL_RUNS = 5;

    private final int runs;
    private final boolean quick;
    private final Consumer<String> progress;

    EfficiencySection(int runs, boolean quick, Consumer<String> progress) {
        this.runs = Math.max(1, Math.min(runs, 3));
        this.quick = quick;
        this.progress = progress;
    }

    private long size(long full) {
        return quick ? Math.max(1_000, full / 10) : full;
    }

    Report run() throws Exception {
        Report report = new Report();
        report.heading("7. Efficiency: CPU per inference, throughput, tail, checkpoints");
        cpu(report);
        try (LocalSetup setup = new LocalSetup()) {
            throughput(setup, report);
            tail(setup, report);
            checkpoints(setup, report);
        }
        return report;
    }

    private void cpu(Report report) throws Exception {
        CpuPerInferenceBenchmark benchmark = new CpuPerInferenceBenchmark();
        long elements = size(12_000);
        progress.accept("CPU per inference: a discarded round to warm up the JIT");
        benchmark.raw(elements, CPU_RATE);
        benchmark.pipeline(true, elements, CPU_RATE);
        List<CpuPerInferenceBenchmark.Measure> raw = new ArrayList<>();
        List<CpuPerInferenceBenchmark.Measure> sqs = new ArrayList<>();
        List<CpuPerInferenceBenchmark.Measure> listing = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            progress.accept("CPU per inference, run " + run + ": raw client");
            raw.add(benchmark.raw(elements, CPU_RATE));
            progress.accept("CPU per inference, run " + run + ": pipeline, SQS");
            sqs.add(benchmark.pipeline(true, elements, CPU_RATE));
            progress.accept("CPU per inference, run " + run + ": pipeline, listing");
            listing.add(benchmark.pipeline(false, elements, CPU_RATE));
        }
        report.line(
                        String.format(
                                Locale.ROOT,
                                "CPU time of this JVM (process CPU from the OS) per 1,000"
                                        + " inferences, with the local endpoint in a JVM of its own"
                                        + " (the standalone launcher: echo model, %d ms), at %.0f"
                                        + " elements/s of %,d bytes inline for each: the raw async"
                                        + " client (%d in flight at most, nothing else in the JVM),"
                                        + " and the one-call pipeline (parallelism %d, checkpoints"
                                        + " every %d s, heap state), %,d elements per run, measured"
                                        + " between a fifth and nine tenths of the results. A"
                                        + " discarded round warms the JIT first; medians of %d"
                                        + " runs; ratios within each run.",
                                CpuPerInferenceBenchmark.MODEL_LATENCY.toMillis(),
                                CPU_RATE,
                                CpuPerInferenceBenchmark.PAYLOAD_BYTES,
                                CpuPerInferenceBenchmark.RAW_IN_FLIGHT,
                                PipelineRun.PARALLELISM,
                                CpuPerInferenceBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                elements,
                                runs))
                .blank()
                .header(
                        "",
                        "CPU ms / 1,000",
                        "**× raw client**",
                        "endpoint JVM's CPU ms / 1,000 (emulator)",
                        "inferences/s in the window");
        cpuRow(report, "raw async client", raw, raw);
        cpuRow(report, "pipeline, SQS notifications", sqs, raw);
        cpuRow(report, "pipeline, listing every 500 ms", listing, raw);
        report.blank().line("Where the pipeline's CPU goes, by thread (ms per 1,000 inferences):");
        report.blank();
        List<String> stages = new ArrayList<>(sqs.get(0).stageCpuMsPerThousand().keySet());
        List<String> header = new ArrayList<>(List.of("stage"));
        header.add("raw client");
        header.add("SQS");
        header.add("listing");
        report.header(header.toArray(String[]::new));
        for (String stage : stages) {
            report.row(
                    stage,
                    Report.median(samples(raw, m -> m.stageCpuMsPerThousand().get(stage)), 0),
                    Report.median(samples(sqs, m -> m.stageCpuMsPerThousand().get(stage)), 0),
                    Report.median(samples(listing, m -> m.stageCpuMsPerThousand().get(stage)), 0));
        }
    }

    private static void cpuRow(
            Report report,
            String label,
            List<CpuPerInferenceBenchmark.Measure> measures,
            List<CpuPerInferenceBenchmark.Measure> raw) {
        Samples ratios = new Samples();
        for (int i = 0; i < measures.size(); i++) {
            ratios.add(measures.get(i).cpuMsPerThousand() / raw.get(i).cpuMsPerThousand());
        }
        report.row(
                label,
                Report.median(
                        samples(measures, CpuPerInferenceBenchmark.Measure::cpuMsPerThousand), 0),
                "**"
                        + Report.ratio(ratios.median())
                        + "** ("
                        + Report.number(ratios.min(), 2)
                        + "–"
                        + Report.number(ratios.max(), 2)
                        + ")",
                Report.median(
                        samples(
                                measures,
                                CpuPerInferenceBenchmark.Measure::endpointCpuMsPerThousand),
                        0),
                Report.median(samples(measures, CpuPerInferenceBenchmark.Measure::perSecond), 0));
    }

    private void throughput(LocalSetup setup, Report report) throws Exception {
        CpuPerInferenceBenchmark benchmark = new CpuPerInferenceBenchmark();
        long elements = size(30_000);
        progress.accept("throughput in one JVM: a discarded run to warm up the JIT");
        benchmark.inProcess(setup, "throughput-warm-up", elements / 3);
        List<CpuPerInferenceBenchmark.Measure> measures = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            progress.accept("throughput in one JVM, run " + run);
            measures.add(benchmark.inProcess(setup, "throughput-pipeline-" + run, elements));
        }
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "Throughput of the whole pipeline with the endpoint, its S3 and"
                                        + " its SQS in the same JVM, all on this machine's %d"
                                        + " cores: SQS mode, echo model of %d ms, %,d elements of"
                                        + " %,d bytes as fast as the job takes them, defaults"
                                        + " otherwise, checkpoints every %d s; inferences per"
                                        + " second between a fifth and nine tenths of the"
                                        + " results; the emulator's CPU is its threads' (local"
                                        + " endpoint, s3proxy, ElasticMQ and its front). Medians"
                                        + " of %d runs after a discarded one.",
                                Runtime.getRuntime().availableProcessors(),
                                CpuPerInferenceBenchmark.MODEL_LATENCY.toMillis(),
                                elements,
                                CpuPerInferenceBenchmark.PAYLOAD_BYTES,
                                CpuPerInferenceBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                runs))
                .blank()
                .header(
                        "**inferences/s**",
                        "JVM CPU ms / 1,000",
                        "of which the emulator's threads",
                        "the rest (connector, Flink, GC, JIT)")
                .row(
                        "**"
                                + Report.median(
                                        samples(
                                                measures,
                                                CpuPerInferenceBenchmark.Measure::perSecond),
                                        0)
                                + "**",
                        Report.median(
                                samples(
                                        measures,
                                        CpuPerInferenceBenchmark.Measure::cpuMsPerThousand),
                                0),
                        Report.median(
                                samples(
                                        measures,
                                        CpuPerInferenceBenchmark.Measure::endpointCpuMsPerThousand),
                                0),
                        Report.median(
                                samples(
                                        measures,
                                        m -> m.cpuMsPerThousand() - m.endpointCpuMsPerThousand()),
                                0));
    }

    private void tail(LocalSetup setup, Report report) throws Exception {
        EndToEndOverheadBenchmark benchmark = new EndToEndOverheadBenchmark(setup);
        double perSecond = 100;
        long elements = size(3_000);
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "The tail in every run: SQS mode at %.0f elements/s, model %d ms,"
                                        + " checkpoints every %d s, %,d elements per run, result"
                                        + " latency (submit to result out of the re-join) from the"
                                        + " job's first second, each run a new job in this JVM."
                                        + " Goal: p99 at most the model's latency plus 150 ms in"
                                        + " every run.",
                                perSecond,
                                EndToEndOverheadBenchmark.MODEL_LATENCY.toMillis(),
                                EndToEndOverheadBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                elements))
                .blank()
                .header(
                        "run",
                        "latency p50 ms",
                        "**latency p99 ms**",
                        "latency max ms",
                        "first 10 s: p50 ms",
                        "first 10 s: p99 ms");
        long model = EndToEndOverheadBenchmark.MODEL_LATENCY.toMillis();
        for (int run = 1; run <= TAIL_RUNS; run++) {
            progress.accept("tail, run " + run);
            EndToEndOverheadBenchmark.Run result =
                    benchmark.run(EndToEndOverheadBenchmark.Mode.SQS, perSecond, elements);
            report.row(
                    run,
                    Report.number(model + result.overheads().percentile(50), 0),
                    "**" + Report.number(model + result.overheads().percentile(99), 0) + "**",
                    Report.number(model + result.overheads().max(), 0),
                    Report.number(model + result.coldOverheads().percentile(50), 0),
                    Report.number(model + result.coldOverheads().percentile(99), 0));
        }
    }

    /** Only the checkpoint cost, in a section of its own. */
    Report checkpointsOnly() throws Exception {
        Report report = new Report();
        try (LocalSetup setup = new LocalSetup()) {
            checkpoints(setup, report);
        }
        return report;
    }

    private void checkpoints(LocalSetup setup, Report report) throws Exception {
        CheckpointCostBenchmark benchmark = new CheckpointCostBenchmark(setup);
        double perSecond = 200;
        List<Duration> at =
                quick
                        ? List.of(Duration.ofSeconds(20), Duration.ofSeconds(40))
                        : List.of(Duration.ofSeconds(30), Duration.ofSeconds(120));
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "What a checkpoint costs as pending inferences pile up: SQS mode"
                                        + " at %.0f elements/s against a model that takes %d"
                                        + " minutes, so every inference stays pending;"
                                        + " checkpoints every %d s; over the %d s before each"
                                        + " moment, the completed checkpoints' sizes from Flink's"
                                        + " statistics (state: all of it; checkpointed: what that"
                                        + " checkpoint wrote), the CPU of the checkpoint threads"
                                        + " (their asynchronous part) per checkpoint, and the"
                                        + " JVM's CPU per second (which includes the steady"
                                        + " submissions). With the changelog, its state is"
                                        + " materialized every %d s (Flink's default: 10 min),"
                                        + " and the last materialization's upload (Flink's"
                                        + " lastIncSizeOfMaterialization, all subtasks) is shown"
                                        + " per second of that interval.",
                                perSecond,
                                CheckpointCostBenchmark.MODEL_LATENCY.toMinutes(),
                                CheckpointCostBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                CheckpointCostBenchmark.WINDOW.toSeconds(),
                                CheckpointCostBenchmark.MATERIALIZATION_INTERVAL.toSeconds()))
                .blank()
                .header(
                        "state backend",
                        "pending",
                        "state bytes",
                        "bytes per pending",
                        "**checkpointed bytes per checkpoint**",
                        "checkpoint ms",
                        "checkpoint threads' CPU ms per checkpoint",
                        "JVM CPU ms per s",
                        "materialization bytes per s");
        for (CheckpointCostBenchmark.Backend backend :
                List.of(
                        CheckpointCostBenchmark.Backend.HEAP,
                        CheckpointCostBenchmark.Backend.ROCKSDB,
                        CheckpointCostBenchmark.Backend.ROCKSDB_CHANGELOG)) {
            progress.accept("checkpoint cost, " + backend.label());
            checkpointRows(report, backend, backend.label(), benchmark.run(backend, perSecond, at));
        }
        CheckpointCostBenchmark.Backend control = CheckpointCostBenchmark.Backend.ROCKSDB;
        String label =
                "control, no connector: a key with "
                        + CheckpointCostBenchmark.PlainKeyedState.VALUE_BYTES
                        + " bytes and a timer per element; "
                        + control.label();
        progress.accept("checkpoint cost, " + label);
        checkpointRows(
                report, control, label, benchmark.runPlainKeyedState(control, perSecond, at));
    }

    private static void checkpointRows(
            Report report,
            CheckpointCostBenchmark.Backend backend,
            String label,
            List<CheckpointCostBenchmark.Point> points) {
        for (CheckpointCostBenchmark.Point point : points) {
            report.row(
                    label,
                    Report.number(point.pending(), 0),
                    Report.number(point.stateBytes(), 0),
                    Report.number(point.stateBytes() / Math.max(1, point.pending()), 0),
                    "**" + Report.number(point.checkpointedBytes(), 0) + "**",
                    Report.number(point.durationMillis(), 0),
                    Report.number(point.checkpointThreadsCpuMillis(), 1),
                    Report.number(point.processCpuMillisPerSecond(), 0),
                    backend.changelog()
                            ? Report.number(point.materializedBytesPerSecond(), 0)
                            : "–");
        }
    }

    private static <T> Samples samples(List<T> values, Function<T, Double> metric) {
        Samples samples = new Samples();
        values.forEach(value -> samples.add(metric.apply(value)));
        return samples;
    }
}
