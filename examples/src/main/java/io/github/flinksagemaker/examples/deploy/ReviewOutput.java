package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * Where enriched reviews and dead letters go: the {@code Sink} group, by its {@code type}. Both
 * kinds commit with checkpoints, so what a reader sees is what the job's state agrees with.
 */
sealed interface ReviewOutput permits ReviewOutput.Kafka, ReviewOutput.Files {

    /** The values of {@code Sink.type}. */
    enum Type {
        KAFKA,
        S3_FILES
    }

    /**
     * MSK's default {@code transaction.max.timeout.ms}: a producer may not ask for more, and a
     * transaction must outlive a checkpoint interval plus a restart.
     */
    Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    void write(DataStream<String> enriched, DataStream<String> deadLetters);

    static ReviewOutput from(PropertyGroup group, boolean local) {
        Type type = group.choice("type", Type.class, Type.S3_FILES);
        if (type == Type.KAFKA) {
            group.rejectUnknownKeys(
                    Set.of(
                            "type",
                            "topic",
                            "dead-letter.topic",
                            "transactional.id.prefix",
                            "transaction.timeout"),
                    KafkaConnection.KEYS,
                    KafkaConnection.PASS_THROUGH_PREFIX);
            KafkaConnection connection = KafkaConnection.from(group, local);
            return new Kafka(
                    connection,
                    connection.name(group, "topic", LocalKafka.OUTPUT_TOPIC),
                    connection.name(group, "dead-letter.topic", LocalKafka.DEAD_LETTER_TOPIC),
                    connection.name(group, "transactional.id.prefix", LocalKafka.GROUP_ID),
                    group.duration("transaction.timeout", DEFAULT_TRANSACTION_TIMEOUT));
        }
        group.rejectUnknownKeys(Set.of("type", "path", "dead-letter.path"), Set.of(), null);
        String path = group.required("path", "always");
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return new Files(path, group.orDefault("dead-letter.path", trimmed + "-dead-letter/"));
    }

    /**
     * Enriched reviews and dead letters to two topics with Kafka transactions committed on
     * checkpoints ({@code EXACTLY_ONCE}): a {@code read_committed} consumer sees each once.
     */
    record Kafka(
            KafkaConnection connection,
            String topic,
            String deadLetterTopic,
            String transactionalIdPrefix,
            Duration transactionTimeout)
            implements ReviewOutput {

        Kafka withConnection(KafkaConnection resolved) {
            return new Kafka(
                    resolved, topic, deadLetterTopic, transactionalIdPrefix, transactionTimeout);
        }

        @Override
        public void write(DataStream<String> enriched, DataStream<String> deadLetters) {
            enriched.sinkTo(sink(topic, "-enriched"))
                    .name("Enriched reviews")
                    .uid("enriched-kafka-sink");
            deadLetters
                    .sinkTo(sink(deadLetterTopic, "-dead-letter"))
                    .name("Dead letters")
                    .uid("dead-letter-kafka-sink");
        }

        private KafkaSink<String> sink(String target, String idSuffix) {
            Properties producer = connection.clientProperties();
            producer.setProperty(
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    String.valueOf(transactionTimeout.toMillis()));
            return KafkaSink.<String>builder()
                    .setKafkaProducerConfig(producer)
                    .setBootstrapServers(connection.bootstrapServers())
                    .setRecordSerializer(
                            KafkaRecordSerializationSchema.builder()
                                    .setTopic(target)
                                    .setValueSerializationSchema(new SimpleStringSchema())
                                    .build())
                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    // Two sinks, two prefixes: transactional IDs must not collide.
                    .setTransactionalIdPrefix(transactionalIdPrefix + idSuffix)
                    .build();
        }
    }

    /** JSON Lines files, rolled on checkpoints; dead letters beside them. */
    record Files(String path, String deadLetterPath) implements ReviewOutput {
        @Override
        public void write(DataStream<String> enriched, DataStream<String> deadLetters) {
            enriched.sinkTo(files(path)).name("Enriched reviews").uid("enriched-sink");
            deadLetters.sinkTo(files(deadLetterPath)).name("Dead letters").uid("dead-letter-sink");
        }

        private static FileSink<String> files(String target) {
            return FileSink.forRowFormat(
                            new org.apache.flink.core.fs.Path(target),
                            new SimpleStringEncoder<String>("UTF-8"))
                    .withRollingPolicy(OnCheckpointRollingPolicy.build())
                    .build();
        }
    }
}
