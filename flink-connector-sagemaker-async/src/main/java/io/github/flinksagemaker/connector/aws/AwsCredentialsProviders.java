package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;

import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.BASIC_ACCESS_KEY_ID;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.BASIC_SECRET_KEY;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.CUSTOM_CLASS;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.PROFILE_NAME;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.PROFILE_PATH;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.ROLE_ARN;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.ROLE_EXTERNAL_ID;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.ROLE_PROVIDER;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.ROLE_SESSION_NAME;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.ROLE_STS_ENDPOINT;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.WEB_IDENTITY_TOKEN_FILE;
import static io.github.flinksagemaker.connector.aws.AwsConfigOptions.credentialsKey;

/**
 * Turns the {@code aws.credentials.provider} options into an SDK credentials provider. {@link
 * #validate} runs where the job is built and checks only the configuration; {@link #create} runs in
 * the task, where profile files and token files actually exist.
 */
@Internal
public final class AwsCredentialsProviders {
    private AwsCredentialsProviders() {}

    /** Throws {@link IllegalArgumentException} naming the first missing or invalid option. */
    public static void validate(Configuration config) {
        validate(config, CREDENTIALS_PROVIDER_PREFIX);
    }

    public static AwsCredentialsProvider create(Configuration config, Region region) {
        return create(config, CREDENTIALS_PROVIDER_PREFIX, region);
    }

    private static void validate(Configuration config, String prefix) {
        switch (type(config, prefix)) {
            case BASIC:
                required(config, credentialsKey(prefix, BASIC_ACCESS_KEY_ID), "BASIC");
                required(config, credentialsKey(prefix, BASIC_SECRET_KEY), "BASIC");
                break;
            case CUSTOM:
                required(config, credentialsKey(prefix, CUSTOM_CLASS), "CUSTOM");
                break;
            case ASSUME_ROLE:
                required(config, credentialsKey(prefix, ROLE_ARN), "ASSUME_ROLE");
                required(config, credentialsKey(prefix, ROLE_SESSION_NAME), "ASSUME_ROLE");
                optional(config, credentialsKey(prefix, ROLE_STS_ENDPOINT))
                        .ifPresent(
                                endpoint ->
                                        AwsClients.parseEndpoint(
                                                credentialsKey(prefix, ROLE_STS_ENDPOINT),
                                                endpoint));
                validate(config, credentialsKey(prefix, ROLE_PROVIDER));
                break;
            default:
                break;
        }
    }

    private static AwsCredentialsProvider create(
            Configuration config, String prefix, Region region) {
        switch (type(config, prefix)) {
            case BASIC:
                return StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                                required(
                                        config,
                                        credentialsKey(prefix, BASIC_ACCESS_KEY_ID),
                                        "BASIC"),
                                required(
                                        config,
                                        credentialsKey(prefix, BASIC_SECRET_KEY),
                                        "BASIC")));
            case ENV_VAR:
                return EnvironmentVariableCredentialsProvider.create();
            case SYS_PROP:
                return SystemPropertyCredentialsProvider.create();
            case PROFILE:
                ProfileCredentialsProvider.Builder profile = ProfileCredentialsProvider.builder();
                optional(config, credentialsKey(prefix, PROFILE_NAME))
                        .ifPresent(profile::profileName);
                optional(config, credentialsKey(prefix, PROFILE_PATH))
                        .ifPresent(
                                path ->
                                        profile.profileFile(
                                                ProfileFile.builder()
                                                        .content(Path.of(path))
                                                        .type(ProfileFile.Type.CREDENTIALS)
                                                        .build()));
                return profile.build();
            case ASSUME_ROLE:
                return assumeRole(config, prefix, region);
            case WEB_IDENTITY_TOKEN:
                WebIdentityTokenFileCredentialsProvider.Builder web =
                        WebIdentityTokenFileCredentialsProvider.builder();
                optional(config, credentialsKey(prefix, ROLE_ARN)).ifPresent(web::roleArn);
                optional(config, credentialsKey(prefix, ROLE_SESSION_NAME))
                        .ifPresent(web::roleSessionName);
                optional(config, credentialsKey(prefix, WEB_IDENTITY_TOKEN_FILE))
                        .ifPresent(file -> web.webIdentityTokenFile(Path.of(file)));
                return web.build();
            case CUSTOM:
                return custom(config, credentialsKey(prefix, CUSTOM_CLASS));
            case AUTO:
            default:
                return DefaultCredentialsProvider.builder().build();
        }
    }

    /**
     * An instance of the class named by {@code key}, loaded with the job's class loader (the
     * thread's context class loader in a task): built by a public constructor taking the options as
     * {@link Properties} (as flink-connector-aws-base builds its CUSTOM providers), else a public
     * no-arg constructor, else a public static {@code create()} (as the SDK's own providers are).
     */
    private static AwsCredentialsProvider custom(Configuration config, String key) {
        String className = required(config, key, "CUSTOM");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type;
        try {
            type =
                    Class.forName(
                            className,
                            true,
                            loader != null
                                    ? loader
                                    : AwsCredentialsProviders.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(
                    "Class '"
                            + className
                            + "' named by option "
                            + named(key)
                            + " cannot be loaded with the job's class loader: "
                            + e,
                    e);
        }
        if (!AwsCredentialsProvider.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(
                    "Class '"
                            + className
                            + "' named by option "
                            + named(key)
                            + " does not implement "
                            + AwsCredentialsProvider.class.getName());
        }
        Object provider;
        try {
            if (hasPublicConstructor(type, Properties.class)) {
                Properties properties = new Properties();
                properties.putAll(config.toMap());
                provider = type.getConstructor(Properties.class).newInstance(properties);
            } else if (hasPublicConstructor(type)) {
                provider = type.getConstructor().newInstance();
            } else {
                Method create = type.getMethod("create");
                if (!Modifier.isStatic(create.getModifiers())) {
                    throw new NoSuchMethodException("create() is not static");
                }
                provider = create.invoke(null);
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(
                    "Cannot build class '"
                            + className
                            + "' named by option "
                            + named(key)
                            + ": it needs a public constructor taking java.util.Properties, a"
                            + " public no-arg constructor or a public static create()",
                    e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            throw new IllegalArgumentException(
                    "Cannot build class '"
                            + className
                            + "' named by option "
                            + named(key)
                            + ": "
                            + cause,
                    cause);
        }
        if (!(provider instanceof AwsCredentialsProvider)) {
            throw new IllegalArgumentException(
                    "Class '"
                            + className
                            + "' named by option "
                            + named(key)
                            + ": create() returned "
                            + (provider == null ? "null" : provider.getClass().getName())
                            + ", not an "
                            + AwsCredentialsProvider.class.getName());
        }
        return (AwsCredentialsProvider) provider;
    }

    private static boolean hasPublicConstructor(Class<?> type, Class<?>... parameters) {
        try {
            return Modifier.isPublic(type.getConstructor(parameters).getModifiers())
                    && !Modifier.isAbstract(type.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The STS client uses the sync HTTP client that the sts module brings (apache5-client). */
    private static AwsCredentialsProvider assumeRole(
            Configuration config, String prefix, Region region) {
        StsClientBuilder sts =
                StsClient.builder()
                        .region(region)
                        .credentialsProvider(
                                create(config, credentialsKey(prefix, ROLE_PROVIDER), region));
        optional(config, credentialsKey(prefix, ROLE_STS_ENDPOINT))
                .ifPresent(endpoint -> sts.endpointOverride(URI.create(endpoint)));
        String roleArn = required(config, credentialsKey(prefix, ROLE_ARN), "ASSUME_ROLE");
        String sessionName =
                required(config, credentialsKey(prefix, ROLE_SESSION_NAME), "ASSUME_ROLE");
        Optional<String> externalId = optional(config, credentialsKey(prefix, ROLE_EXTERNAL_ID));
        return StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts.build())
                .refreshRequest(
                        request ->
                                request.roleArn(roleArn)
                                        .roleSessionName(sessionName)
                                        .externalId(externalId.orElse(null)))
                .build();
    }

    private static CredentialsProviderType type(Configuration config, String prefix) {
        Optional<String> value = optional(config, prefix);
        if (value.isEmpty()) {
            return CredentialsProviderType.AUTO;
        }
        try {
            return CredentialsProviderType.valueOf(value.get().trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + value.get()
                            + "' for option "
                            + named(prefix)
                            + ". Allowed values: "
                            + Arrays.toString(CredentialsProviderType.values()));
        }
    }

    private static String required(Configuration config, String key, String type) {
        return optional(config, key)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "Option "
                                                + named(key)
                                                + " is required when the credentials provider is "
                                                + type));
    }

    /** A credentials key as messages name it: with its SQL spelling, which SQL users may use. */
    static String named(String key) {
        String table = TableAwsOptions.toTableKey(key);
        return table == null ? "'" + key + "'" : "'" + key + "' (in SQL '" + table + "')";
    }

    static Optional<String> optional(Configuration config, String key) {
        return config.getOptional(ConfigOptions.key(key).stringType().noDefaultValue())
                .map(String::trim)
                .filter(value -> !value.isEmpty());
    }
}
