package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.EchoModel;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LocalSageMakerAsync} from the command line with one demo endpoint (the {@link
 * SentimentDemoModel}) until interrupted, printing what a client needs to reach it. The endpoint
 * notifies successes and errors on one queue ({@code <endpoint-name>-notifications}, raw delivery,
 * response included), whose URL is printed as {@code queueUrl}, so a connector can run in SQS mode.
 *
 * <pre>
 * --port N           SageMaker Runtime port (default: a free one)
 * --s3-port N        S3 port (default: a free one)
 * --sqs-port N       SQS port (default: a free one)
 * --data-dir PATH    keep S3 data under PATH (default: in memory)
 * --ready-file PATH  once ready, write the connection details there as JSON
 * --region R         region to sign for (default us-east-1)
 * --endpoint-name N  name of the demo endpoint (default demo-sentiment)
 * --bucket B         bucket for inputs and results (default sagemaker-async-local)
 * --model M          sentiment (the demo model, default) or echo (answers with the input)
 * --model-latency MS how long the model takes per request (default 0)
 * </pre>
 */
public final class LocalSageMakerAsyncLauncher {
    static final String USAGE =
            "Usage: LocalSageMakerAsyncLauncher [--port N] [--s3-port N] [--sqs-port N]"
                    + " [--data-dir PATH]"
                    + " [--ready-file PATH] [--region R] [--endpoint-name NAME] [--bucket B]"
                    + " [--model sentiment|echo] [--model-latency MS]";

    private LocalSageMakerAsyncLauncher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        LocalSageMakerAsync local = start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        local.close();
                                    } catch (Exception e) {
                                        System.err.println("Error while stopping: " + e);
                                    }
                                    stopped.countDown();
                                },
                                "local-sagemaker-async-shutdown"));
        System.out.println("Press Ctrl+C to stop.");
        stopped.await();
    }

    /** Starts the local endpoint as {@link #main} does, prints and writes the ready file. */
    static LocalSageMakerAsync start(Map<String, String> options) throws Exception {
        LocalSageMakerAsync.Builder builder = LocalSageMakerAsync.builder();
        if (options.containsKey("port")) {
            builder.sageMakerPort(port(options, "port"));
        }
        if (options.containsKey("s3-port")) {
            builder.s3Port(port(options, "s3-port"));
        }
        if (options.containsKey("sqs-port")) {
            builder.sqsPort(port(options, "sqs-port"));
        }
        if (options.containsKey("data-dir")) {
            builder.dataDir(Path.of(options.get("data-dir")));
        }
        if (options.containsKey("region")) {
            builder.region(options.get("region"));
        }
        if (options.containsKey("bucket")) {
            builder.bucket(options.get("bucket"));
        }
        String endpointName = options.getOrDefault("endpoint-name", "demo-sentiment");
        String queueName = endpointName + "-notifications";
        LocalSageMakerAsync local = builder.start();
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpointName)
                        .s3OutputPath("s3://" + local.bucket() + "/" + endpointName + "/output")
                        .s3FailurePath("s3://" + local.bucket() + "/" + endpointName + "/failure")
                        .model(
                                options.getOrDefault("model", "sentiment").equals("echo")
                                        ? new EchoModel()
                                        : new SentimentDemoModel())
                        .faults(
                                FaultInjection.builder()
                                        .latency(
                                                Duration.ofMillis(
                                                        Long.parseLong(
                                                                options.getOrDefault(
                                                                        "model-latency", "0"))))
                                        .build())
                        .notifications(
                                LocalNotifications.builder()
                                        .successQueue(queueName)
                                        .errorQueue(queueName)
                                        .build())
                        .build());

        Map<String, String> ready = new LinkedHashMap<>();
        ready.put("sagemakerEndpoint", local.sageMakerEndpoint().toString());
        ready.put("s3Endpoint", local.s3Endpoint().toString());
        ready.put("sqsEndpoint", local.sqsEndpoint().toString());
        ready.put("region", local.region());
        ready.put("accessKeyId", local.accessKeyId());
        ready.put("secretAccessKey", local.secretAccessKey());
        ready.put("bucket", local.bucket());
        ready.put("endpointName", endpointName);
        ready.put("queueUrl", local.createQueue(queueName));

        System.out.println(
                "Local SageMaker async endpoint is up (local credentials, not AWS ones):");
        ready.forEach((key, value) -> System.out.printf("  %-18s %s%n", key, value));
        System.out.printf(
                "  Try: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws sagemaker-runtime"
                        + " invoke-endpoint-async --endpoint-url %s --region %s --endpoint-name %s"
                        + " --input-location s3://%s/<key>%n",
                local.accessKeyId(),
                local.secretAccessKey(),
                local.sageMakerEndpoint(),
                local.region(),
                endpointName,
                local.bucket());

        if (options.containsKey("ready-file")) {
            Path readyFile = Path.of(options.get("ready-file")).toAbsolutePath();
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.write(
                    tmp,
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(ready));
            // Readers poll for the file: it must appear complete, never half-written.
            Files.move(
                    tmp,
                    readyFile,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return local;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            if (!Set.of(
                            "port",
                            "s3-port",
                            "sqs-port",
                            "data-dir",
                            "ready-file",
                            "region",
                            "endpoint-name",
                            "bucket",
                            "model",
                            "model-latency")
                    .contains(name)) {
                throw new IllegalArgumentException("Unknown option: " + arg);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Option " + arg + " needs a value");
            }
            options.put(name, args[++i]);
        }
        String model = options.getOrDefault("model", "sentiment");
        if (!model.equals("sentiment") && !model.equals("echo")) {
            throw new IllegalArgumentException("--model must be sentiment or echo, got " + model);
        }
        if (options.containsKey("model-latency")) {
            try {
                if (Long.parseLong(options.get("model-latency")) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--model-latency must be milliseconds (0 or more), got "
                                + options.get("model-latency"));
            }
        }
        for (String port : new String[] {"port", "s3-port", "sqs-port"}) {
            if (options.containsKey(port)) {
                port(options, port);
            }
        }
        return options;
    }

    private static int port(Map<String, String> options, String name) {
        try {
            int port = Integer.parseInt(options.get(name));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " must be a port number, got " + options.get(name));
        }
    }
}
