package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded S3: counted per operation, signature-checked, in memory or on disk. */
class LocalS3ITCase {

    @Test
    void countsEachClientRequestOnceByOperation() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                S3AsyncClient s3 = LocalClients.s3(local)) {
            String bucket = local.bucket();
            local.counters().reset();

            s3.putObject(r -> r.bucket(bucket).key("a/1"), AsyncRequestBody.fromString("one"))
                    .join();
            s3.putObject(r -> r.bucket(bucket).key("a/2"), AsyncRequestBody.fromString("two"))
                    .join();
            s3.getObject(r -> r.bucket(bucket).key("a/1"), AsyncResponseTransformer.toBytes())
                    .join();
            s3.headObject(r -> r.bucket(bucket).key("a/2")).join();
            assertThat(s3.listObjectsV2(r -> r.bucket(bucket).prefix("a/")).join().keyCount())
                    .isEqualTo(2);
            s3.deleteObject(r -> r.bucket(bucket).key("a/1")).join();

            assertThat(local.counters().s3Requests(S3Operation.PUT)).isEqualTo(2);
            assertThat(local.counters().s3Requests(S3Operation.GET)).isEqualTo(1);
            assertThat(local.counters().s3Requests(S3Operation.HEAD)).isEqualTo(1);
            assertThat(local.counters().s3Requests(S3Operation.LIST)).isEqualTo(1);
            assertThat(local.counters().s3Requests(S3Operation.DELETE)).isEqualTo(1);
            assertThat(local.counters().s3RequestsTotal()).isEqualTo(6);
        }
    }

    @Test
    void listsPastOnePageWithTheSdkPaginator() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                S3AsyncClient s3 = LocalClients.s3(local)) {
            for (int i = 0; i < 1_234; i++) {
                String key = String.format("many/%05d", i);
                s3.putObject(
                                r -> r.bucket(local.bucket()).key(key),
                                AsyncRequestBody.fromString(key))
                        .join();
            }
            local.counters().reset();
            long[] count = {0};
            s3.listObjectsV2Paginator(r -> r.bucket(local.bucket()).prefix("many/"))
                    .contents()
                    .subscribe(object -> count[0]++)
                    .join();

            assertThat(count[0]).isEqualTo(1_234);
            assertThat(local.counters().s3Requests(S3Operation.LIST)).isEqualTo(2);
        }
    }

    @Test
    void rejectsAWrongSecret() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                S3AsyncClient s3 = LocalClients.s3WithSecret(local, "wrong")) {
            assertThatThrownBy(
                            () ->
                                    s3.putObject(
                                                    r -> r.bucket(local.bucket()).key("k"),
                                                    AsyncRequestBody.fromString("v"))
                                            .join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    void keepsDataOnDiskAcrossRestartsWithADataDir(@TempDir Path dataDir) throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().dataDir(dataDir).start();
                S3AsyncClient s3 = LocalClients.s3(local)) {
            s3.putObject(
                            r -> r.bucket(local.bucket()).key("kept/object"),
                            AsyncRequestBody.fromString("still here"))
                    .join();
        }
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().dataDir(dataDir).start();
                S3AsyncClient s3 = LocalClients.s3(local)) {
            String value =
                    s3.getObject(
                                    r -> r.bucket(local.bucket()).key("kept/object"),
                                    AsyncResponseTransformer.toBytes())
                            .join()
                            .asUtf8String();
            assertThat(value).isEqualTo("still here");
        }
    }
}
