package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.util.UUID;

/**
 * A denser encoding of the strings every pending inference keeps in state: inference IDs and S3
 * locations, which are mostly UUIDs and shared prefixes. A canonical lowercase UUID anywhere in the
 * text takes 16 bytes instead of 37, and a location can be written relative to another, keeping
 * only what follows their common prefix. Decoding gives back exactly the text that was encoded.
 *
 * <p>Format: the number of UUIDs; for each, its offset from the end of the previous one (unsigned
 * varints) and its two longs; then the text with the UUIDs removed, as a {@link StringValue}. A
 * relative text is preceded by the length of the prefix it shares with its base.
 */
@Internal
public final class CompactText {
    private static final int UUID_LENGTH = 36;
    private static final int MAX_UUIDS = 64;

    private CompactText() {}

    public static void write(String text, DataOutputView target) throws IOException {
        int[] starts = new int[MAX_UUIDS];
        int count = 0;
        for (int i = 0; i + UUID_LENGTH <= text.length() && count < MAX_UUIDS; ) {
            if (isCanonicalUuidAt(text, i)) {
                starts[count++] = i;
                i += UUID_LENGTH;
            } else {
                i++;
            }
        }
        writeVarInt(count, target);
        StringBuilder rest = new StringBuilder(text.length() - count * UUID_LENGTH);
        int end = 0;
        for (int k = 0; k < count; k++) {
            writeVarInt(starts[k] - end, target);
            UUID uuid = UUID.fromString(text.substring(starts[k], starts[k] + UUID_LENGTH));
            target.writeLong(uuid.getMostSignificantBits());
            target.writeLong(uuid.getLeastSignificantBits());
            rest.append(text, end, starts[k]);
            end = starts[k] + UUID_LENGTH;
        }
        rest.append(text, end, text.length());
        StringValue.writeString(rest, target);
    }

    public static String read(DataInputView source) throws IOException {
        int count = readVarInt(source);
        if (count > MAX_UUIDS) {
            throw new IOException("Corrupt compact text: " + count + " UUIDs");
        }
        int[] offsets = new int[count];
        UUID[] uuids = new UUID[count];
        for (int k = 0; k < count; k++) {
            offsets[k] = readVarInt(source);
            uuids[k] = new UUID(source.readLong(), source.readLong());
        }
        String rest = StringValue.readString(source);
        if (rest == null) {
            throw new IOException("Corrupt compact text: a null string");
        }
        StringBuilder text = new StringBuilder(rest.length() + count * UUID_LENGTH);
        int next = 0;
        for (int k = 0; k < count; k++) {
            if (offsets[k] < 0 || offsets[k] > rest.length() - next) {
                throw new IOException("Corrupt compact text: UUID beyond the text's end");
            }
            text.append(rest, next, next + offsets[k]).append(uuids[k]);
            next += offsets[k];
        }
        return text.append(rest, next, rest.length()).toString();
    }

    /** Writes {@code text} as what follows the prefix it shares with {@code base}. */
    public static void writeRelative(String text, String base, DataOutputView target)
            throws IOException {
        int shared = commonPrefixLength(text, base);
        writeVarInt(shared, target);
        write(text.substring(shared), target);
    }

    public static String readRelative(String base, DataInputView source) throws IOException {
        int shared = readVarInt(source);
        if (shared < 0 || shared > base.length()) {
            throw new IOException(
                    "Corrupt compact text: shares " + shared + " characters with a shorter base");
        }
        return base.substring(0, shared) + read(source);
    }

    private static int commonPrefixLength(String a, String b) {
        int max = Math.min(a.length(), b.length());
        int i = 0;
        while (i < max && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        // Never split a surrogate pair: the remainder is written as its own string.
        return i > 0 && Character.isHighSurrogate(a.charAt(i - 1)) ? i - 1 : i;
    }

    /** Only the form {@link UUID#toString()} gives back, so decoding restores it exactly. */
    private static boolean isCanonicalUuidAt(String text, int start) {
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = text.charAt(start + i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static void writeVarInt(int value, DataOutputView target) throws IOException {
        while ((value & ~0x7F) != 0) {
            target.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        target.writeByte(value);
    }

    private static int readVarInt(DataInputView source) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = source.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("Corrupt compact text: a length longer than five bytes");
    }
}
