package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException;
import org.apache.flink.util.ExceptionUtils;

import java.util.concurrent.ExecutionException;

/** Ending test jobs: a job with bounded input may finish by itself before the test cancels it. */
public final class Jobs {
    private Jobs() {}

    /** Cancels {@code job} unless it already ended (FINISHED, FAILED or CANCELED). */
    public static void cancelUnlessEnded(JobClient job) throws Exception {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
            return;
        }
        try {
            job.cancel().get();
        } catch (ExecutionException e) {
            // It ended between the look and the cancel.
            if (ExceptionUtils.findThrowable(
                            e, FlinkJobTerminatedWithoutCancellationException.class)
                    .isEmpty()) {
                throw e;
            }
        }
    }
}
