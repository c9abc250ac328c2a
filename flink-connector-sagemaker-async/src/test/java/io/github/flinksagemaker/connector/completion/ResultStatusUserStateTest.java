package io.github.flinksagemaker.connector.completion;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.EnumSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's own state holding a {@link ResultStatus} (a POJO field, a tuple) is written by Flink's
 * EnumSerializer, whose snapshot stores the constants' names: a savepoint of a version before the
 * rename holds {@code [SUCCESS, FAILURE]} and must restore, its FAILURE values reading as what is
 * now MODEL_ERROR.
 */
class ResultStatusUserStateTest {

    @Test
    @SuppressWarnings("deprecation")
    void userStateOfTheFormerNamesRestoresThroughFlinksEnumSerializer() throws Exception {
        // The EnumSerializerSnapshot as the former enum wrote it: class, count, names.
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        snapshot.writeUTF(ResultStatus.class.getName());
        snapshot.writeInt(2);
        snapshot.writeUTF("SUCCESS");
        snapshot.writeUTF("FAILURE");
        EnumSerializer.EnumSerializerSnapshot<ResultStatus> restored =
                new EnumSerializer.EnumSerializerSnapshot<>();
        restored.readSnapshot(
                restored.getCurrentVersion(),
                new DataInputDeserializer(snapshot.getCopyOfBuffer()),
                getClass().getClassLoader());

        TypeSerializerSchemaCompatibility<ResultStatus> compatibility =
                new EnumSerializer<>(ResultStatus.class)
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored);
        assertThat(compatibility.isIncompatible()).isFalse();
        TypeSerializer<ResultStatus> serializer =
                compatibility.isCompatibleWithReconfiguredSerializer()
                        ? compatibility.getReconfiguredSerializer()
                        : new EnumSerializer<>(ResultStatus.class);

        // The former enum wrote FAILURE as its ordinal, 1.
        DataOutputSerializer value = new DataOutputSerializer(4);
        value.writeInt(1);
        ResultStatus read =
                serializer.deserialize(new DataInputDeserializer(value.getCopyOfBuffer()));
        assertThat(read).isEqualTo(ResultStatus.FAILURE);
        assertThat(read.canonical()).isEqualTo(ResultStatus.MODEL_ERROR);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theConnectorNeverKeepsTheFormerName() {
        assertThat(
                        new InferenceOutput(
                                        "s3://b/failure/x-error.out",
                                        ResultStatus.FAILURE,
                                        new byte[0],
                                        "text/plain",
                                        1L,
                                        0,
                                        null)
                                .status())
                .isEqualTo(ResultStatus.MODEL_ERROR);
        assertThat(ResultStatus.SUCCESS.canonical()).isEqualTo(ResultStatus.SUCCESS);
    }
}
