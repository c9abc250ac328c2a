package io.github.flinksagemaker.local;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters a test or benchmark can read: invocations accepted by kind, rejections by reason, S3 and
 * SQS requests served to clients by operation, result objects written and notifications delivered.
 * S3 reads and writes the endpoint itself makes (reading an InputLocation, writing results) are not
 * client requests and are counted separately as {@link #inputsRead()}, {@link #outputsWritten()}
 * and {@link #failuresWritten()}; so are the SendMessage calls that deliver its notifications
 * ({@link #notificationsSent()}), which the real service makes through SNS, not the client.
 */
public final class LocalCounters {

    /** How an accepted invocation carried its payload. */
    public enum InvocationKind {
        INLINE,
        INPUT_LOCATION
    }

    /** Why an invocation was rejected synchronously. */
    public enum Rejection {
        VALIDATION,
        UNAUTHORIZED,
        THROTTLED,
        SERVICE_UNAVAILABLE,
        INTERNAL_FAILURE
    }

    /** Why an S3 request from a client was refused by an injected fault. */
    public enum S3Fault {
        ACCESS_DENIED,
        SLOW_DOWN,
        INCOMPLETE_BODY
    }

    /** S3 request classes as S3 prices them. */
    public enum S3Operation {
        PUT,
        GET,
        HEAD,
        LIST,
        DELETE,
        OTHER
    }

    /** SQS actions a connector makes, as SQS prices them: per request, whatever the action. */
    public enum SqsOperation {
        RECEIVE_MESSAGE("ReceiveMessage"),
        DELETE_MESSAGE("DeleteMessage"),
        DELETE_MESSAGE_BATCH("DeleteMessageBatch"),
        CHANGE_MESSAGE_VISIBILITY("ChangeMessageVisibility"),
        CHANGE_MESSAGE_VISIBILITY_BATCH("ChangeMessageVisibilityBatch"),
        GET_QUEUE_ATTRIBUTES("GetQueueAttributes"),
        SEND_MESSAGE("SendMessage"),
        OTHER(null);

        private final String action;

        SqsOperation(String action) {
            this.action = action;
        }

        /** The operation of an SQS action name (e.g. {@code ReceiveMessage}); OTHER if unknown. */
        public static SqsOperation ofAction(String action) {
            for (SqsOperation operation : values()) {
                if (operation.action != null && operation.action.equals(action)) {
                    return operation;
                }
            }
            return OTHER;
        }
    }

    private final Map<InvocationKind, LongAdder> invocations = adders(InvocationKind.class);
    private final Map<Rejection, LongAdder> rejections = adders(Rejection.class);
    private final Map<S3Operation, LongAdder> s3Requests = adders(S3Operation.class);
    private final Map<S3Fault, LongAdder> s3Faults = adders(S3Fault.class);
    private final Map<SqsOperation, LongAdder> sqsRequests = adders(SqsOperation.class);
    private final Map<String, LongAdder> invocationsById = new ConcurrentHashMap<>();
    private final LongAdder inputsRead = new LongAdder();
    private final LongAdder outputsWritten = new LongAdder();
    private final LongAdder failuresWritten = new LongAdder();
    private final LongAdder notificationsSent = new LongAdder();
    private final LongAdder notificationsDropped = new LongAdder();
    private final LongAdder notificationsDuplicated = new LongAdder();
    private final LongAdder notificationsFailed = new LongAdder();

    public long invocations(InvocationKind kind) {
        return invocations.get(kind).sum();
    }

    public long rejections(Rejection reason) {
        return rejections.get(reason).sum();
    }

    public long s3Requests(S3Operation operation) {
        return s3Requests.get(operation).sum();
    }

    /** S3 client requests refused by an injected fault. */
    public long s3Faults(S3Fault fault) {
        return s3Faults.get(fault).sum();
    }

    /** How many invocations were accepted with this inference ID (0 if none). */
    public long invocationsOf(String inferenceId) {
        LongAdder count = invocationsById.get(inferenceId);
        return count == null ? 0 : count.sum();
    }

    /** Accepted invocations by inference ID, for tests that check who was invoked how often. */
    public Map<String, Long> invocationsById() {
        Map<String, Long> snapshot = new TreeMap<>();
        invocationsById.forEach((id, count) -> snapshot.put(id, count.sum()));
        return snapshot;
    }

    /** All S3 requests served to clients, of every operation. */
    public long s3RequestsTotal() {
        return s3Requests.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** SQS requests served to clients with this action. */
    public long sqsRequests(SqsOperation operation) {
        return sqsRequests.get(operation).sum();
    }

    /** All SQS requests served to clients, of every action. */
    public long sqsRequestsTotal() {
        return sqsRequests.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * Notification messages the endpoint put on a queue (a duplicated notification counts twice).
     */
    public long notificationsSent() {
        return notificationsSent.sum();
    }

    /** Notifications not sent at all, as the injected drop fraction said. */
    public long notificationsDropped() {
        return notificationsDropped.sum();
    }

    /** Notifications sent twice, as the injected duplicate fraction said. */
    public long notificationsDuplicated() {
        return notificationsDuplicated.sum();
    }

    /** Notification messages that could not be put on their queue, e.g. a deleted one. */
    public long notificationsFailed() {
        return notificationsFailed.sum();
    }

    /** InputLocation objects the endpoint read to run a model. */
    public long inputsRead() {
        return inputsRead.sum();
    }

    /** Output objects the endpoint wrote. */
    public long outputsWritten() {
        return outputsWritten.sum();
    }

    /** Failure objects the endpoint wrote. */
    public long failuresWritten() {
        return failuresWritten.sum();
    }

    /** Sets every counter to zero, e.g. between a warm-up and a measurement. */
    public void reset() {
        invocations.values().forEach(LongAdder::reset);
        rejections.values().forEach(LongAdder::reset);
        s3Requests.values().forEach(LongAdder::reset);
        s3Faults.values().forEach(LongAdder::reset);
        sqsRequests.values().forEach(LongAdder::reset);
        invocationsById.clear();
        inputsRead.reset();
        outputsWritten.reset();
        failuresWritten.reset();
        notificationsSent.reset();
        notificationsDropped.reset();
        notificationsDuplicated.reset();
        notificationsFailed.reset();
    }

    @Override
    public String toString() {
        return "LocalCounters{invocations="
                + sums(invocations)
                + ", rejections="
                + sums(rejections)
                + ", s3Requests="
                + sums(s3Requests)
                + ", s3Faults="
                + sums(s3Faults)
                + ", sqsRequests="
                + sums(sqsRequests)
                + ", inputsRead="
                + inputsRead()
                + ", outputsWritten="
                + outputsWritten()
                + ", failuresWritten="
                + failuresWritten()
                + ", notificationsSent="
                + notificationsSent()
                + ", notificationsDropped="
                + notificationsDropped()
                + ", notificationsDuplicated="
                + notificationsDuplicated()
                + ", notificationsFailed="
                + notificationsFailed()
                + '}';
    }

    void countInvocation(InvocationKind kind, String inferenceId) {
        invocations.get(kind).increment();
        invocationsById.computeIfAbsent(inferenceId, id -> new LongAdder()).increment();
    }

    void countRejection(Rejection reason) {
        rejections.get(reason).increment();
    }

    void countS3Request(S3Operation operation) {
        s3Requests.get(operation).increment();
    }

    void countS3Fault(S3Fault fault) {
        s3Faults.get(fault).increment();
    }

    void countSqsRequest(SqsOperation operation) {
        sqsRequests.get(operation).increment();
    }

    void countNotificationSent() {
        notificationsSent.increment();
    }

    void countNotificationDropped() {
        notificationsDropped.increment();
    }

    void countNotificationDuplicated() {
        notificationsDuplicated.increment();
    }

    void countNotificationFailed() {
        notificationsFailed.increment();
    }

    void countInputRead() {
        inputsRead.increment();
    }

    void countOutputWritten() {
        outputsWritten.increment();
    }

    void countFailureWritten() {
        failuresWritten.increment();
    }

    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
        Map<E, LongAdder> map = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            map.put(value, new LongAdder());
        }
        return map;
    }

    private static <E extends Enum<E>> Map<E, Long> sums(Map<E, LongAdder> adders) {
        Map<E, Long> sums = new EnumMap<>(adders.keySet().iterator().next().getDeclaringClass());
        adders.forEach((key, adder) -> sums.put(key, adder.sum()));
        return sums;
    }
}
