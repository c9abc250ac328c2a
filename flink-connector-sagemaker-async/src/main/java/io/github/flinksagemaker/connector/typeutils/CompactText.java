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
 * <p>Format: the number of UUIDs (at most {@value #MAX_UUIDS}; any further ones stay text); for
 * each, its offset from the end of the previous one (unsigned varints) and its two longs; then the
 * text with those UUIDs removed, as a {@link StringValue}. A relative text is preceded by the
 * length of the prefix it shares with its base. The RocksDB backend runs this on every state
 * access, so it scans without regular expressions and allocates only the strings it must.
 */
@Internal
public final class CompactText {
    static final int MAX_UUIDS = 64;
    private static final int UUID_LENGTH = 36;

    private CompactText() {}

    public static void write(String text, DataOutputView target) throws IOException {
        int count = 0;
        for (int i = nextUuid(text, 0); i >= 0 && count < MAX_UUIDS; i = nextUuid(text, i)) {
            count++;
            i += UUID_LENGTH;
        }
        writeVarInt(count, target);
        if (count == 0) {
            StringValue.writeString(text, target);
            return;
        }
        StringBuilder rest = new StringBuilder(text.length() - count * UUID_LENGTH);
        int end = 0;
        for (int k = 0; k < count; k++) {
            int start = nextUuid(text, end);
            writeVarInt(start - end, target);
            // "8-4-4" and "4-12": sixteen hex digits each, as UUID#toString() splits them.
            target.writeLong(hexDigits(text, start, start + 18));
            target.writeLong(hexDigits(text, start + 19, start + UUID_LENGTH));
            rest.append(text, end, start);
            end = start + UUID_LENGTH;
        }
        rest.append(text, end, text.length());
        StringValue.writeString(rest, target);
    }

    public static String read(DataInputView source) throws IOException {
        return read(source, "");
    }

    /** Writes {@code text} as what follows the prefix it shares with {@code base}. */
    public static void writeRelative(String text, String base, DataOutputView target)
            throws IOException {
        int shared = 0;
        int max = Math.min(text.length(), base.length());
        while (shared < max && text.charAt(shared) == base.charAt(shared)) {
            shared++;
        }
        writeVarInt(shared, target);
        write(text.substring(shared), target);
    }

    public static String readRelative(String base, DataInputView source) throws IOException {
        int shared = readVarInt(source);
        if (shared < 0 || shared > base.length()) {
            throw new IOException(
                    "Corrupt compact text: shares " + shared + " characters with a shorter base");
        }
        return read(source, base.substring(0, shared));
    }

    private static String read(DataInputView source, String prefix) throws IOException {
        int count = readVarInt(source);
        if (count < 0 || count > MAX_UUIDS) {
            throw new IOException("Corrupt compact text: " + count + " UUIDs");
        }
        if (count == 0) {
            return prefix.concat(readNonNull(source));
        }
        int[] offsets = new int[count];
        long[] bits = new long[2 * count];
        for (int k = 0; k < count; k++) {
            offsets[k] = readVarInt(source);
            bits[2 * k] = source.readLong();
            bits[2 * k + 1] = source.readLong();
        }
        String rest = readNonNull(source);
        StringBuilder text =
                new StringBuilder(prefix.length() + rest.length() + count * UUID_LENGTH);
        text.append(prefix);
        int next = 0;
        for (int k = 0; k < count; k++) {
            if (offsets[k] < 0 || offsets[k] > rest.length() - next) {
                throw new IOException("Corrupt compact text: a UUID beyond the text's end");
            }
            text.append(rest, next, next + offsets[k])
                    .append(new UUID(bits[2 * k], bits[2 * k + 1]));
            next += offsets[k];
        }
        return text.append(rest, next, rest.length()).toString();
    }

    private static String readNonNull(DataInputView source) throws IOException {
        String text = StringValue.readString(source);
        if (text == null) {
            throw new IOException("Corrupt compact text: a null string");
        }
        return text;
    }

    /** Where the next canonical UUID starts at or after {@code from}, or -1. */
    private static int nextUuid(String text, int from) {
        for (int i = from; i + UUID_LENGTH <= text.length(); i++) {
            if (isCanonicalUuidAt(text, i)) {
                return i;
            }
        }
        return -1;
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

    /** The hex digits between {@code from} and {@code to}, dashes skipped, as one number. */
    private static long hexDigits(String text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c != '-') {
                value = (value << 4) | Character.digit(c, 16);
            }
        }
        return value;
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
