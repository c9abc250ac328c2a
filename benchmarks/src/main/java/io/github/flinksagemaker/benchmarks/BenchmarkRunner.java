package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;

import software.amazon.awssdk.core.util.VersionInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs every benchmark side by side in one JVM against the local endpoint and writes the Markdown
 * report (docs/benchmarks.md by default). Each measurement is repeated and reported as the median
 * over runs with its range; every ratio is computed within one run, then the median taken.
 *
 * <pre>
 * mvn -q -pl benchmarks -am compile exec:exec [-Dbench.args="--runs 5 --warmup 90"]
 * </pre>
 *
 * <p>{@code --only sqs-front} runs only the local SQS front's latency measurement (section 4),
 * {@code --only watermark} only the watermark lag (section 4) and the hold's cost (section 6); each
 * prints its rows instead of writing the report.
 */
public final class BenchmarkRunner {
    static final String COMMAND = "mvn -q -pl benchmarks -am compile exec:exec";

    /** The measurement {@code --only} can run alone. */
    static final String SQS_FRONT = "sqs-front";

    /** The event-time measurements {@code --only} can run alone. */
    static final String WATERMARK = "watermark";

    /** The efficiency measurements (section 7) {@code --only} can run alone. */
    static final String EFFICIENCY = "efficiency";

    /** Section 7's checkpoint cost alone. */
    static final String CHECKPOINTS = "checkpoints";

    private final int runs;
    private final Duration warmup;
    private final boolean quick;
    private final long started = System.nanoTime();

    private BenchmarkRunner(int runs, Duration warmup, boolean quick) {
        this.runs = runs;
        this.warmup = warmup;
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        int warmupSeconds = 120;
        boolean quick = false;
        String only = null;
        Path output = Path.of("docs", "benchmarks.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--output" -> output = Path.of(args[++i]);
                case "--only" -> only = args[++i];
                case "" -> {}
                default -> usage();
            }
        }
        if (EFFICIENCY.equals(only) || CHECKPOINTS.equals(only)) {
            BenchmarkRunner runner =
                    new BenchmarkRunner(runs, Duration.ofSeconds(warmupSeconds), quick);
            EfficiencySection section = new EfficiencySection(runs, quick, runner::progress);
            System.out.print(EFFICIENCY.equals(only) ? section.run() : section.checkpointsOnly());
            return;
        }
        if (only != null) {
            if (!only.equals(SQS_FRONT) && !only.equals(WATERMARK)) {
                usage();
            }
            BenchmarkRunner runner =
                    new BenchmarkRunner(runs, Duration.ofSeconds(warmupSeconds), quick);
            Report section = new Report();
            try (LocalSetup setup = new LocalSetup()) {
                if (only.equals(SQS_FRONT)) {
                    runner.sqsFront(setup, section);
                } else {
                    EndToEndOverheadBenchmark overhead = new EndToEndOverheadBenchmark(setup);
                    runner.progress("watermark lag: a discarded run to warm up the JIT");
                    new WatermarkLagBenchmark(overhead)
                            .run(EndToEndOverheadBenchmark.Mode.SQS, 100, Duration.ofSeconds(12));
                    runner.watermarkLag(overhead, 100, section);
                }
            }
            if (only.equals(WATERMARK)) {
                runner.watermarkHold(section);
            }
            System.out.print(section);
            return;
        }
        if (!output.isAbsolute() && Files.isDirectory(Path.of("..", "docs"))) {
            output = Path.of("..").resolve(output); // exec:exec runs in the module directory
        }
        Report report =
                new BenchmarkRunner(runs, Duration.ofSeconds(warmupSeconds), quick).runAll();
        Files.writeString(output, report.toString());
        System.out.println("Wrote " + output.toAbsolutePath().normalize());
    }

    private static void usage() {
        System.err.println(
                "Usage: BenchmarkRunner [--runs N] [--warmup SECONDS] [--quick] [--output FILE]"
                        + " [--only "
                        + SQS_FRONT
                        + "|"
                        + WATERMARK
                        + "|"
                        + EFFICIENCY
                        + "|"
                        + CHECKPOINTS
                        + "]");
        System.exit(2);
    }

    private Report runAll() throws Exception {
        Report report = new Report();
        report.line("# Benchmarks")
                .blank()
                .line(
                        "Measured side by side in one JVM against the local endpoint and embedded S3"
                                + " (no AWS), by:")
                .blank()
                .line("```")
                .line(COMMAND + (quick ? " -Dbench.args=\"--quick\"" : ""))
                .line("```")
                .blank()
                .line(
                        "(`-Dbench.args=\"--only "
                                + WATERMARK
                                + "\"` runs only the event-time measurements, the watermark lag"
                                + " in section 4 and section 6, and prints their rows; `--only "
                                + EFFICIENCY
                                + "` section 7, `--only "
                                + CHECKPOINTS
                                + "` its checkpoint table.)")
                .blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "Machine: %d cores, %s %s, Java %s; Flink %s, AWS SDK for Java"
                                        + " %s. %s. Medians of %d runs (%d for the whole-pipeline"
                                        + " sections 1 and 4; range in brackets) after %d s of"
                                        + " JIT warm-up; ratios are taken within each run.",
                                Runtime.getRuntime().availableProcessors(),
                                System.getProperty("os.name"),
                                System.getProperty("os.arch"),
                                System.getProperty("java.version"),
                                EnvironmentInformation.getVersion(),
                                VersionInfo.SDK_VERSION,
                                Instant.now().truncatedTo(ChronoUnit.MINUTES),
                                runs,
                                pipelineRuns(),
                                warmup.toSeconds()))
                .blank()
                .line(
                        "The client, the local SageMaker endpoint (which verifies SigV4, runs the"
                                + " model and writes every result to S3) and S3 share the same"
                                + " cores, so absolute rates are far below AWS's; the ratios are"
                                + " what carries over.");
        // One endpoint for the submit-side measurements, a fresh one for the pipelines, so that
        // neither carries the other's hundreds of thousands of result objects in memory.
        Report cost = new Report();
        Report latency = new Report();
        Report throughput = new Report();
        Report endToEnd = new Report();
        Report state = new Report();
        Report hold = new Report();
        try (LocalSetup setup = new LocalSetup()) {
            setup.register(ThroughputBenchmark.ENDPOINT, new EchoModel(), FaultInjection.NONE);
            setup.register(SubmitLatencyBenchmark.ENDPOINT, new EchoModel(), FaultInjection.NONE);
            warmUp(setup);
            throughput(setup, throughput);
            submitLatency(setup, latency);
        }
        try (LocalSetup setup = new LocalSetup()) {
            s3Cost(setup, cost);
            endToEnd(setup, endToEnd);
        }
        state(state);
        watermarkHold(hold);
        Report efficiency = new EfficiencySection(runs, quick, this::progress).run();
        report.append(cost)
                .append(latency)
                .append(throughput)
                .append(endToEnd)
                .append(state)
                .append(hold)
                .append(efficiency);
        progress("done");
        return report;
    }

    private void warmUp(LocalSetup setup) throws Exception {
        progress("warming up the JIT for " + warmup.toSeconds() + " s");
        ThroughputBenchmark throughput = new ThroughputBenchmark(setup, 64);
        SubmitLatencyBenchmark latency = new SubmitLatencyBenchmark(setup, 16);
        long end = System.nanoTime() + warmup.toNanos();
        do {
            throughput.rawClient(size(10_000));
            throughput.connector(size(10_000));
            throughput.naiveBlockingMap(size(2_000));
            latency.run(true, size(2_000));
            latency.run(false, size(2_000));
        } while (System.nanoTime() < end);
    }

    private void s3Cost(LocalSetup setup, Report report) throws Exception {
        S3CostBenchmark cost = new S3CostBenchmark(setup);
        long elements = size(2_000);
        List<S3CostBenchmark.Cost> inline = new ArrayList<>();
        List<S3CostBenchmark.Cost> viaS3 = new ArrayList<>();
        for (int run = 1; run <= pipelineRuns(); run++) {
            progress("S3 cost, run " + run + ": " + elements + " elements inline");
            inline.add(cost.run(false, elements));
            progress("S3 cost, run " + run + ": " + elements + " elements through S3");
            viaS3.add(cost.run(true, elements));
        }
        report.heading("1. S3 requests and cost per 1,000 inferences")
                .line(
                        String.format(
                                Locale.ROOT,
                                "The whole pipeline (submit, watch, re-join) over %,d elements of"
                                        + " %,d bytes, parallelism 2, hourly time buckets,"
                                        + " discovery every 2 s. Connector requests as the local S3"
                                        + " server counted them; the endpoint's own reads of"
                                        + " uploaded inputs and writes of results are billed to the"
                                        + " bucket owner too. Priced at S3 Standard us-east-1:"
                                        + " $0.005 per 1,000 PUT/LIST, $0.0004 per 1,000 GET/HEAD,"
                                        + " DELETE free.",
                                elements,
                                S3CostBenchmark.PAYLOAD_BYTES))
                .blank()
                .header(
                        "path",
                        "PUT",
                        "GET",
                        "HEAD",
                        "LIST",
                        "DELETE",
                        "endpoint GET (inputs)",
                        "endpoint PUT (results)",
                        "USD per 1,000 inferences");
        costRow(report, "inline", inline);
        costRow(report, "S3 path (every element uploaded)", viaS3);
        Samples ratios = new Samples();
        for (int i = 0; i < inline.size(); i++) {
            ratios.add(viaS3.get(i).dollars() / inline.get(i).dollars());
        }
        report.blank()
                .line(
                        "S3 cost of the S3 path over the inline path: **"
                                + Report.ratio(ratios.median())
                                + "** (per run: "
                                + Report.number(ratios.min(), 2)
                                + "–"
                                + Report.number(ratios.max(), 2)
                                + ").");
    }

    private static void costRow(Report report, String path, List<S3CostBenchmark.Cost> costs) {
        List<Object> cells = new ArrayList<>();
        cells.add(path);
        for (S3Operation operation :
                new S3Operation[] {
                    S3Operation.PUT,
                    S3Operation.GET,
                    S3Operation.HEAD,
                    S3Operation.LIST,
                    S3Operation.DELETE
                }) {
            cells.add(Report.number(median(costs, c -> c.connector().get(operation)), 1));
        }
        cells.add(Report.number(median(costs, S3CostBenchmark.Cost::endpointReads), 1));
        cells.add(Report.number(median(costs, S3CostBenchmark.Cost::endpointWrites), 1));
        cells.add("$" + Report.number(median(costs, S3CostBenchmark.Cost::dollars), 5));
        report.row(cells.toArray());
    }

    private void submitLatency(LocalSetup setup, Report report) throws Exception {
        Duration delay = Duration.ofMillis(5);
        int inFlight = 4;
        int elements = size(1_000);
        SubmitLatencyBenchmark benchmark = new SubmitLatencyBenchmark(setup, inFlight);
        Samples inlineP50 = new Samples();
        Samples inlineP99 = new Samples();
        Samples s3P50 = new Samples();
        Samples s3P99 = new Samples();
        Samples ratioP50 = new Samples();
        Samples ratioP99 = new Samples();
        setup.local.setNetworkDelay(delay);
        try {
            for (int run = 1; run <= runs; run++) {
                progress("submit latency, run " + run);
                Samples inline = benchmark.run(false, elements);
                Samples viaS3 = benchmark.run(true, elements);
                inlineP50.add(inline.percentile(50));
                inlineP99.add(inline.percentile(99));
                s3P50.add(viaS3.percentile(50));
                s3P99.add(viaS3.percentile(99));
                ratioP50.add(viaS3.percentile(50) / inline.percentile(50));
                ratioP99.add(viaS3.percentile(99) / inline.percentile(99));
            }
        } finally {
            setup.local.setNetworkDelay(Duration.ZERO);
        }
        report.heading("2. Submit latency with a network round trip")
                .line(
                        String.format(
                                Locale.ROOT,
                                "Time from an element entering the connector's submit path to the"
                                        + " service's 202, %,d elements of %,d bytes per run, %d in"
                                        + " flight, with %d ms added to every SageMaker and S3"
                                        + " request by the local endpoint. The S3 path uploads"
                                        + " first, then calls with InputLocation.",
                                elements,
                                SubmitLatencyBenchmark.PAYLOAD_BYTES,
                                inFlight,
                                delay.toMillis()))
                .blank()
                .header("path", "p50 ms", "p99 ms")
                .row("inline", Report.median(inlineP50, 1), Report.median(inlineP99, 1))
                .row("S3 path", Report.median(s3P50, 1), Report.median(s3P99, 1))
                .row(
                        "S3 path / inline",
                        "**" + Report.ratio(ratioP50.median()) + "** " + range(ratioP50),
                        "**" + Report.ratio(ratioP99.median()) + "** " + range(ratioP99));
    }

    private void throughput(LocalSetup setup, Report report) throws Exception {
        int inFlight = 64;
        ThroughputBenchmark benchmark = new ThroughputBenchmark(setup, inFlight);
        report.heading("3. Submission throughput of one subtask")
                .line(
                        String.format(
                                Locale.ROOT,
                                "Elements per second, %,d-byte payloads inline, %d in flight for"
                                        + " the connector's submit operator (parallelism 1) and"
                                        + " for the raw SageMakerRuntimeAsyncClient driven as fast"
                                        + " as it completes (the practical limit); the naive"
                                        + " baseline is a MapFunction calling the blocking"
                                        + " client, one call at a time.",
                                ThroughputBenchmark.PAYLOAD_BYTES,
                                inFlight))
                .blank()
                .header(
                        "network delay",
                        "raw async client",
                        "connector",
                        "naive blocking map",
                        "connector / raw",
                        "connector / naive");
        for (Duration delay : List.of(Duration.ZERO, Duration.ofMillis(5))) {
            boolean delayed = !delay.isZero();
            long elements = size(delayed ? 10_000 : 20_000);
            long naiveElements = size(delayed ? 600 : 5_000);
            Samples raw = new Samples();
            Samples connector = new Samples();
            Samples naive = new Samples();
            Samples toRaw = new Samples();
            Samples toNaive = new Samples();
            setup.local.setNetworkDelay(delay);
            try {
                for (int run = 1; run <= runs; run++) {
                    progress("throughput, " + delay.toMillis() + " ms delay, run " + run);
                    // Alternate which goes first, so that drift (JIT, GC) favours neither.
                    boolean rawFirst = run % 2 == 1;
                    double r = rawFirst ? benchmark.rawClient(elements) : 0;
                    double c = benchmark.connector(elements);
                    if (!rawFirst) {
                        r = benchmark.rawClient(elements);
                    }
                    double n = benchmark.naiveBlockingMap(naiveElements);
                    raw.add(r);
                    connector.add(c);
                    naive.add(n);
                    toRaw.add(c / r);
                    toNaive.add(c / n);
                }
            } finally {
                setup.local.setNetworkDelay(Duration.ZERO);
            }
            report.row(
                    delay.toMillis() + " ms",
                    Report.median(raw, 0),
                    Report.median(connector, 0),
                    Report.median(naive, 0),
                    "**" + Report.ratio(toRaw.median()) + "** " + range(toRaw),
                    "**" + Report.ratio(toNaive.median()) + "** " + range(toNaive));
        }
    }

    private void endToEnd(LocalSetup setup, Report report) throws Exception {
        EndToEndOverheadBenchmark benchmark = new EndToEndOverheadBenchmark(setup);
        double perSecond = 100;
        long elements = size(4_500);
        List<EndToEndOverheadBenchmark.Mode> modes =
                List.of(
                        EndToEndOverheadBenchmark.Mode.SQS,
                        EndToEndOverheadBenchmark.Mode.listing(Duration.ofMillis(100)),
                        EndToEndOverheadBenchmark.Mode.listing(Duration.ofMillis(500)),
                        EndToEndOverheadBenchmark.Mode.listing(Duration.ofSeconds(2)));
        report.heading("4. End-to-end overhead and cost, by completion mode")
                .line(
                        String.format(
                                Locale.ROOT,
                                "Result latency (submit to result out of the re-join) minus the"
                                        + " model's fixed %d ms, through the whole pipeline at %.0f"
                                        + " elements/s (%,d per run, parallelism %d), checkpoints"
                                        + " every %d s as in production, measured from the job's"
                                        + " first second. Cold: elements submitted in the job's"
                                        + " first %d s (a new job in a JVM whose JIT earlier runs"
                                        + " warmed). Modes run in turn within each run. Listing"
                                        + " uses hourly time buckets; SQS: raw delivery with the"
                                        + " response included, as the service sends it up to 128"
                                        + " KB. Requests are the job's, counted by the local S3"
                                        + " and SQS.",
                                EndToEndOverheadBenchmark.MODEL_LATENCY.toMillis(),
                                perSecond,
                                elements,
                                PipelineRun.PARALLELISM,
                                EndToEndOverheadBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                EndToEndOverheadBenchmark.COLD_PHASE.toSeconds()))
                .blank()
                .header(
                        "completion",
                        "overhead p50 ms",
                        "overhead p99 ms",
                        "cold p50 ms",
                        "S3 GET / 1,000",
                        "S3 LIST / 1,000",
                        "S3 all / 1,000",
                        "SQS / 1,000");
        Map<EndToEndOverheadBenchmark.Mode, List<EndToEndOverheadBenchmark.Run>> byMode =
                new LinkedHashMap<>();
        modes.forEach(mode -> byMode.put(mode, new ArrayList<>()));
        for (int run = 1; run <= pipelineRuns(); run++) {
            // Rotate the order, so that JIT and GC drift favour no mode.
            for (int i = 0; i < modes.size(); i++) {
                EndToEndOverheadBenchmark.Mode mode = modes.get((i + run - 1) % modes.size());
                progress("end-to-end, " + mode.label() + ", run " + run);
                byMode.get(mode).add(benchmark.run(mode, perSecond, elements));
            }
        }
        for (Map.Entry<EndToEndOverheadBenchmark.Mode, List<EndToEndOverheadBenchmark.Run>> entry :
                byMode.entrySet()) {
            List<EndToEndOverheadBenchmark.Run> runs = entry.getValue();
            report.row(
                    entry.getKey().label(),
                    Report.number(median(runs, r -> r.overheads().percentile(50)), 0),
                    Report.number(median(runs, r -> r.overheads().percentile(99)), 0),
                    Report.number(median(runs, r -> r.coldOverheads().percentile(50)), 0),
                    Report.number(median(runs, r -> r.perThousand(r.s3Gets())), 0),
                    Report.number(median(runs, r -> r.perThousand(r.s3Lists())), 0),
                    Report.number(median(runs, r -> r.perThousand(r.s3Total())), 0),
                    Report.number(median(runs, r -> r.perThousand(r.sqsTotal())), 0));
        }
        Duration window = quick ? Duration.ofSeconds(30) : Duration.ofSeconds(90);
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "Idle: the same pipeline with no elements, for %d s after its first"
                                        + " 25 s, its requests scaled to an hour and divided by the"
                                        + " %d readers.",
                                window.toSeconds(),
                                PipelineRun.PARALLELISM))
                .blank()
                .header("completion", "S3 LIST per hour per reader", "SQS per hour per reader");
        for (EndToEndOverheadBenchmark.Mode mode :
                List.of(
                        EndToEndOverheadBenchmark.Mode.SQS,
                        EndToEndOverheadBenchmark.Mode.listing(Duration.ofSeconds(2)))) {
            progress("idle, " + mode.label());
            double[] idle = benchmark.idleRequestsPerHourPerReader(mode, window);
            report.row(mode.label(), Report.number(idle[0], 0), Report.number(idle[1], 0));
        }
        watermarkLag(benchmark, perSecond, report);
        sqsFront(setup, report);
    }

    /**
     * How far the results' watermark trails the input's in event time, with the lag's scale (the
     * result latency) and the late results, which must be none.
     */
    private void watermarkLag(EndToEndOverheadBenchmark overhead, double perSecond, Report report)
            throws Exception {
        WatermarkLagBenchmark benchmark = new WatermarkLagBenchmark(overhead);
        Duration length = quick ? Duration.ofSeconds(12) : Duration.ofSeconds(25);
        List<EndToEndOverheadBenchmark.Mode> modes =
                List.of(
                        EndToEndOverheadBenchmark.Mode.SQS,
                        EndToEndOverheadBenchmark.Mode.listing(Duration.ofMillis(500)));
        Map<EndToEndOverheadBenchmark.Mode, List<WatermarkLagBenchmark.Run>> byMode =
                new LinkedHashMap<>();
        modes.forEach(mode -> byMode.put(mode, new ArrayList<>()));
        for (int run = 1; run <= pipelineRuns(); run++) {
            for (int i = 0; i < modes.size(); i++) {
                EndToEndOverheadBenchmark.Mode mode = modes.get((i + run - 1) % modes.size());
                progress("watermark lag, " + mode.label() + ", run " + run);
                WatermarkLagBenchmark.Run measured = benchmark.run(mode, perSecond, length);
                byMode.get(mode).add(measured);
                progress(
                        String.format(
                                Locale.ROOT,
                                "  lag p50 %.0f ms, p99 %.0f ms; result latency p50 %.0f ms, max"
                                        + " %.0f ms; %d late",
                                measured.lagMillis().percentile(50),
                                measured.lagMillis().percentile(99),
                                measured.latencyMillis().percentile(50),
                                measured.latencyMillis().max(),
                                measured.late() + measured.withoutTimestamp()));
            }
        }
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "Watermark lag in event time: the same pipeline at %.0f elements/s"
                                        + " for %d s per run (model %d ms, checkpoints every %d"
                                        + " s), each element stamped with the wall-clock time it"
                                        + " is emitted, monotonous watermarks every %d ms (Flink's"
                                        + " default). Lag: the input's watermark minus the"
                                        + " results' watermark (each the minimum over the %d"
                                        + " subtasks, as a keyed operator downstream sees it) at"
                                        + " the same moments, every %d ms from %d s after both"
                                        + " are known until the input ends. It is about the oldest"
                                        + " pending inference's age minus the input watermark's"
                                        + " own delay, so its tail follows the slowest results"
                                        + " (latency: submit to result, for scale). Late: results whose timestamp is at or"
                                        + " behind the watermark already downstream when they"
                                        + " arrive. Finished: the bounded job ended FINISHED by"
                                        + " itself, this long after its last result.",
                                perSecond,
                                length.toSeconds(),
                                EndToEndOverheadBenchmark.MODEL_LATENCY.toMillis(),
                                EndToEndOverheadBenchmark.CHECKPOINT_INTERVAL.toSeconds(),
                                PipelineOptions.AUTO_WATERMARK_INTERVAL.defaultValue().toMillis(),
                                PipelineRun.PARALLELISM,
                                WatermarkLagBenchmark.SAMPLE_EVERY.toMillis(),
                                WatermarkLagBenchmark.SETTLE.toSeconds()))
                .blank()
                .header(
                        "completion",
                        "**watermark lag p50 ms**",
                        "**watermark lag p99 ms**",
                        "result latency p50 ms",
                        "result latency p99 ms",
                        "result latency max ms",
                        "late results",
                        "finished after last result, s");
        for (Map.Entry<EndToEndOverheadBenchmark.Mode, List<WatermarkLagBenchmark.Run>> entry :
                byMode.entrySet()) {
            List<WatermarkLagBenchmark.Run> runs = entry.getValue();
            long late = 0;
            long results = 0;
            boolean allFinished = true;
            for (WatermarkLagBenchmark.Run run : runs) {
                late += run.late() + run.withoutTimestamp();
                results += run.results();
                allFinished &= run.finishedAfterMillis() >= 0;
            }
            report.row(
                    entry.getKey().label(),
                    "**"
                            + Report.median(samples(runs, r -> r.lagMillis().percentile(50)), 0)
                            + "**",
                    "**"
                            + Report.median(samples(runs, r -> r.lagMillis().percentile(99)), 0)
                            + "**",
                    Report.median(samples(runs, r -> r.latencyMillis().percentile(50)), 0),
                    Report.median(samples(runs, r -> r.latencyMillis().percentile(99)), 0),
                    Report.median(samples(runs, r -> r.latencyMillis().max()), 0),
                    String.format(Locale.ROOT, "%,d of %,d", late, results),
                    allFinished
                            ? Report.median(samples(runs, r -> r.finishedAfterMillis() / 1000.0), 1)
                            : "not within " + WatermarkLagBenchmark.FINISH_TIMEOUT.toSeconds());
        }
    }

    /** The hold's cost per element as pending inferences grow, against log2(n) and n. */
    private void watermarkHold(Report report) throws Exception {
        int[] sizes = {1_000, 10_000, 100_000, 1_000_000};
        long elements = quick ? 500_000 : 3_000_000;
        progress("watermark hold: warming up");
        for (int i = 0; i < 5; i++) {
            WatermarkHoldBenchmark.nanosPerElement(10_000, i % 2 == 0, 1_000_000, i);
        }
        Samples[] random = new Samples[sizes.length];
        Samples[] map = new Samples[sizes.length];
        Samples[] oldest = new Samples[sizes.length];
        Samples[] randomRatio = new Samples[sizes.length];
        Samples[] mapRatio = new Samples[sizes.length];
        Samples[] oldestRatio = new Samples[sizes.length];
        for (int s = 0; s < sizes.length; s++) {
            random[s] = new Samples();
            map[s] = new Samples();
            oldest[s] = new Samples();
            randomRatio[s] = new Samples();
            mapRatio[s] = new Samples();
            oldestRatio[s] = new Samples();
        }
        for (int run = 1; run <= runs; run++) {
            progress("watermark hold, run " + run);
            double[] r = new double[sizes.length];
            double[] m = new double[sizes.length];
            double[] o = new double[sizes.length];
            // Rotate the order of the sizes, so that JIT and GC drift favour none.
            for (int i = 0; i < sizes.length; i++) {
                int s = (i + run - 1) % sizes.length;
                System.gc();
                r[s] = WatermarkHoldBenchmark.nanosPerElement(sizes[s], true, elements, run);
                System.gc();
                m[s] = WatermarkHoldBenchmark.hashMapNanosPerElement(sizes[s], true, elements, run);
                System.gc();
                o[s] = WatermarkHoldBenchmark.nanosPerElement(sizes[s], false, elements, run);
            }
            for (int s = 0; s < sizes.length; s++) {
                random[s].add(r[s]);
                map[s].add(m[s]);
                oldest[s].add(o[s]);
                randomRatio[s].add(r[s] / r[0]);
                mapRatio[s].add(m[s] / m[0]);
                oldestRatio[s].add(o[s] / o[0]);
            }
        }
        report.heading("6. Event time: the cost of the watermark hold")
                .line(
                        String.format(
                                Locale.ROOT,
                                "The join's WatermarkHold per element in steady state with n"
                                        + " inferences pending in one subtask: the element's"
                                        + " timestamp added, a pending one's removed as its result"
                                        + " arrives, the input watermark advanced and the"
                                        + " watermark to emit computed; %,d elements per"
                                        + " measurement after as many again (at least 100,000)"
                                        + " untimed, all timestamps distinct (the worst case for"
                                        + " the sorted multiset). Results arrive in a random order"
                                        + " or oldest first (which moves the earliest pending, and"
                                        + " so the watermark, every time). For reference, the same"
                                        + " random steady state on a java.util.HashMap of the same"
                                        + " timestamps, O(1) per operation: what it gains with n"
                                        + " is the memory hierarchy (a million entries do not fit"
                                        + " in the caches), not the algorithm. Sizes interleaved"
                                        + " within each run; ratios to n = 1,000 taken within each"
                                        + " run. An O(log n) cost grows like log2(n) / log2(1,000)"
                                        + " times the memory's share; an O(n) one like n / 1,000.",
                                elements))
                .blank()
                .header(
                        "pending n",
                        "hold ns/element, random order",
                        "**× n = 1,000**",
                        "HashMap ns/element, random order (O(1) reference)",
                        "× n = 1,000",
                        "hold ns/element, oldest first",
                        "**× n = 1,000**",
                        "log2(n) / log2(1,000)",
                        "n / 1,000");
        for (int s = 0; s < sizes.length; s++) {
            report.row(
                    Report.number(sizes[s], 0),
                    Report.median(random[s], 0),
                    "**" + Report.ratio(randomRatio[s].median()) + "** " + range(randomRatio[s]),
                    Report.median(map[s], 0),
                    Report.ratio(mapRatio[s].median()) + " " + range(mapRatio[s]),
                    Report.median(oldest[s], 0),
                    "**" + Report.ratio(oldestRatio[s].median()) + "** " + range(oldestRatio[s]),
                    Report.ratio(
                            WatermarkHoldBenchmark.log2(sizes[s])
                                    / WatermarkHoldBenchmark.log2(sizes[0])),
                    Report.number(sizes[s] / (double) sizes[0], 0) + "×");
        }

        int[] joinSizes = {10_000, 100_000};
        int joinElements = quick ? 50_000 : 200_000;
        Samples[] without = new Samples[joinSizes.length];
        Samples[] with = new Samples[joinSizes.length];
        Samples[] added = new Samples[joinSizes.length];
        for (int s = 0; s < joinSizes.length; s++) {
            without[s] = new Samples();
            with[s] = new Samples();
            added[s] = new Samples();
        }
        progress("watermark hold: join warm-up");
        WatermarkHoldBenchmark.joinNanosPerElement(10_000, true, joinElements);
        WatermarkHoldBenchmark.joinNanosPerElement(10_000, false, joinElements);
        for (int run = 1; run <= runs; run++) {
            progress("watermark hold: join, run " + run);
            for (int s = 0; s < joinSizes.length; s++) {
                // Alternate which goes first.
                boolean withFirst = run % 2 == 1;
                double w = 0;
                if (withFirst) {
                    System.gc();
                    w =
                            WatermarkHoldBenchmark.joinNanosPerElement(
                                    joinSizes[s], true, joinElements);
                }
                System.gc();
                double wo =
                        WatermarkHoldBenchmark.joinNanosPerElement(
                                joinSizes[s], false, joinElements);
                if (!withFirst) {
                    System.gc();
                    w =
                            WatermarkHoldBenchmark.joinNanosPerElement(
                                    joinSizes[s], true, joinElements);
                }
                with[s].add(w);
                without[s].add(wo);
                added[s].add(w / wo);
            }
        }
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "The whole join operator per element (keyed harness, heap state"
                                        + " backend; the pending record in, the result of the"
                                        + " element n earlier, a watermark every %d elements),"
                                        + " %,d elements per measurement, with and without element"
                                        + " timestamps in turn within each run: the difference is"
                                        + " what event time costs there (the timestamp's keyed"
                                        + " state and the hold).",
                                WatermarkHoldBenchmark.JOIN_WATERMARK_EVERY,
                                joinElements))
                .blank()
                .header(
                        "pending n",
                        "ns/element, no timestamps",
                        "ns/element, with timestamps",
                        "**with / without**");
        for (int s = 0; s < joinSizes.length; s++) {
            report.row(
                    Report.number(joinSizes[s], 0),
                    Report.median(without[s], 0),
                    Report.median(with[s], 0),
                    "**" + Report.ratio(added[s].median()) + "** " + range(added[s]));
        }
    }

    /**
     * What the local SQS's counting front adds per request, side by side with ElasticMQ directly in
     * the same run: the SQS rows above are measured through it.
     */
    private void sqsFront(LocalSetup setup, Report report) {
        int cycles = size(1_000);
        Samples frontP50 = new Samples();
        Samples frontP99 = new Samples();
        Samples directP50 = new Samples();
        Samples directP99 = new Samples();
        Samples addedP50 = new Samples();
        Samples addedP99 = new Samples();
        progress("SQS front latency: warming up");
        try (SqsFrontLatencyBenchmark benchmark = new SqsFrontLatencyBenchmark(setup)) {
            for (int run = 1; run <= runs; run++) {
                progress("SQS front latency, run " + run);
                Samples[] measured = benchmark.run(cycles);
                Samples front = measured[0];
                Samples direct = measured[1];
                frontP50.add(front.percentile(50));
                frontP99.add(front.percentile(99));
                directP50.add(direct.percentile(50));
                directP99.add(direct.percentile(99));
                addedP50.add(front.percentile(50) - direct.percentile(50));
                addedP99.add(front.percentile(99) - direct.percentile(99));
            }
        }
        report.blank()
                .line(
                        String.format(
                                Locale.ROOT,
                                "The local SQS's counting front, which every SQS request above goes"
                                        + " through, against ElasticMQ directly: latency per"
                                        + " request of SendMessage, ReceiveMessage and"
                                        + " DeleteMessage of one %,d-byte message, %,d cycles per"
                                        + " run on each path, interleaved within the run; added is"
                                        + " the difference within each run.",
                                SqsFrontLatencyBenchmark.MESSAGE_BYTES,
                                cycles))
                .blank()
                .header("SQS request", "p50 ms", "p99 ms")
                .row("ElasticMQ directly", Report.median(directP50, 2), Report.median(directP99, 2))
                .row(
                        "through the counting front",
                        Report.median(frontP50, 2),
                        Report.median(frontP99, 2))
                .row(
                        "**added by the front**",
                        "**" + Report.median(addedP50, 2) + "**",
                        "**" + Report.median(addedP99, 2) + "**");
    }

    private void state(Report report) throws Exception {
        progress("state: checkpoint sizes");
        int pending = quick ? 10_000 : 100_000;
        int recordBytes = StateBenchmark.pendingRecordBytes();
        long join = StateBenchmark.joinCheckpointBytes(pending);
        long tagger = StateBenchmark.taggerCheckpointBytes(pending);
        long answered = StateBenchmark.answeredCheckpointBytes(pending);
        report.heading("5. State")
                .line(
                        "Pending inferences carry no element here (a projection to nothing), with"
                                + " a UUID inference ID and hourly-bucketed result locations."
                                + " Checkpoint sizes are the heap state backend's full snapshots"
                                + " of the two re-join operators, timers included.")
                .blank()
                .header("measure", "bytes")
                .row("one pending record, serialized", Report.number(recordBytes, 0))
                .row(
                        String.format(Locale.ROOT, "join state, %,d pending", pending),
                        Report.number(join, 0))
                .row(
                        String.format(
                                Locale.ROOT,
                                "location tagger state, %,d pending (two claims each)",
                                pending),
                        Report.number(tagger, 0))
                .row(
                        "**checkpointed bytes per pending inference, listing**",
                        "**" + Report.number((join + tagger) / (double) pending, 0) + "**")
                .row(
                        "**checkpointed bytes per pending inference, SQS** (the join only: no"
                                + " location tagger)",
                        "**" + Report.number(join / (double) pending, 0) + "**")
                .row(
                        "checkpointed bytes per answered inference (the join's duplicate window"
                                + " and the tagger's claim on the location that got no object,"
                                + " until the deadline)",
                        Report.number(answered / (double) pending, 0));

        try (LocalSetup setup = new LocalSetup()) {
            ListingCostBenchmark listing = new ListingCostBenchmark(setup);
            report.blank()
                    .line(
                            "LIST requests per discovery of one output prefix as history grows"
                                    + " (steady state, through the SDK against the local S3;"
                                    + " "
                                    + ListingCostBenchmark.CURRENT_OBJECTS
                                    + " results in the current hour, history two days and more"
                                    + " back, 2,000 objects per hour):")
                    .blank()
                    .header(
                            "historical objects",
                            "LIST per discovery, hourly time buckets",
                            "LIST per discovery, no time buckets");
            for (long history :
                    quick
                            ? List.of(10_000L, 20_000L)
                            : List.of(10_000L, 50_000L, 100_000L, 200_000L)) {
                progress("state: listing cost with " + history + " historical objects");
                listing.growHistoryTo(history);
                report.row(
                        Report.number(history, 0),
                        listing.listRequestsPerDiscovery(true),
                        listing.listRequestsPerDiscovery(false));
            }
        }
    }

    private static String range(Samples ratios) {
        return "(" + Report.number(ratios.min(), 2) + "–" + Report.number(ratios.max(), 2) + ")";
    }

    private int pipelineRuns() {
        return Math.max(1, Math.min(runs, 3));
    }

    private int size(int full) {
        return quick ? Math.max(100, full / 10) : full;
    }

    private static <T> Samples samples(List<T> values, Function<T, Double> metric) {
        Samples samples = new Samples();
        values.forEach(value -> samples.add(metric.apply(value)));
        return samples;
    }

    private static <T> double median(List<T> values, Function<T, Double> metric) {
        Samples samples = new Samples();
        values.forEach(value -> samples.add(metric.apply(value)));
        return samples.median();
    }

    private void progress(String step) {
        System.out.printf(
                Locale.ROOT, "[%4d s] %s%n", (System.nanoTime() - started) / 1_000_000_000L, step);
    }
}
