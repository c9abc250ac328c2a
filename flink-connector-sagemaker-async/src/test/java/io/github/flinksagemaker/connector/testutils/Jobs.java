package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.messages.FlinkJobTerminatedWithoutCancellationException;
import org.apache.flink.util.ExceptionUtils;

import java.time.Duration;
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

    /** Waits until {@code job} ended by itself; fails naming its status if not FINISHED in time. */
    public static void awaitFinished(JobClient job, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        JobStatus status = job.getJobStatus().get();
        while (!status.isGloballyTerminalState() && System.nanoTime() < until) {
            Thread.sleep(50);
            status = job.getJobStatus().get();
        }
        if (status != JobStatus.FINISHED) {
            throw new AssertionError(
                    "The job did not finish by itself within " + within + "; it is " + status);
        }
    }

    /**
     * Stops {@code job} with a savepoint, trying again while a savepoint fails and leaves the job
     * running: one that reaches a source subtask just as it finishes fails ("unknown task").
     */
    public static String stopWithSavepoint(JobClient job, boolean drain, String directory)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(drain, directory, SavepointFormatType.CANONICAL).get();
            } catch (ExecutionException e) {
                boolean savepointFailed =
                        ExceptionUtils.findThrowable(e, CheckpointException.class).isPresent();
                if (!savepointFailed
                        || attempt == 3
                        || job.getJobStatus().get() != JobStatus.RUNNING) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
