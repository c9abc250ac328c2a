package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;

import org.apache.flink.annotation.Internal;

/**
 * The one decision of what a failed GET of a result object means, for every reader of results (the
 * listing, the notifications, the look at the deadline, the SQL functions' polling). It depends on
 * what the error means ({@link AwsErrorKind}) and on where the location came from ({@link
 * ResultLocationOrigin}):
 *
 * <ul>
 *   <li>a fault of the client itself (its credentials, its way of calling) fails the job wherever
 *       it reads;
 *   <li>a fault that dooms every read of the job's own paths (its bucket, its region) fails the
 *       job; the same fault at a location a message named is that one result's ({@link
 *       #UNREADABLE}), since one message must not fail the job;
 *   <li>a fault that may pass is retried;
 *   <li>an object that exists but cannot be read is {@link #UNREADABLE};
 *   <li>no object is {@link #ABSENT}, except where a notification said it was written.
 * </ul>
 */
@Internal
public enum ResultReadFailure {
    /** Nothing is there (yet): not a result. */
    ABSENT,
    /**
     * S3 refused the GET (403) of a location not yet seen: without s3:ListBucket S3 answers a
     * missing key so, so it is nothing for now, to be told apart by a lookup when time is up.
     */
    DENIED_MAYBE_ABSENT,
    /** The object is the inference's answer, but it cannot be read: an UNREADABLE result. */
    UNREADABLE,
    /** May pass: read again later, with backoff. */
    RETRY,
    /**
     * Dooms every read: fail the job, with {@link
     * io.github.flinksagemaker.connector.aws.FatalAwsException#advice}.
     */
    FATAL;

    /** What {@code error}, from a GET of a location of this origin, means. */
    public static ResultReadFailure of(Throwable error, ResultLocationOrigin origin) {
        return of(AwsErrors.classify(error), origin);
    }

    /** What an error of {@code kind}, from a GET of a location of this origin, means. */
    public static ResultReadFailure of(AwsErrorKind kind, ResultLocationOrigin origin) {
        boolean notified = origin == ResultLocationOrigin.NOTIFIED;
        switch (kind) {
            case CREDENTIALS:
            case INSECURE_REQUEST:
                // The client's own credentials or way of calling, whatever bucket it reads: every
                // read fails so, and results that a message named would all be lost as unreadable.
                return FATAL;
            case CREDENTIALS_UNAVAILABLE:
            case THROTTLED:
            case TRANSIENT:
                return RETRY;
            case NO_SUCH_BUCKET:
            case WRONG_REGION:
                return notified ? UNREADABLE : FATAL;
            case NO_SUCH_KEY:
                // A notification says the object was written, so its absence is an answer that
                // cannot be read (deleted since); elsewhere nothing is there yet or any more.
                return notified ? UNREADABLE : ABSENT;
            case ACCESS_DENIED:
                return origin == ResultLocationOrigin.CONFIGURED_UNSEEN
                        ? DENIED_MAYBE_ABSENT
                        : UNREADABLE;
            case KMS_KEY:
            case OBJECT_STATE:
            case NO_SUCH_QUEUE:
            case OTHER:
            default:
                // The request reached S3 and was refused for this object: asking again gives the
                // same answer. A KMS key is the object's own (a writer may use any key), not the
                // job's.
                return UNREADABLE;
        }
    }
}
