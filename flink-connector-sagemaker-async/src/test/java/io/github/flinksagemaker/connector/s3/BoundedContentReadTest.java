package io.github.flinksagemaker.connector.s3;

import io.github.flinksagemaker.connector.aws.AwsClients;

import org.apache.flink.configuration.Configuration;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded GET through the real SDK over real HTTP: an object whose Content-Length is over the
 * limit is answered from its headers alone. The server here announces 300 MB and then sends one
 * kilobyte and stalls, so a client that tried to read the body would not finish in time.
 */
class BoundedContentReadTest {
    private static final long HUGE = 300L * 1024 * 1024;

    /** Holds the huge body's stall until the test is over. */
    private final CountDownLatch released = new CountDownLatch(1);

    private HttpServer server;
    private SdkS3ObjectStore store;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/bucket/huge.out",
                exchange -> {
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.getResponseHeaders().add("ETag", "\"e\"");
                    exchange.sendResponseHeaders(200, HUGE);
                    try (OutputStream body = exchange.getResponseBody()) {
                        body.write(new byte[1024]);
                        body.flush();
                        released.await(30, TimeUnit.SECONDS);
                    } catch (IOException | InterruptedException closedByTheClient) {
                        // The client cancelled the body: what this test wants.
                    }
                });
        server.createContext(
                "/bucket/small.out",
                exchange -> {
                    byte[] body = "{\"label\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
        Configuration config = new Configuration();
        config.setString("aws.region", "us-east-1");
        config.setString("aws.s3.endpoint", "http://127.0.0.1:" + server.getAddress().getPort());
        config.setString("aws.s3.path-style-access", "true");
        config.setString("aws.s3.checksum-mode", "WHEN_REQUIRED");
        config.setString("aws.credentials.provider", "BASIC");
        config.setString("aws.credentials.provider.basic.accesskeyid", "test");
        config.setString("aws.credentials.provider.basic.secretkey", "test");
        store = new SdkS3ObjectStore(AwsClients.s3(config, 4, override -> {}), null, null);
    }

    @AfterEach
    void stop() {
        released.countDown();
        store.close();
        server.stop(0);
    }

    @Test
    void anObjectOverTheLimitIsAnsweredFromItsHeadersWithoutReadingTheBody() throws Exception {
        S3ObjectContent content =
                store.getObject(
                                new S3Location("bucket", "huge.out"),
                                1024 * 1024,
                                Duration.ofSeconds(25))
                        .get(10, TimeUnit.SECONDS);

        assertThat(content.isOverLimit()).isTrue();
        assertThat(content.size()).isEqualTo(HUGE);
        assertThat(content.contentType()).isEqualTo("application/json");
    }

    @Test
    void anObjectWithinTheLimitIsRead() throws Exception {
        S3ObjectContent content =
                store.getObject(new S3Location("bucket", "small.out"), 1024, Duration.ofSeconds(10))
                        .get(10, TimeUnit.SECONDS);

        assertThat(content.isOverLimit()).isFalse();
        assertThat(new String(content.bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"label\":\"ok\"}");
    }
}
