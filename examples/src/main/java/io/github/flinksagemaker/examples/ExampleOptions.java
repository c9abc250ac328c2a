package io.github.flinksagemaker.examples;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Command-line options of {@link ReviewEnrichmentJob}. */
record ExampleOptions(
        Path input,
        Integer rate,
        Long count,
        Path output,
        String endpointName,
        String region,
        String outputPath,
        String failurePath,
        String inputPrefix,
        Completion completion,
        String queueUrl) {

    /** How the job learns of completions. */
    enum Completion {
        SQS,
        LISTING
    }

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: ReviewEnrichmentJob [options]",
                    "  With no options: the embedded local endpoint, the bundled reviews, then exit.",
                    "  --input PATH          JSON Lines reviews to enrich (default: the bundled sample)",
                    "  --rate N              instead, generate N reviews per second",
                    "  --count N             with --rate, stop after N reviews (default: run until Ctrl+C)",
                    "  --output PATH         enriched JSON Lines (default: enriched-reviews.jsonl)",
                    "  --endpoint-name NAME  a real SageMaker async endpoint (needs the next four too)",
                    "  --region REGION       its region, e.g. eu-west-1",
                    "  --output-path S3URI   its S3OutputPath",
                    "  --failure-path S3URI  its S3FailurePath",
                    "  --input-prefix S3URI  where payloads over 128,000 bytes are uploaded",
                    "  --completion MODE     sqs (notifications) or listing (S3); default: sqs on the",
                    "                        embedded endpoint, listing on a real one",
                    "  --queue-url URL       with a real endpoint and --completion sqs: the SQS queue",
                    "                        subscribed to its SuccessTopic and ErrorTopic");

    private static final Set<String> NAMES =
            Set.of(
                    "input",
                    "rate",
                    "count",
                    "output",
                    "endpoint-name",
                    "region",
                    "output-path",
                    "failure-path",
                    "input-prefix",
                    "completion",
                    "queue-url");

    static ExampleOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !NAMES.contains(name)) {
                throw new IllegalArgumentException("Unknown option: " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Option --" + name + " needs a value");
            }
            values.put(name, args[++i]);
        }
        ExampleOptions options =
                new ExampleOptions(
                        values.containsKey("input") ? Path.of(values.get("input")) : null,
                        values.containsKey("rate") ? positiveInt(values, "rate") : null,
                        values.containsKey("count") ? (long) positiveInt(values, "count") : null,
                        Path.of(values.getOrDefault("output", "enriched-reviews.jsonl")),
                        values.get("endpoint-name"),
                        values.get("region"),
                        values.get("output-path"),
                        values.get("failure-path"),
                        values.get("input-prefix"),
                        completion(values),
                        values.get("queue-url"));
        if (options.input() != null && options.rate() != null) {
            throw new IllegalArgumentException("--input and --rate exclude each other");
        }
        if (options.count() != null && options.rate() == null) {
            throw new IllegalArgumentException("--count goes with --rate");
        }
        if (!options.embedded()
                && options.completion() == Completion.SQS
                && options.queueUrl() == null) {
            throw new IllegalArgumentException(
                    "--completion sqs with --endpoint-name needs --queue-url as well");
        }
        if (options.embedded() && options.queueUrl() != null) {
            throw new IllegalArgumentException(
                    "--queue-url goes with --endpoint-name: the embedded endpoint has its own queue");
        }
        if (!options.embedded()) {
            for (String required :
                    new String[] {"region", "output-path", "failure-path", "input-prefix"}) {
                if (!values.containsKey(required)) {
                    throw new IllegalArgumentException(
                            "--endpoint-name needs --" + required + " as well");
                }
            }
        }
        return options;
    }

    private static Completion completion(Map<String, String> values) {
        String value = values.get("completion");
        if (value == null) {
            return values.containsKey("endpoint-name") && !values.containsKey("queue-url")
                    ? Completion.LISTING
                    : Completion.SQS;
        }
        switch (value) {
            case "sqs":
                return Completion.SQS;
            case "listing":
                return Completion.LISTING;
            default:
                throw new IllegalArgumentException(
                        "--completion must be sqs or listing, got " + value);
        }
    }

    /** Whether to start the embedded local endpoint (no real endpoint named). */
    boolean embedded() {
        return endpointName == null;
    }

    private static int positiveInt(Map<String, String> values, String name) {
        try {
            int value = Integer.parseInt(values.get(name));
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "--" + name + " must be a positive integer, got " + values.get(name));
    }
}
