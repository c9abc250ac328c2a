package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.Golden;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Version 1 of the enumerator state, against golden bytes that are never regenerated. */
class WatchEnumeratorStateSerializerTest {
    private final WatchEnumeratorStateSerializer serializer = new WatchEnumeratorStateSerializer();

    static WatchEnumeratorState state() {
        ResultObjectSplit split =
                new ResultObjectSplit(
                        new S3Location("bucket", "async/output/r/2026/11/25/10/abc.out"),
                        ResultStatus.SUCCESS,
                        1234L,
                        1_764_064_800_000L,
                        "\"9b2cf535f27731c974343645a3985328\"");
        ResultObjectSplit failure =
                new ResultObjectSplit(
                        new S3Location("bucket", "async/failure/def-error.out"),
                        ResultStatus.FAILURE,
                        56L,
                        1_764_064_801_000L,
                        null);
        PrefixState out = new PrefixState();
        out.remember("r/2026/11/25/10", "async/output/r/2026/11/25/10/abc.out", 1_764_064_800_000L);
        out.remember("r/2026/11/25/11", "async/output/r/2026/11/25/11/ghi.out", 1_764_068_400_000L);
        PrefixState failed = new PrefixState();
        failed.remember("", "async/failure/def-error.out", 1_764_064_801_000L);
        Map<String, PrefixState> prefixes = new TreeMap<>();
        prefixes.put("SUCCESS s3://bucket/async/output", out);
        prefixes.put("FAILURE s3://bucket/async/failure", failed);
        return new WatchEnumeratorState(1_764_000_000_000L, prefixes, List.of(split, failure));
    }

    @Test
    void writesVersion1() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(state()))
                .isEqualTo(Golden.bytes("watch-enumerator-state-v1.bin"));
    }

    @Test
    void readsVersion1() throws IOException {
        WatchEnumeratorState read =
                serializer.deserialize(1, Golden.bytes("watch-enumerator-state-v1.bin"));
        assertThat(read).isEqualTo(state());
        assertThat(read.trackedKeys()).isEqualTo(3);
        assertThat(read.prefixes().get("SUCCESS s3://bucket/async/output").highWaterMarkMillis())
                .isEqualTo(1_764_068_400_000L);
    }

    @Test
    void rejectsAnUnknownVersionNamingBoth() {
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        7, Golden.bytes("watch-enumerator-state-v1.bin")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 7")
                .hasMessageContaining("reads version 1");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] golden = Golden.bytes("watch-enumerator-state-v1.bin");
        assertThatThrownBy(
                        () -> serializer.deserialize(1, Arrays.copyOf(golden, golden.length + 3)))
                .hasMessageContaining("3 trailing bytes");
    }
}
