package io.github.flinksagemaker.local;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters a test or benchmark can read: invocations accepted by kind, rejections by reason, S3
 * requests served to clients by operation, and result objects written. S3 reads and writes the
 * endpoint itself makes (reading an InputLocation, writing results) are not client requests and are
 * counted separately as {@link #inputsRead()}, {@link #outputsWritten()} and {@link
 * #failuresWritten()}.
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
        SLOW_DOWN
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

    private final Map<InvocationKind, LongAdder> invocations = adders(InvocationKind.class);
    private final Map<Rejection, LongAdder> rejections = adders(Rejection.class);
    private final Map<S3Operation, LongAdder> s3Requests = adders(S3Operation.class);
    private final Map<S3Fault, LongAdder> s3Faults = adders(S3Fault.class);
    private final Map<String, LongAdder> invocationsById = new ConcurrentHashMap<>();
    private final LongAdder inputsRead = new LongAdder();
    private final LongAdder outputsWritten = new LongAdder();
    private final LongAdder failuresWritten = new LongAdder();

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
        invocationsById.clear();
        inputsRead.reset();
        outputsWritten.reset();
        failuresWritten.reset();
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
                + ", inputsRead="
                + inputsRead()
                + ", outputsWritten="
                + outputsWritten()
                + ", failuresWritten="
                + failuresWritten()
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
