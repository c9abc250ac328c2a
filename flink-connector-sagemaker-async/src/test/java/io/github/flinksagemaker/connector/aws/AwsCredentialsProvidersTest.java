package io.github.flinksagemaker.connector.aws;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CUSTOM provider: a class of the job's, named by {@code .custom.class}. */
class AwsCredentialsProvidersTest {
    private static final String CUSTOM_CLASS = "aws.credentials.provider.custom.class";

    private static AwsCredentialsProvider custom(String className) {
        return AwsCredentialsProviders.create(
                Configuration.fromMap(
                        Map.of(
                                "aws.region",
                                "eu-west-1",
                                "aws.credentials.provider",
                                "CUSTOM",
                                CUSTOM_CLASS,
                                className,
                                "aws.credentials.provider.basic.secretkey",
                                "NOT-LOGGED")),
                Region.EU_WEST_1);
    }

    @Test
    void aClassWithAPublicNoArgConstructorIsBuiltAndAsked() {
        assertThat(custom(NoArg.class.getName()).resolveCredentials().accessKeyId())
                .isEqualTo("no-arg");
    }

    @Test
    void aPropertiesConstructorGetsTheOptionsAsFlinkConnectorAwsBaseGivesThem() {
        assertThat(custom(WithProperties.class.getName()).resolveCredentials().accessKeyId())
                .isEqualTo("eu-west-1");
    }

    @Test
    void aStaticCreateIsUsedWhenThereIsNoPublicConstructor() {
        assertThat(custom(WithCreate.class.getName()).resolveCredentials().accessKeyId())
                .isEqualTo("create");
    }

    @Test
    void theClassIsLoadedWithTheJobsClassLoader() {
        List<String> asked = new ArrayList<>();
        ClassLoader job =
                new ClassLoader(getClass().getClassLoader()) {
                    @Override
                    protected Class<?> loadClass(String name, boolean resolve)
                            throws ClassNotFoundException {
                        asked.add(name);
                        return super.loadClass(name, resolve);
                    }
                };
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(job);
        try {
            custom(NoArg.class.getName());
        } finally {
            thread.setContextClassLoader(before);
        }
        assertThat(asked).contains(NoArg.class.getName());
    }

    @Test
    void aMissingClassIsNamedWithItsOption() {
        assertThatThrownBy(() -> custom("com.example.NoSuchProvider"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'com.example.NoSuchProvider'")
                .hasMessageContaining(
                        "'" + CUSTOM_CLASS + "' (in SQL 'aws.credentials.custom.class')")
                .hasMessageContaining("cannot be loaded with the job's class loader")
                .hasMessageNotContaining("NOT-LOGGED");
    }

    @Test
    void aClassThatIsNoCredentialsProviderIsNamedWithItsOption() {
        assertThatThrownBy(() -> custom(String.class.getName()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'java.lang.String'")
                .hasMessageContaining("'" + CUSTOM_CLASS + "'")
                .hasMessageContaining(
                        "does not implement " + AwsCredentialsProvider.class.getName());
    }

    @Test
    void aClassThatCannotBeBuiltIsNamedWithItsOptionAndWhy() {
        assertThatThrownBy(() -> custom(Failing.class.getName()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot build class '" + Failing.class.getName() + "'")
                .hasMessageContaining("'" + CUSTOM_CLASS + "'")
                .hasMessageContaining("no credentials here")
                .hasMessageNotContaining("NOT-LOGGED");
        assertThatThrownBy(() -> custom(NoWayToBuild.class.getName()))
                .hasMessageContaining("Cannot build class '" + NoWayToBuild.class.getName() + "'")
                .hasMessageContaining(
                        "it needs a public constructor taking java.util.Properties, a public"
                                + " no-arg constructor or a public static create()");
        assertThatThrownBy(() -> custom(CreatesNothing.class.getName()))
                .hasMessageContaining("create() returned null");
    }

    @Test
    void theClassOptionIsRequiredWhenTheJobIsBuilt() {
        assertThatThrownBy(
                        () ->
                                AwsCredentialsProviders.validate(
                                        Configuration.fromMap(
                                                Map.of("aws.credentials.provider", "CUSTOM"))))
                .hasMessageContaining(
                        "Option '"
                                + CUSTOM_CLASS
                                + "' (in SQL 'aws.credentials.custom.class') is required when the"
                                + " credentials provider is CUSTOM");
    }

    /** A provider with a public no-arg constructor. */
    public static final class NoArg implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            return AwsBasicCredentials.create("no-arg", "secret");
        }
    }

    /** A provider built, as in flink-connector-aws-base, from the options. */
    public static final class WithProperties implements AwsCredentialsProvider {
        private final String region;

        public WithProperties(Properties options) {
            this.region = options.getProperty("aws.region");
        }

        @Override
        public AwsCredentials resolveCredentials() {
            return AwsBasicCredentials.create(region, "secret");
        }
    }

    /** A provider built, as the SDK's own, by a static create(). */
    public static final class WithCreate implements AwsCredentialsProvider {
        private WithCreate() {}

        public static WithCreate create() {
            return new WithCreate();
        }

        @Override
        public AwsCredentials resolveCredentials() {
            return AwsBasicCredentials.create("create", "secret");
        }
    }

    /** A provider whose constructor fails. */
    public static final class Failing implements AwsCredentialsProvider {
        public Failing() {
            throw new IllegalStateException("no credentials here");
        }

        @Override
        public AwsCredentials resolveCredentials() {
            throw new AssertionError();
        }
    }

    /** A provider whose create() returns nothing. */
    public static final class CreatesNothing implements AwsCredentialsProvider {
        private CreatesNothing() {}

        public static CreatesNothing create() {
            return null;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            throw new AssertionError();
        }
    }

    /** A provider without any public way to build it. */
    public static final class NoWayToBuild implements AwsCredentialsProvider {
        private NoWayToBuild() {}

        @Override
        public AwsCredentials resolveCredentials() {
            throw new AssertionError();
        }
    }
}
