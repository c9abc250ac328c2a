package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/** Where reviews come from: the {@code Source} group, by its {@code type}. */
sealed interface ReviewInput permits ReviewInput.Kafka, ReviewInput.Files {

    /** The values of {@code Source.type}. */
    enum Type {
        KAFKA,
        S3_FILES
    }

    /** Where a consumer group without committed offsets starts: {@code Source.starting.offsets}. */
    enum StartingOffsets {
        /** The group's committed offsets, else the earliest. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    /** Each record's bytes, in the order the source reads them. */
    DataStream<byte[]> read(StreamExecutionEnvironment env);

    static ReviewInput from(PropertyGroup group, boolean local) {
        Type type = group.choice("type", Type.class, Type.S3_FILES);
        if (type == Type.KAFKA) {
            group.rejectUnknownKeys(
                    Set.of("type", "topic", "group.id", "starting.offsets"),
                    KafkaConnection.KEYS,
                    KafkaConnection.PASS_THROUGH_PREFIX);
            KafkaConnection connection = KafkaConnection.from(group, local);
            return new Kafka(
                    connection,
                    connection.name(group, "topic", LocalKafka.INPUT_TOPIC),
                    connection.name(group, "group.id", LocalKafka.GROUP_ID),
                    group.choice(
                            "starting.offsets", StartingOffsets.class, StartingOffsets.COMMITTED),
                    false);
        }
        group.rejectUnknownKeys(Set.of("type", "path", "monitor.interval"), Set.of(), null);
        String path = group.optional("path");
        if (path == null && !local) {
            throw group.missing("path", "on Managed Service for Apache Flink");
        }
        return new Files(path, group.duration("monitor.interval", null));
    }

    /**
     * Records of one topic; {@code stopAtLatest} ends the job after the records present at its
     * start (a local run over a topic it filled itself).
     */
    record Kafka(
            KafkaConnection connection,
            String topic,
            String groupId,
            StartingOffsets startingOffsets,
            boolean stopAtLatest)
            implements ReviewInput {

        Kafka withConnection(KafkaConnection resolved, boolean stop) {
            return new Kafka(resolved, topic, groupId, startingOffsets, stop);
        }

        @Override
        public DataStream<byte[]> read(StreamExecutionEnvironment env) {
            Properties client = connection.clientProperties();
            // Records of aborted transactions (e.g. from an exactly-once producer) are not input.
            client.putIfAbsent("isolation.level", "read_committed");
            KafkaSourceBuilder<byte[]> source =
                    KafkaSource.<byte[]>builder()
                            .setProperties(client)
                            .setTopics(topic)
                            .setGroupId(groupId)
                            .setStartingOffsets(initializer())
                            .setDeserializer(new RecordValues());
            if (stopAtLatest) {
                source.setBounded(OffsetsInitializer.latest());
            }
            return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "Reviews")
                    .uid("reviews-kafka-source");
        }

        private OffsetsInitializer initializer() {
            return switch (startingOffsets) {
                case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                case EARLIEST -> OffsetsInitializer.earliest();
                case LATEST -> OffsetsInitializer.latest();
            };
        }
    }

    /** JSON Lines files under a path (s3://… or a directory), optionally watched for new ones. */
    record Files(String path, Duration monitorInterval) implements ReviewInput {

        Files withPath(String resolved) {
            return new Files(resolved, monitorInterval);
        }

        @Override
        public DataStream<byte[]> read(StreamExecutionEnvironment env) {
            FileSource.FileSourceBuilder<String> files =
                    FileSource.forRecordStreamFormat(
                            new TextLineInputFormat(), new org.apache.flink.core.fs.Path(path));
            if (monitorInterval != null) {
                files.monitorContinuously(monitorInterval);
            }
            return env.fromSource(files.build(), WatermarkStrategy.noWatermarks(), "Reviews")
                    .uid("reviews-source")
                    .map(line -> line.getBytes(StandardCharsets.UTF_8))
                    .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                    .name("Line bytes")
                    .uid("review-line-bytes");
        }
    }

    /** A record's value as is; a tombstone (null value) as no bytes, so it is not lost. */
    final class RecordValues implements KafkaRecordDeserializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<byte[]> out) {
            out.collect(record.value() == null ? new byte[0] : record.value());
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }
}
