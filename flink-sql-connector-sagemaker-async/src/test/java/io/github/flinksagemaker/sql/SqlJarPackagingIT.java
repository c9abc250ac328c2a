package io.github.flinksagemaker.sql;

import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The self-contained SQL jar (built in the package phase): the connector and its factories, the AWS
 * SDK, Netty and HTTP clients relocated under {@code io.github.flinksagemaker.shaded}, service
 * files merged and relocated, nothing of Flink; and it works on its own beside Flink's jars.
 */
class SqlJarPackagingIT {
    private static final String SHADED = "io/github/flinksagemaker/shaded/";

    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void findJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar =
                    files.filter(f -> f.getFileName().toString().startsWith("flink-sql-connector"))
                            .filter(f -> f.toString().endsWith(".jar"))
                            .findFirst()
                            .orElseThrow();
        }
        entries = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(entries::add);
        }
    }

    @Test
    void containsTheConnectorAndTheRelocatedSdk() {
        assertThat(entries)
                .contains(
                        "io/github/flinksagemaker/connector/table/SageMakerModelProviderFactory.class",
                        "io/github/flinksagemaker/connector/table/SageMakerResultsTableFactory.class",
                        "io/github/flinksagemaker/connector/table/SageMakerInvokeAsyncFunction.class",
                        "io/github/flinksagemaker/connector/SageMakerAsyncInference.class",
                        SHADED
                                + "software/amazon/awssdk/services/sagemakerruntime/SageMakerRuntimeAsyncClient.class",
                        SHADED + "software/amazon/awssdk/services/s3/S3AsyncClient.class",
                        SHADED + "software/amazon/awssdk/services/sts/StsClient.class",
                        SHADED + "io/netty/channel/Channel.class");
    }

    @Test
    void nothingClashesWithOtherJarsOnTheClassPath() {
        assertThat(entries)
                .filteredOn(e -> !mayShip(e))
                .as(
                        "entries outside io/github/flinksagemaker/ that are not the manifest,"
                                + " a license or notice, or a service file of Flink's or ours:"
                                + " they can shadow or be shadowed by the same path in a user's jar")
                .isEmpty();
    }

    /**
     * Whether {@code entry} may be in the jar: anything under our own package (the connector and
     * the relocated dependencies with their resources), the manifest, license and notice files, and
     * the service files of Flink's factory interface or of relocated interfaces.
     */
    private static boolean mayShip(String entry) {
        return entry.startsWith("io/github/flinksagemaker/")
                || List.of("io/", "io/github/", "META-INF/", "META-INF/services/").contains(entry)
                || entry.equals("META-INF/MANIFEST.MF")
                || entry.equals("META-INF/DEPENDENCIES")
                || entry.matches("META-INF/([\\w.-]+-)?(LICENSE|NOTICE)[^/]*")
                || entry.equals("META-INF/services/org.apache.flink.table.factories.Factory")
                || entry.startsWith("META-INF/services/io.github.flinksagemaker.");
    }

    @Test
    void carriesTheLicenceAndANoticeListingEveryBundledDependency() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(read(file, "META-INF/LICENSE"))
                    .contains("Apache License", "Version 2.0, January 2004");
            String notice = read(file, "META-INF/NOTICE");
            // This module's list, the connector's notice, and a bundled jar's own notice merged.
            assertThat(notice)
                    .contains(
                            "flink-sql-connector-sagemaker-async",
                            "Copyright 2026 The Flink Connector SageMaker Async authors",
                            "AWS SDK for Java 2.0");
            List<String> bundled = BundledArtifacts.of(file, SHADED);
            assertThat(bundled)
                    .as("bundled artifacts found on the class path")
                    .anyMatch(a -> a.startsWith("software.amazon.awssdk:sdk-core:"))
                    .anyMatch(a -> a.startsWith("software.amazon.awssdk:sagemakerruntime:"))
                    .anyMatch(a -> a.startsWith("io.netty:netty-handler:"))
                    .anyMatch(a -> a.startsWith("org.reactivestreams:reactive-streams:"));
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
    void theConnectorAndTheLocalEndpointJarsCarryTheLicenceAndTheNotice() throws IOException {
        for (String module : List.of("flink-connector-sagemaker-async", "sagemaker-async-local")) {
            List<String> found = BundledArtifacts.entriesOfModule(module);
            assertThat(found).as("%s on the class path", module).isNotEmpty();
            for (String entry : found) {
                assertThat(BundledArtifacts.carries(entry, "LICENSE")).as(entry).isTrue();
                assertThat(BundledArtifacts.carries(entry, "NOTICE")).as(entry).isTrue();
            }
        }
    }

    @Test
    void serviceFilesAreMergedAndRelocated() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(read(file, "META-INF/services/org.apache.flink.table.factories.Factory"))
                    .contains(
                            "io.github.flinksagemaker.connector.table.SageMakerModelProviderFactory",
                            "io.github.flinksagemaker.connector.table.SageMakerResultsTableFactory");
            assertThat(
                            read(
                                    file,
                                    "META-INF/services/io.github.flinksagemaker.shaded.software"
                                            + ".amazon.awssdk.http.async.SdkAsyncHttpService"))
                    .contains(
                            "io.github.flinksagemaker.shaded.software.amazon.awssdk.http.nio"
                                    + ".netty.NettySdkAsyncHttpService");
            for (String service :
                    entries.stream().filter(e -> e.startsWith("META-INF/services/")).toList()) {
                if (!service.endsWith("/")) {
                    String api = service.substring("META-INF/services/".length());
                    assertThat(
                                    api.equals("org.apache.flink.table.factories.Factory")
                                            || entries.contains(api.replace('.', '/') + ".class"))
                            .as("%s names an interface that Flink or this jar provides", service)
                            .isTrue();
                    assertThat(read(file, service).lines())
                            .as("implementations listed in %s", service)
                            .filteredOn(line -> !line.isBlank() && !line.startsWith("#"))
                            .allMatch(line -> line.startsWith("io.github.flinksagemaker."));
                }
            }
        }
    }

    @Test
    void runsSqlBesideFlinksJarsAlone() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start()) {
            String output = "s3://" + local.bucket() + "/smoke/output";
            String failure = "s3://" + local.bucket() + "/smoke/failure";
            local.registerEndpoint(
                    LocalEndpointConfig.builder("smoke")
                            .s3OutputPath(output)
                            .s3FailurePath(failure)
                            .model(new SentimentDemoModel())
                            .build());
            String aws =
                    local.connectorAwsOptions().entrySet().stream()
                            .map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'")
                            .collect(Collectors.joining(", "));

            String printed = runBesideFlink(aws, output, failure);

            assertThat(printed).contains("labels=[NEGATIVE, POSITIVE]");
            assertThat(printed).contains("results=SUCCESS:2");
            // The hint comes from commons-text, which Flink's lib provides and the jar does not.
            assertThat(printed)
                    .contains("Did you mean 'sagemaker.result.poll-initial-delay'?")
                    .doesNotContain("NoClassDefFoundError");
        }
    }

    /** Flink's jars as a cluster has them: the test class path minus this project and the SDK. */
    private static String runBesideFlink(String... args) throws Exception {
        List<String> classPath = new ArrayList<>();
        classPath.add(jar.toAbsolutePath().toString());
        classPath.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            boolean bundled =
                    entry.contains("flinksagemaker")
                            || entry.contains("software/amazon/")
                            || entry.contains("io/netty/")
                            || entry.contains("org/reactivestreams/")
                            || entry.contains("org/apache/httpcomponents/")
                            || entry.contains("target/classes")
                            || entry.contains("target/test-classes");
            if (!bundled) {
                classPath.add(entry);
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(SqlJarSmokeQuery.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String printed = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(printed).isZero();
        return printed;
    }

    private static String read(JarFile file, String name) throws IOException {
        ZipEntry entry = file.getEntry(name);
        assertThat(entry).as("entry %s in %s", name, file.getName()).isNotNull();
        return new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
