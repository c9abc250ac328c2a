package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactTextTest {
    private static final String UUID = "c8a3b5d2-33cc-4b1e-9d0f-6a1e2f3b4c5d";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "plain",
                UUID,
                UUID + UUID,
                "s3://b/" + UUID + ".out",
                "x" + UUID + "y" + UUID + "z",
                "C8A3B5D2-33CC-4B1E-9D0F-6A1E2F3B4C5D",
                "c8a3b5d2-33cc-4b1e-9d0f-6a1e2f3b4c5",
                "c8a3b5d233cc4b1e9d0f6a1e2f3b4c5d0000",
                "g8a3b5d2-33cc-4b1e-9d0f-6a1e2f3b4c5d",
                "é€\uD83D\uDE00" + UUID
            })
    void decodesExactlyWhatWasEncoded(String text) throws IOException {
        assertThat(read(write(text))).isEqualTo(text);
    }

    @Test
    void aUuidTakesSixteenBytesAndTwoForItsPlace() throws IOException {
        String text = "s3://bucket/out/" + UUID + ".out";
        String without = "s3://bucket/out/.out";
        // Count and offset varints, two longs, then the rest: 1 + 1 + 16 + (1 + 20).
        assertThat(write(text)).hasSize(1 + 1 + 16 + 1 + without.length());
        assertThat(write(without)).hasSize(1 + 1 + without.length());
    }

    @Test
    void aRelativeTextKeepsOnlyWhatFollowsTheSharedPrefix() throws IOException {
        String output = "s3://bucket/async/output/2026/11/" + UUID + ".out";
        String failure = "s3://bucket/async/failure/2026/11/" + UUID + "-error.out";
        DataOutputSerializer out = new DataOutputSerializer(64);
        CompactText.writeRelative(failure, output, out);

        // Shared "s3://bucket/async/" (18), then "failure/2026/11/-error.out" and the UUID.
        assertThat(out.length()).isEqualTo(1 + 1 + 1 + 16 + 1 + 26);
        assertThat(
                        CompactText.readRelative(
                                output, new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(failure);
    }

    @Test
    void aSurrogatePairSplitByTheSharedPrefixStillDecodesExactly() throws IOException {
        String base = "s3://b/\uD83D\uDE00";
        String text = "s3://b/\uD83D\uDE01";
        DataOutputSerializer out = new DataOutputSerializer(64);
        CompactText.writeRelative(text, base, out);
        assertThat(out.getCopyOfBuffer()[0]).as("shares the high surrogate").isEqualTo((byte) 8);
        assertThat(CompactText.readRelative(base, new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(text);
    }

    /** Real buckets and prefixes put UUIDs and shared prefixes past 127 characters. */
    @Test
    void offsetsAndPrefixesOf128OrMoreTakeTwoByteVarints() throws IOException {
        String base = "s3://" + "b".repeat(200) + "/output/" + UUID + ".out";
        String text = "s3://" + "b".repeat(200) + "/failure/" + "p".repeat(150) + UUID + ".err";
        DataOutputSerializer out = new DataOutputSerializer(512);
        CompactText.writeRelative(text, base, out);

        // Shared 206 (2 bytes), one UUID (1) at offset 158 (2) with its 16 bytes, then the rest:
        // "failure/" + 150 + ".err" = 162 characters, with a 2-byte length.
        assertThat(out.length()).isEqualTo(2 + 1 + 2 + 16 + 2 + 162);
        assertThat(CompactText.readRelative(base, new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(text);
    }

    @Test
    void uuidsBeyondTheSixtyFourthStayText() throws IOException {
        String text = (UUID + "/").repeat(CompactText.MAX_UUIDS + 6);
        byte[] bytes = write(text);
        assertThat(read(bytes)).isEqualTo(text);
        int restLength = (CompactText.MAX_UUIDS + 6) + 6 * 36;
        assertThat(bytes).hasSize(1 + CompactText.MAX_UUIDS * (1 + 16) + 2 + restLength);
    }

    @Test
    void corruptBytesAreAnErrorNotAWrongString() {
        // Two UUIDs claimed, but the input ends after the first count byte.
        assertThatThrownBy(() -> read(new byte[] {2})).isInstanceOf(IOException.class);
        // One UUID placed 5 characters into an empty rest.
        byte[] beyond = new byte[1 + 1 + 16 + 1];
        beyond[0] = 1;
        beyond[1] = 5;
        beyond[18] = 1; // the empty string
        assertThatThrownBy(() -> read(beyond))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("beyond the text's end");
        assertThatThrownBy(() -> read(new byte[] {0, 0})).hasMessageContaining("a null string");
        byte[] negative = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        assertThatThrownBy(() -> read(negative))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("UUIDs");
        byte[] tooMany = {(byte) 0xFF, 0x01};
        assertThatThrownBy(() -> read(tooMany)).hasMessageContaining("UUIDs");
        assertThatThrownBy(
                        () ->
                                CompactText.readRelative(
                                        "ab", new DataInputDeserializer(new byte[] {3, 0, 0})))
                .hasMessageContaining("shorter base");
    }

    private static byte[] write(String text) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CompactText.write(text, out);
        return out.getCopyOfBuffer();
    }

    private static String read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        String text = CompactText.read(in);
        assertThat(in.available()).as("trailing bytes").isZero();
        return text;
    }
}
