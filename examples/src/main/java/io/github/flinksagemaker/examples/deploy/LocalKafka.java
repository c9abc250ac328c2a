package io.github.flinksagemaker.examples.deploy;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * An in-process single-node Kafka broker (KRaft) for local runs and tests, with the application's
 * topics created. Not part of the application jar: Kafka's broker is on the class path only when
 * running from the build.
 */
final class LocalKafka implements AutoCloseable {
    static final String INPUT_TOPIC = "reviews";
    static final String OUTPUT_TOPIC = "enriched-reviews";
    static final String DEAD_LETTER_TOPIC = "reviews-dead-letter";
    static final String GROUP_ID = "local-enrichment";

    private final KafkaClusterTestKit cluster;

    private LocalKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static LocalKafka start() throws Exception {
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        // One broker: the internal topics cannot have more replicas.
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return new LocalKafka(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Writes {@code values} to {@code topic} and waits until all are acknowledged. */
    void produce(String topic, List<byte[]> values) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (byte[] value : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            for (java.util.concurrent.Future<?> future : sent) {
                future.get();
            }
        }
    }

    /** A {@code read_committed} reader of a whole topic from its beginning. */
    CommittedReader reader(String topic) {
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrapServers());
        return new CommittedReader(client, topic);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    /**
     * Reads committed records only, as a downstream consumer of the exactly-once sink would: what
     * an aborted transaction wrote never appears.
     */
    static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions;

        /**
         * @param client the connection's client properties (servers, security)
         */
        CommittedReader(Properties client, String topic) {
            Properties properties = new Properties();
            properties.putAll(client);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer =
                    new KafkaConsumer<>(
                            properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** The committed records that arrived within {@code wait}, as UTF-8 text. */
        List<String> poll(Duration wait) {
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
            return values;
        }

        /**
         * Whether everything committed so far has been read (under {@code read_committed} the end
         * offsets are the last stable offsets).
         */
        boolean caughtUp() {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
