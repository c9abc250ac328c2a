package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs a SQL script statement by statement, as the SQL client would, printing each query's rows as
 * they arrive. {@code ${ENDPOINT_OPTIONS}}, {@code ${JOB_PARAMETERS}} and {@code ${WATCH_OPTIONS}}
 * are filled from {@code --options} (a properties file) or, by default, from an embedded local
 * endpoint. A query with {@code LIMIT n} stops after n rows, so unbounded queries end too.
 */
public final class SqlScriptRunner {
    static final String USAGE =
            "Usage: SqlScriptRunner [--script FILE] [--options FILE]\n"
                    + "  --script   the SQL script (default: sql/review-sentiment.sql)\n"
                    + "  --options  properties with sagemaker.endpoint-name,"
                    + " sagemaker.s3.input-prefix,\n"
                    + "             sagemaker.output-path,"
                    + " sagemaker.failure-path and aws.*\n"
                    + "             (default: an embedded local endpoint)";
    private static final Pattern LIMIT = Pattern.compile("(?is).*\\bLIMIT\\s+(\\d+)\\s*$");
    private static final Pattern SET =
            Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'");
    private static final List<String> WATCH_ONLY =
            List.of("sagemaker.output-path", "sagemaker.failure-path");

    private SqlScriptRunner() {}

    public static void main(String[] args) throws Exception {
        Path script = Path.of("sql", "review-sentiment.sql");
        Path optionsFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].isBlank()) {
                continue;
            }
            if (i + 1 < args.length && args[i].equals("--script")) {
                script = Path.of(args[++i]);
            } else if (i + 1 < args.length && args[i].equals("--options")) {
                optionsFile = Path.of(args[++i]);
            } else {
                System.err.println("Unknown argument '" + args[i] + "'\n" + USAGE);
                System.exit(2);
            }
        }
        if (!Files.exists(script) && Files.exists(Path.of("examples").resolve(script))) {
            script = Path.of("examples").resolve(script);
        }
        if (optionsFile != null) {
            run(Files.readString(script), load(optionsFile), System.out);
            return;
        }
        System.out.println("Starting the embedded SageMaker async endpoint and S3 ...");
        try (LocalSageMakerAsync local = EmbeddedEndpoint.start(FaultInjection.NONE)) {
            Map<String, String> options = EmbeddedEndpoint.connectorOptions(local).toMap();
            options.put("sagemaker.result.poll-initial-delay", "100 ms");
            options.put("sagemaker.result.poll-max-delay", "1 s");
            run(Files.readString(script), options, System.out);
        }
    }

    /** Runs every statement of {@code script}; returns the rows each query printed. */
    static List<List<Row>> run(String script, Map<String, String> options, PrintStream console)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        List<List<Row>> results = new ArrayList<>();
        for (String template : statements(script)) {
            String statement = fill(template, options);
            String head = statement.lines().findFirst().orElse("").strip();
            try {
                Matcher set = SET.matcher(statement);
                if (set.matches()) {
                    // As the SQL client does: SET changes the session's configuration.
                    tEnv.getConfig().set(set.group(1), set.group(2).replace("''", "'"));
                    console.println("SET  " + set.group(1));
                    continue;
                }
                if (!statement.regionMatches(true, 0, "SELECT", 0, 6)) {
                    tEnv.executeSql(statement);
                    console.println("OK   " + head);
                    continue;
                }
                console.println("\nRUN  " + statement.replaceAll("\\s+", " "));
                results.add(query(tEnv.executeSql(statement), limit(statement), console));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Statement failed: " + head, e);
            }
        }
        return results;
    }

    private static List<Row> query(TableResult result, long limit, PrintStream console)
            throws Exception {
        long start = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> iterator = result.collect()) {
            while (rows.size() < limit && iterator.hasNext()) {
                Row row = iterator.next();
                rows.add(row);
                console.printf(
                        Locale.ROOT,
                        "  [%d rows, %.1f s] %s%n",
                        rows.size(),
                        (System.nanoTime() - start) / 1e9,
                        row);
            }
        }
        console.printf(
                Locale.ROOT,
                "DONE %d rows in %.1f s%n",
                rows.size(),
                (System.nanoTime() - start) / 1e9);
        return rows;
    }

    private static long limit(String statement) {
        Matcher matcher = LIMIT.matcher(statement);
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : Long.MAX_VALUE;
    }

    /** Statements end with ';' at the end of a line; lines starting with -- are comments. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    static String fill(String script, Map<String, String> options) {
        Map<String, String> endpoint = new TreeMap<>(options);
        WATCH_ONLY.forEach(endpoint::remove);
        endpoint.keySet().removeIf(key -> key.startsWith("sagemaker.watch."));
        Map<String, String> watch = new TreeMap<>();
        options.forEach(
                (key, value) -> {
                    if (key.startsWith("aws.")
                            || key.startsWith("sagemaker.watch.")
                            || WATCH_ONLY.contains(key)) {
                        watch.put(key, value);
                    }
                });
        return script.replace("${ENDPOINT_OPTIONS}", withClause(endpoint))
                .replace("${WATCH_OPTIONS}", withClause(watch))
                .replace("${JOB_PARAMETERS}", jobParameters(endpoint));
    }

    private static String withClause(Map<String, String> options) {
        return options.entrySet().stream()
                .map(e -> "'" + e.getKey() + "' = '" + e.getValue().replace("'", "''") + "'")
                .collect(Collectors.joining(",\n    "));
    }

    /**
     * A map option's text as a SQL string literal body: each entry "'key':'value'", so values may
     * hold colons and commas, with quotes doubled for the map syntax and again for SQL.
     */
    private static String jobParameters(Map<String, String> options) {
        String map =
                options.entrySet().stream()
                        .map(e -> '"' + single(e.getKey()) + ":" + single(e.getValue()) + '"')
                        .collect(Collectors.joining(","));
        return map.replace("'", "''");
    }

    private static String single(String text) {
        return "'" + text.replace("'", "''").replace("\"", "\"\"") + "'";
    }

    private static Map<String, String> load(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        Map<String, String> options = new TreeMap<>();
        properties.stringPropertyNames().forEach(k -> options.put(k, properties.getProperty(k)));
        return options;
    }
}
