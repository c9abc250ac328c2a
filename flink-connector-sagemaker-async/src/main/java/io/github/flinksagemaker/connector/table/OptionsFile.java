package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.TableAwsOptions;
import io.github.flinksagemaker.connector.config.SqlOptions;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Adds the options of the properties file named by {@code sagemaker.options-file} (a path, or
 * {@code classpath:NAME}), so that credentials and request attributes need not be job parameters,
 * which Flink's web UI and REST API show. The file's options win. Both the options and the file may
 * spell credentials keys either way ({@link TableAwsOptions}); what this returns is in the
 * DataStream spelling.
 */
@Internal
final class OptionsFile {
    static final String CLASSPATH = "classpath:";

    private OptionsFile() {}

    static Map<String, String> merge(Map<String, String> options, ClassLoader classLoader) {
        String name = options.get(SqlOptions.OPTIONS_FILE.key());
        if (name == null) {
            return TableAwsOptions.toDataStreamSpelling(options);
        }
        Properties properties = new Properties();
        try (InputStream in = open(name.strip(), classLoader);
                Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "Cannot read the options file '"
                            + name
                            + "' named by option '"
                            + SqlOptions.OPTIONS_FILE.key()
                            + "': "
                            + e.getMessage(),
                    e);
        }
        // The file wins whichever spelling either uses; both are translated together, so that
        // keys in the file without a provider mean BASIC only if the options name none either.
        Map<String, String> merged = new TreeMap<>(options);
        for (String key : properties.stringPropertyNames()) {
            String fileKey = key.strip();
            String dataStreamKey = TableAwsOptions.toDataStreamKey(fileKey);
            merged.keySet()
                    .removeIf(
                            known -> TableAwsOptions.toDataStreamKey(known).equals(dataStreamKey));
            merged.put(fileKey, properties.getProperty(key).strip());
        }
        return TableAwsOptions.toDataStreamSpelling(merged);
    }

    private static InputStream open(String name, ClassLoader classLoader) throws IOException {
        if (name.startsWith(CLASSPATH)) {
            String resource = name.substring(CLASSPATH.length());
            InputStream in = classLoader.getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("no resource '" + resource + "' in the job's class path");
            }
            return in;
        }
        return Files.newInputStream(Path.of(name));
    }
}
