package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the SQL functions share: options given to the constructor (Table API) or read from the job
 * parameters and the options file (SQL {@code CREATE FUNCTION}), one {@link AsyncInferenceCaller}
 * per instance, and what a failed row becomes. A failed row completes normally (NULL or an error
 * string) unless the user chose FAIL: the planner retries a function whose future fails, and each
 * retry would be a new, billed inference.
 *
 * <p>When the planner generates the call, it hands the function its {@code
 * table.exec.async-scalar.timeout} ({@link SpecializedFunction}): a row's time ends before it, and
 * an inconsistent {@code sagemaker.result.timeout} fails the planning, naming both.
 */
@Internal
abstract class SageMakerAsyncSqlFunction extends AsyncScalarFunction
        implements SpecializedFunction {
    private static final long serialVersionUID = 1L;

    /** The position (from 1) of the optional inference ID argument. */
    private static final int INFERENCE_ID_ARGUMENT = 3;

    static final String PLANNER_TIMEOUT_SOURCE =
            "'" + ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_TIMEOUT.key() + "'";

    /** Given to the constructor (Table API), or null to read the job parameters. */
    private final TreeMap<String, String> options;

    /** The planner's timeout, once the function is specialized for a call. */
    private final Duration plannerTimeout;

    transient SqlInvokeConfig config;
    transient AsyncInferenceCaller caller;
    transient SqlFunctionMetrics metrics;

    /** Options from the job parameters, read when the function opens. */
    SageMakerAsyncSqlFunction() {
        this(null, null);
    }

    /**
     * @param options the function's options, or null to read the job parameters
     * @param plannerTimeout the planner's async timeout, or null for its default
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    SageMakerAsyncSqlFunction(Map<String, String> options, Duration plannerTimeout) {
        this.options =
                options == null
                        ? null
                        : new TreeMap<>(
                                OptionsFile.merge(
                                        new TreeMap<>(options),
                                        Thread.currentThread().getContextClassLoader()));
        this.plannerTimeout = plannerTimeout;
        if (this.options != null) {
            SqlInvokeConfig.validate(this.options, awaitsResults());
            rejectModelOnlyOptions(this.options);
        }
    }

    /** A function takes its inference ID as an argument, not from a column option. */
    private static void rejectModelOnlyOptions(Map<String, String> options) {
        if (options.containsKey(ModelOptions.INFERENCE_ID_INPUT_COLUMN.key())) {
            throw new IllegalArgumentException(
                    "Option '"
                            + ModelOptions.INFERENCE_ID_INPUT_COLUMN.key()
                            + "' is for ML_PREDICT models; the SQL functions take the inference ID"
                            + " as their third argument: f(payload, content_type, inference_id)");
        }
    }

    /** Whether the function waits for results (it then reads them from S3). */
    abstract boolean awaitsResults();

    /** The same function for a call whose planner timeout is {@code plannerTimeout}. */
    abstract SageMakerAsyncSqlFunction forPlannerTimeout(
            Map<String, String> options, Duration plannerTimeout);

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        ReadableConfig table = context.getConfiguration();
        Duration timeout = table.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_TIMEOUT);
        Map<String, String> known =
                options != null
                        ? options
                        : table.getOptional(PipelineOptions.GLOBAL_JOB_PARAMETERS).orElse(null);
        if (known != null && !known.containsKey(SqlOptions.OPTIONS_FILE.key())) {
            // Known now: refuse an inconsistent configuration before the job starts.
            SqlInvokeConfig.of(known, timeout, PLANNER_TIMEOUT_SOURCE, awaitsResults());
            rejectModelOnlyOptions(known);
            if (context.getCallContext().getArgumentDataTypes().size() >= INFERENCE_ID_ARGUMENT
                    && !known.containsKey(SubmitOptions.S3_INPUT_PREFIX.key())) {
                throw new IllegalArgumentException(AsyncInferenceCaller.NEEDS_INPUT_PREFIX);
            }
        }
        return forPlannerTimeout(options, timeout);
    }

    @Override
    public void open(FunctionContext context) {
        Map<String, String> given =
                options != null
                        ? options
                        : OptionsFile.merge(
                                JobParameterOptions.read(context),
                                context.getUserCodeClassLoader());
        config =
                SqlInvokeConfig.of(
                        given,
                        plannerTimeout != null
                                ? plannerTimeout
                                : ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_TIMEOUT
                                        .defaultValue(),
                        PLANNER_TIMEOUT_SOURCE,
                        awaitsResults());
        rejectModelOnlyOptions(given);
        metrics = new SqlFunctionMetrics(context.getMetricGroup());
        caller =
                awaitsResults()
                        ? AsyncInferenceCaller.awaiting(config, metrics.retries())
                        : AsyncInferenceCaller.submitting(config, metrics.retries());
        caller.onReuse(metrics::submissionReused);
        metrics.submissionRecordReadsDenied(caller::deniedRecordReads);
    }

    /**
     * Completes {@code result} for a failed row per {@code sagemaker.invoke.error-handling}; the
     * row is counted, and logged with its inference ID and status, never its payload.
     */
    <T> void failed(
            CompletableFuture<T> result,
            AwaitedResult outcome,
            Function<AwaitedResult, T> errorValue,
            Logger log) {
        metrics.outcome(outcome.status());
        switch (config.errorHandling()) {
            case FAIL:
                result.completeExceptionally(new SageMakerInferenceException(outcome));
                break;
            case ERROR_STRING:
                result.complete(errorValue.apply(outcome));
                break;
            default:
                log.warn(
                        "Inference {} ended {}; returning NULL",
                        outcome.inferenceId(),
                        outcome.status());
                result.complete(null);
        }
    }

    @Override
    public void close() {
        if (caller != null) {
            caller.close();
        }
    }
}
