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

    private final Map<String, String> options;

    transient SqlInvokeConfig config;
    transient AsyncInferenceCaller caller;
    transient SqlFunctionMetrics metrics;

    /** Options from the job parameters, read when the function opens. */
    SageMakerAsyncSqlFunction() {
        this.options = null;
    }

    /**
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    SageMakerAsyncSqlFunction(Map<String, String> options) {
        this.options = new TreeMap<>(options);
        SqlInvokeConfig.from(this.options);
    }

    @Override
    public void open(FunctionContext context) {
        config =
                SqlInvokeConfig.from(options != null ? options : JobParameterOptions.read(context));
        metrics = new SqlFunctionMetrics(context.getMetricGroup());
        caller = AsyncInferenceCaller.open(config, metrics);
    }

    @Override
    public void close() {
        if (caller != null) {
            caller.close();
        }
    }
}
