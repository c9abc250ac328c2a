package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading location-only results lazily, through the real SDK against the in-process S3. */
class ResultContentReaderITCase {

    @Test
    void readsContentThatWasNotIncludedAndNamesAMissingObject() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                S3AsyncClient s3 = LocalAwsConfig.s3Client(local);
                ResultContentReader reader = ResultContentReader.create(LocalAwsConfig.of(local))) {
            s3.putObject(
                            r -> r.bucket(local.bucket()).key("out/big.out"),
                            AsyncRequestBody.fromString("a large model output"))
                    .join();
            InferenceOutput locationOnly =
                    new InferenceOutput(
                            "s3://" + local.bucket() + "/out/big.out",
                            ResultStatus.SUCCESS,
                            null,
                            null,
                            0L,
                            20L,
                            null);

            assertThat(new String(reader.read(locationOnly), StandardCharsets.UTF_8))
                    .isEqualTo("a large model output");
            assertThat(
                            new String(
                                    reader.read("s3://" + local.bucket() + "/out/big.out"),
                                    StandardCharsets.UTF_8))
                    .as("from a result's location alone, as InferenceResult.resultLocation()")
                    .isEqualTo("a large model output");
            InferenceOutput gone =
                    new InferenceOutput(
                            "s3://" + local.bucket() + "/out/gone.out",
                            ResultStatus.SUCCESS,
                            null,
                            null,
                            0L,
                            1L,
                            null);
            assertThatThrownBy(() -> reader.read(gone))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("out/gone.out")
                    .hasRootCauseMessage(
                            "Result object s3://"
                                    + local.bucket()
                                    + "/out/gone.out no longer exists");
        }
    }
}
