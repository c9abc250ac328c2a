package io.github.flinksagemaker.examples.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployable jar (the "app" classifier, built in the package phase): what it contains, what it
 * must not contain because Managed Service for Apache Flink provides it, service files merged
 * intact, and a main class that starts with only Flink's own jars beside it.
 */
class AppJarPackagingIT {
    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void findJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(f -> f.toString().endsWith("-app.jar")).findFirst().orElseThrow();
        }
        entries = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(entries::add);
        }
    }

    @Test
    void containsTheApplicationTheConnectorAndTheSdk() {
        assertThat(entries)
                .contains(
                        "io/github/flinksagemaker/examples/deploy/ManagedFlinkApplication.class",
                        "io/github/flinksagemaker/connector/SageMakerAsyncInference.class",
                        "software/amazon/awssdk/services/sagemakerruntime/SageMakerRuntimeAsyncClient.class",
                        "software/amazon/awssdk/services/s3/S3AsyncClient.class",
                        "software/amazon/awssdk/http/nio/netty/NettyNioAsyncHttpClient.class",
                        "com/amazonaws/services/kinesisanalytics/runtime/KinesisAnalyticsRuntime.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                        "org/apache/kafka/clients/producer/KafkaProducer.class",
                        "software/amazon/msk/auth/iam/IAMLoginModule.class",
                        "software/amazon/msk/auth/iam/IAMClientCallbackHandler.class",
                        "application-properties-local.json");
    }

    @Test
    void leavesOutWhatTheServiceProvidesAndWhatOnlyLocalRunsNeed() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/core/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/connector/file/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/connector/base/"))
                .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"))
                // The embedded endpoint and S3, and the in-process Kafka broker.
                .noneMatch(e -> e.startsWith("io/github/flinksagemaker/local/"))
                .noneMatch(e -> e.startsWith("org/gaul/"))
                .noneMatch(e -> e.startsWith("org/jclouds/"))
                .noneMatch(e -> e.startsWith("kafka/") && e.endsWith(".class"))
                .noneMatch(e -> e.startsWith("scala/"))
                .noneMatch(e -> e.startsWith("org/apache/kafka/raft/"))
                .noneMatch(e -> e.startsWith("org/apache/kafka/controller/"))
                .noneMatch(e -> e.startsWith("org/apache/kafka/common/test/"));
        // Only the Kafka connector's own classes under Flink's package names.
        assertThat(entries)
                .filteredOn(e -> e.startsWith("org/apache/flink/") && e.endsWith(".class"))
                .allMatch(
                        e ->
                                e.startsWith("org/apache/flink/connector/kafka/")
                                        || e.startsWith(
                                                "org/apache/flink/streaming/connectors/kafka/")
                                        || e.startsWith(
                                                "org/apache/flink/streaming/util/serialization/")
                                        || e.startsWith("org/apache/flink/connector/datagen/"));
    }

    @Test
    void carriesTheLicenceAndANoticeListingEveryBundledDependency() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(read(file, "META-INF/LICENSE"))
                    .contains("Apache License", "Version 2.0, January 2004");
            assertThat(read(file, "META-INF/licenses/LICENSE.zstd-jni")).contains("BSD License");
            String notice = read(file, "META-INF/NOTICE");
            // This module's list, the connector's notice, and bundled jars' own notices merged.
            assertThat(notice)
                    .contains(
                            "flink-connector-sagemaker-async-examples",
                            "Copyright 2026 The Flink Connector SageMaker Async authors",
                            "AWS SDK for Java 2.0",
                            "Flink : Connectors : Kafka");
            List<String> bundled = BundledArtifacts.of(file, "");
            assertThat(bundled)
                    .as("bundled artifacts found on the class path")
                    .anyMatch(a -> a.startsWith("software.amazon.awssdk:sdk-core:"))
                    .anyMatch(a -> a.startsWith("io.netty:netty-handler:"))
                    .anyMatch(a -> a.startsWith("org.apache.kafka:kafka-clients:"))
                    .anyMatch(a -> a.startsWith("org.apache.flink:flink-connector-kafka:"))
                    .anyMatch(a -> a.startsWith("com.github.luben:zstd-jni:"));
            List<String> listed = notice.lines().map(String::strip).toList();
            assertThat(bundled)
                    .filteredOn(a -> !listed.contains("- " + a))
                    .as(
                            "bundled artifacts that META-INF/NOTICE (src/main/resources) does not"
                                    + " list as '- group:artifact:version'")
                    .isEmpty();
        }
    }

    @Test
    void theExamplesJarAndTheConnectorJarCarryTheLicenceAndTheNotice() throws IOException {
        Path examplesJar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            examplesJar =
                    files.filter(f -> f.getFileName().toString().matches(".*-\\d[^/]*\\.jar"))
                            .filter(f -> !f.toString().endsWith("-app.jar"))
                            .findFirst()
                            .orElseThrow();
        }
        List<String> checked = new ArrayList<>(List.of(examplesJar.toString()));
        checked.addAll(BundledArtifacts.entriesOfModule("flink-connector-sagemaker-async"));
        assertThat(checked).hasSizeGreaterThan(1);
        for (String entry : checked) {
            assertThat(BundledArtifacts.carries(entry, "LICENSE")).as(entry).isTrue();
            assertThat(BundledArtifacts.carries(entry, "NOTICE")).as(entry).isTrue();
        }
    }

    @Test
    void mergesServiceFilesAndKeepsSdkResourcesIntact() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(
                            read(
                                    file,
                                    "META-INF/services/software.amazon.awssdk.http.async.SdkAsyncHttpService"))
                    .contains("software.amazon.awssdk.http.nio.netty.NettySdkAsyncHttpService");
            assertThat(
                            read(
                                    file,
                                    "META-INF/services/org.apache.flink.metrics.reporter.MetricReporterFactory"))
                    .contains("io.github.flinksagemaker.examples.ProgressReporter$Factory");
            // Two jars register table factories: both lists arrive in one file.
            assertThat(read(file, "META-INF/services/org.apache.flink.table.factories.Factory"))
                    .contains(
                            "io.github.flinksagemaker.connector.table.SageMakerModelProviderFactory",
                            "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory");
            // Any interceptor registration an SDK jar on the classpath ships must arrive unchanged
            // (SDK 2.47 wires its interceptors in code and ships none; older versions did).
            int sdkJars = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (!entry.contains("software/amazon/awssdk") || !entry.endsWith(".jar")) {
                    continue;
                }
                sdkJars++;
                try (JarFile sdk = new JarFile(entry)) {
                    Enumeration<java.util.jar.JarEntry> sdkEntries = sdk.entries();
                    while (sdkEntries.hasMoreElements()) {
                        String name = sdkEntries.nextElement().getName();
                        if (name.endsWith("execution.interceptors")) {
                            assertThat(read(file, name)).contains(read(sdk, name).trim());
                        }
                    }
                }
            }
            assertThat(sdkJars).as("SDK jars checked").isGreaterThan(10);
        }
    }

    @Test
    void theManifestNamesTheMainClassAndItStartsBesideFlinksJars() throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(ManagedFlinkApplication.class.getName());
        }
        List<String> classPath = appBesideFlink();
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                String.join(File.pathSeparator, classPath),
                                "io.github.flinksagemaker.examples.deploy.ManagedFlinkApplication",
                                "--no-such-option")
                        .redirectErrorStream(true)
                        .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).contains("Usage: ManagedFlinkApplication");
        assertThat(process.exitValue()).as(output).isEqualTo(2);
    }

    @Test
    void reachesAKafkaBrokerWithMskIamAuthBesideFlinksJars(@TempDir Path dir) throws Exception {
        // A socket stands in for an MSK broker's IAM port: the classes of the SASL_SSL and
        // AWS_MSK_IAM chain (login module, callback handler) are loaded when a Kafka client is
        // built, before it connects; the first bytes it sends are a TLS handshake record.
        try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String servers = "127.0.0.1:" + broker.getLocalPort();
            Path properties = dir.resolve("application-properties.json");
            Files.writeString(
                    properties,
                    "[{\"PropertyGroupId\":\"SageMakerEndpoint\",\"PropertyMap\":{"
                            + "\"sagemaker.endpoint-name\":\"reviews\","
                            + "\"aws.region\":\"us-east-1\","
                            + "\"sagemaker.output-path\":\"s3://bucket/async/output\","
                            + "\"sagemaker.failure-path\":\"s3://bucket/async/failure\","
                            + "\"sagemaker.s3.input-prefix\":\"s3://bucket/async/input\"}},"
                            + "{\"PropertyGroupId\":\"Source\",\"PropertyMap\":{"
                            + "\"type\":\"kafka\",\"security\":\"msk-iam\",\"bootstrap.servers\":\""
                            + servers
                            + "\",\"topic\":\"reviews\",\"group.id\":\"enrichment\"}},"
                            // Files out: only the job's own Kafka client connects.
                            + "{\"PropertyGroupId\":\"Sink\",\"PropertyMap\":{"
                            + "\"type\":\"s3-files\",\"path\":\""
                            + dir.resolve("out").toUri()
                            + "\"}}]");
            Path log = dir.resolve("app.log");
            Path logConfig = dir.resolve("log4j2.properties");
            // INFO: a class that fails to load in the job is logged below ERROR.
            Files.writeString(
                    logConfig,
                    String.join(
                            "\n",
                            "rootLogger.level = INFO",
                            "rootLogger.appenderRef.console.ref = console",
                            "appender.console.type = Console",
                            "appender.console.name = console",
                            "appender.console.layout.type = PatternLayout",
                            "appender.console.layout.pattern = %p %c - %m%n%throwable"));
            Process process =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-Dlog4j2.configurationFile=" + logConfig,
                                    "-cp",
                                    String.join(File.pathSeparator, appBesideFlink()),
                                    ManagedFlinkApplication.class.getName(),
                                    "--properties",
                                    properties.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            int firstByte;
            try {
                broker.setSoTimeout(120_000);
                // The first connection that sends anything (a client may probe and close).
                do {
                    try (Socket client = broker.accept()) {
                        client.setSoTimeout(30_000);
                        firstByte = client.getInputStream().read();
                    }
                } while (firstByte < 0);
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError(
                        "The application never connected to the broker; its output:\n"
                                + Files.readString(log),
                        e);
            } finally {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(log);
            assertThat(firstByte).as("a TLS handshake record; output:%n%s", output).isEqualTo(0x16);
            assertThat(output)
                    .as("the job's Kafka source started")
                    .contains("KafkaSourceEnumerator")
                    // Flink's own probes for Hadoop log a missing class at INFO: not ours.
                    .doesNotContainPattern(
                            "(ClassNotFoundException|NoClassDefFoundError).*"
                                    + "(software.amazon|org.apache.kafka|flinksagemaker"
                                    + "|connector.kafka|com.amazonaws)")
                    .doesNotContain("Could not find a 'KafkaClient' entry");
        }
    }

    /**
     * The application jar and Flink with its dependencies, as the service provides them: the test
     * class path minus this project's classes and everything the jar must bring itself.
     */
    private static List<String> appBesideFlink() {
        List<String> classPath = new ArrayList<>();
        classPath.add(jar.toAbsolutePath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Stream.of(
                            "flinksagemaker",
                            "target/classes",
                            "target/test-classes",
                            "software/amazon/awssdk",
                            "software/amazon/msk",
                            "org/apache/kafka",
                            "flink-connector-kafka",
                            "org/scala-lang",
                            "org/gaul",
                            "jclouds")
                    .noneMatch(entry::contains)) {
                classPath.add(entry);
            }
        }
        return classPath;
    }

    private static String read(JarFile file, String name) throws IOException {
        ZipEntry entry = file.getEntry(name);
        assertThat(entry).as("entry %s in %s", name, file.getName()).isNotNull();
        return new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
