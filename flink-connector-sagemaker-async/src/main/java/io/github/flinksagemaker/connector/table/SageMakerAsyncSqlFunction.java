package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the SQL functions share: options given to the constructor (Table API) or read from the job
 * parameters (SQL {@code CREATE FUNCTION}), and one {@link AsyncInferenceCaller} per instance.
 */
@Internal
abstract class SageMakerAsyncSqlFunction extends AsyncScalarFunction {
    private static final long serialVersionUID = 1L;

    /** Validated where the function is created (Table API), or null to read the job parameters. */
    private final SqlInvokeConfig configured;

    transient SqlInvokeConfig config;
    transient AsyncInferenceCaller caller;
    transient SqlFunctionMetrics metrics;

    /** Options from the job parameters, read when the function opens. */
    SageMakerAsyncSqlFunction() {
        this.configured = null;
    }

    /**
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    SageMakerAsyncSqlFunction(Map<String, String> options) {
        this.configured = SqlInvokeConfig.from(new TreeMap<>(options));
    }

    @Override
    public void open(FunctionContext context) {
        config =
                configured != null
                        ? configured
                        : SqlInvokeConfig.from(JobParameterOptions.read(context));
        metrics = new SqlFunctionMetrics(context.getMetricGroup());
        caller = AsyncInferenceCaller.open(config, metrics.retries());
    }

    @Override
    public void close() {
        if (caller != null) {
            caller.close();
        }
    }
}
