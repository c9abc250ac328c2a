package io.github.flinksagemaker.examples.deploy;

import java.util.Properties;
import java.util.Set;

/**
 * Where the Kafka cluster is and how to authenticate, read from a {@code Source} or {@code Sink}
 * group: {@code bootstrap.servers}, {@code security} ({@link KafkaSecurity}), {@code sasl.username}
 * and {@code sasl.password} for SASL/SCRAM, and any {@code kafka.*} key passed to the Kafka clients
 * without the prefix (e.g. {@code kafka.ssl.truststore.location}).
 *
 * <p>Locally a group without {@code bootstrap.servers} stands for the in-process broker.
 */
final class KafkaConnection {
    static final String PASS_THROUGH_PREFIX = "kafka.";

    /** The keys this reads from a group, besides those under {@link #PASS_THROUGH_PREFIX}. */
    static final Set<String> KEYS =
            Set.of("bootstrap.servers", "security", "sasl.username", "sasl.password");

    private final String bootstrapServers;
    private final KafkaSecurity security;
    private final String username;
    private final String password;
    private final Properties passThrough;

    private KafkaConnection(
            String bootstrapServers,
            KafkaSecurity security,
            String username,
            String password,
            Properties passThrough) {
        this.bootstrapServers = bootstrapServers;
        this.security = security;
        this.username = username;
        this.password = password;
        this.passThrough = passThrough;
    }

    static KafkaConnection from(PropertyGroup group, boolean local) {
        String servers = group.optional("bootstrap.servers");
        if (servers == null && !local) {
            throw group.missing("bootstrap.servers", "with 'type' = 'kafka'");
        }
        KafkaSecurity security = group.choice("security", KafkaSecurity.class, KafkaSecurity.NONE);
        String username = null;
        String password = null;
        if (security == KafkaSecurity.SASL_SCRAM) {
            username = group.required("sasl.username", "with 'security' = 'sasl-scram'");
            password = group.required("sasl.password", "with 'security' = 'sasl-scram'");
        }
        return new KafkaConnection(
                servers, security, username, password, group.withPrefix(PASS_THROUGH_PREFIX));
    }

    /**
     * A name (topic, group, prefix) the group must give; for the in-process broker {@code
     * inProcessDefault} stands in.
     */
    String name(PropertyGroup group, String key, String inProcessDefault) {
        return embedded()
                ? group.orDefault(key, inProcessDefault)
                : group.required(key, "with 'type' = 'kafka'");
    }

    /** Whether this stands for the in-process broker of a local run. */
    boolean embedded() {
        return bootstrapServers == null;
    }

    KafkaConnection withBootstrapServers(String servers) {
        return new KafkaConnection(servers, security, username, password, passThrough);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    KafkaSecurity security() {
        return security;
    }

    /** The client properties for the security mode, then the pass-through keys. */
    Properties clientProperties() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrapServers);
        switch (security) {
            case NONE -> properties.setProperty("security.protocol", "PLAINTEXT");
            case TLS -> properties.setProperty("security.protocol", "SSL");
            case SASL_SCRAM -> {
                properties.setProperty("security.protocol", "SASL_SSL");
                properties.setProperty("sasl.mechanism", "SCRAM-SHA-512");
                properties.setProperty(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\""
                                + jaasEscaped(username)
                                + "\" password=\""
                                + jaasEscaped(password)
                                + "\";");
            }
            case MSK_IAM -> {
                properties.setProperty("security.protocol", "SASL_SSL");
                properties.setProperty("sasl.mechanism", "AWS_MSK_IAM");
                properties.setProperty(
                        "sasl.jaas.config",
                        "software.amazon.msk.auth.iam.IAMLoginModule required;");
                properties.setProperty(
                        "sasl.client.callback.handler.class",
                        "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
            }
        }
        properties.putAll(passThrough);
        return properties;
    }

    private static String jaasEscaped(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Without the password, so that printing the settings never shows it. */
    @Override
    public String toString() {
        return "KafkaConnection{"
                + (embedded() ? "in-process broker" : bootstrapServers)
                + ", "
                + PropertyGroup.spelling(security)
                + (username == null ? "" : ", user " + username)
                + "}";
    }
}
