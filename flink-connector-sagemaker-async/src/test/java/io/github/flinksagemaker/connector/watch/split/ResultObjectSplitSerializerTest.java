package io.github.flinksagemaker.connector.watch.split;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.Golden;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Version 1 of the split format, against golden bytes that are never regenerated. */
class ResultObjectSplitSerializerTest {
    static final ResultObjectSplit SPLIT =
            new ResultObjectSplit(
                    new S3Location("bucket", "async/output/r/2026/11/25/10/abc.out"),
                    ResultStatus.SUCCESS,
                    1234L,
                    1_764_064_800_000L,
                    "\"9b2cf535f27731c974343645a3985328\"");
    static final ResultObjectSplit NO_ETAG =
            new ResultObjectSplit(
                    new S3Location("bucket", "async/failure/def-error.out"),
                    ResultStatus.FAILURE,
                    56L,
                    1_764_064_801_000L,
                    null);

    private final ResultObjectSplitSerializer serializer = ResultObjectSplitSerializer.INSTANCE;

    @Test
    void writesVersion1() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(SPLIT))
                .isEqualTo(Golden.bytes("result-object-split-v1.bin"));
        assertThat(serializer.serialize(NO_ETAG))
                .isEqualTo(Golden.bytes("result-object-split-v1-no-etag.bin"));
    }

    @Test
    void readsVersion1() throws IOException {
        assertThat(serializer.deserialize(1, Golden.bytes("result-object-split-v1.bin")))
                .isEqualTo(SPLIT);
        assertThat(serializer.deserialize(1, Golden.bytes("result-object-split-v1-no-etag.bin")))
                .isEqualTo(NO_ETAG);
    }

    @Test
    void rejectsAnUnknownVersionNamingBoth() {
        assertThatThrownBy(
                        () -> serializer.deserialize(2, Golden.bytes("result-object-split-v1.bin")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("reads version 1");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] golden = Golden.bytes("result-object-split-v1.bin");
        byte[] longer = Arrays.copyOf(golden, golden.length + 1);
        assertThatThrownBy(() -> serializer.deserialize(1, longer))
                .hasMessageContaining("1 trailing bytes");
    }
}
