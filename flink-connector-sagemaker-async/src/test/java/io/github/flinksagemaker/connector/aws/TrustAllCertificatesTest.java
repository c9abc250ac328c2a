package io.github.flinksagemaker.connector.aws;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ExceptionUtils;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkClient;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code aws.trust.all.certificates} reaches the HTTP client of each async client the connector
 * builds: against an HTTPS server with a self-signed certificate (made by the JDK's keytool), a
 * call fails the TLS handshake by default and reaches the server with the option set.
 */
class TrustAllCertificatesTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir static Path dir;

    private static HttpsServer server;
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void startSelfSignedServer() throws Exception {
        Path keyStore = dir.resolve("self-signed.p12");
        Process keytool =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString(),
                                "-genkeypair",
                                "-alias",
                                "local",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-dname",
                                "CN=localhost",
                                "-ext",
                                "SAN=dns:localhost,ip:127.0.0.1",
                                "-validity",
                                "2",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                keyStore.toString(),
                                "-storepass",
                                new String(PASSWORD))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext(
                "/",
                exchange -> {
                    REQUESTS.incrementAndGet();
                    exchange.getRequestBody().readAllBytes();
                    // A client error: answered, not retried.
                    byte[] body = "{\"message\":\"seen\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("x-amzn-ErrorType", "ValidationError");
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    boolean head = "HEAD".equals(exchange.getRequestMethod());
                    exchange.sendResponseHeaders(400, head ? -1 : body.length);
                    if (!head) {
                        exchange.getResponseBody().write(body);
                    }
                    exchange.close();
                });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /** Each async client of the connector, with one call it makes. */
    enum Client {
        SAGEMAKER_RUNTIME {
            @Override
            CompletableFuture<?> call(Configuration config) {
                var client = AwsClients.sageMakerRuntime(config, 2, override -> {});
                return closing(
                        client,
                        client.invokeEndpointAsync(
                                request -> request.endpointName("e").inputLocation("s3://b/in")));
            }
        },
        S3 {
            @Override
            CompletableFuture<?> call(Configuration config) {
                var client = AwsClients.s3(config, 2, override -> {});
                return closing(client, client.headObject(request -> request.bucket("b").key("k")));
            }
        },
        SQS {
            @Override
            CompletableFuture<?> call(Configuration config) {
                var client = AwsClients.sqs(config, 2);
                return closing(client, client.getQueueUrl(request -> request.queueName("q")));
            }
        };

        abstract CompletableFuture<?> call(Configuration config);

        private static CompletableFuture<?> closing(SdkClient client, CompletableFuture<?> call) {
            return call.whenComplete((result, failure) -> client.close());
        }
    }

    private static Configuration config(Boolean trustAll) {
        String endpoint = "https://127.0.0.1:" + server.getAddress().getPort();
        Map<String, String> options = new TreeMap<>();
        options.put("aws.region", "eu-west-1");
        options.put("aws.endpoint", endpoint);
        options.put("aws.s3.endpoint", endpoint);
        options.put("aws.sqs.endpoint", endpoint);
        options.put("aws.s3.path-style-access", "true");
        options.put("aws.credentials.provider", "BASIC");
        options.put("aws.credentials.provider.basic.accesskeyid", "AKID");
        options.put("aws.credentials.provider.basic.secretkey", "SECRET");
        if (trustAll != null) {
            options.put("aws.trust.all.certificates", trustAll.toString());
        }
        return Configuration.fromMap(options);
    }

    private static Optional<SSLHandshakeException> handshakeFailure(Throwable failure) {
        return ExceptionUtils.findThrowable(failure, SSLHandshakeException.class);
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aSelfSignedCertificateFailsTheHandshakeByDefault(Client client) {
        int before = REQUESTS.get();
        assertThatThrownBy(() -> client.call(config(null)).join())
                .satisfies(failure -> assertThat(handshakeFailure(failure)).isPresent());
        assertThatThrownBy(() -> client.call(config(false)).join())
                .satisfies(failure -> assertThat(handshakeFailure(failure)).isPresent());
        assertThat(REQUESTS.get()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void withTrustAllCertificatesTheCallReachesTheServer(Client client) {
        int before = REQUESTS.get();
        // The server's answer is a client error: the call fails, but not in the handshake.
        assertThatThrownBy(() -> client.call(config(true)).join())
                .satisfies(failure -> assertThat(handshakeFailure(failure)).isEmpty())
                .hasStackTraceContaining("400");
        assertThat(REQUESTS.get()).isGreaterThan(before);
    }
}
