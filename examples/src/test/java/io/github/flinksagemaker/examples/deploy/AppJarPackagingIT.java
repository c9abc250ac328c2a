package io.github.flinksagemaker.examples.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
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
                        "application-properties-local.json");
    }

    @Test
    void leavesOutWhatTheServiceProvides() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/core/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/connector/file/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/connector/base/"))
                .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
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
        // Flink and its dependencies, as the service provides them: the test class path minus
        // this project's classes and the SDK, which the app jar must bring itself.
        List<String> classPath = new ArrayList<>();
        classPath.add(jar.toAbsolutePath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("flinksagemaker")
                    && !entry.contains("software/amazon/awssdk")
                    && !entry.contains("target/classes")
                    && !entry.contains("target/test-classes")) {
                classPath.add(entry);
            }
        }
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

    private static String read(JarFile file, String name) throws IOException {
        ZipEntry entry = file.getEntry(name);
        assertThat(entry).as("entry %s in %s", name, file.getName()).isNotNull();
        return new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
