package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Buffers a GET's body like {@link AsyncResponseTransformer#toBytes()}, unless its Content-Length
 * is over a limit: then the body is cancelled unread and the result says only the size, so one huge
 * object cannot exhaust the heap.
 */
@Internal
final class BoundedContentTransformer
        implements AsyncResponseTransformer<GetObjectResponse, S3ObjectContent> {
    private final long maxBytes;

    // Per attempt: the SDK calls prepare() again when it retries.
    private volatile AsyncResponseTransformer<GetObjectResponse, ResponseBytes<GetObjectResponse>>
            buffer;
    private volatile CompletableFuture<S3ObjectContent> result;
    private volatile GetObjectResponse overLimit;

    BoundedContentTransformer(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletableFuture<S3ObjectContent> prepare() {
        CompletableFuture<S3ObjectContent> attempt = new CompletableFuture<>();
        buffer = AsyncResponseTransformer.toBytes();
        overLimit = null;
        result = attempt;
        buffer.prepare()
                .whenComplete(
                        (bytes, error) -> {
                            if (error != null) {
                                attempt.completeExceptionally(error);
                            } else {
                                attempt.complete(
                                        new S3ObjectContent(
                                                bytes.asByteArrayUnsafe(),
                                                bytes.response().contentType()));
                            }
                        });
        return attempt;
    }

    @Override
    public void onResponse(GetObjectResponse response) {
        Long length = response.contentLength();
        if (length != null && length > maxBytes) {
            overLimit = response;
        } else {
            buffer.onResponse(response);
        }
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        GetObjectResponse tooLarge = overLimit;
        if (tooLarge == null) {
            buffer.onStream(publisher);
            return;
        }
        publisher.subscribe(new CancellingSubscriber());
        result.complete(
                S3ObjectContent.overLimit(tooLarge.contentLength(), tooLarge.contentType()));
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        if (overLimit == null) {
            buffer.exceptionOccurred(error);
        } else {
            // The body was never handed to the buffer: end this attempt here. A no-op once the
            // attempt completed as over the limit.
            result.completeExceptionally(error);
        }
    }

    private static final class CancellingSubscriber implements Subscriber<ByteBuffer> {
        @Override
        public void onSubscribe(Subscription subscription) {
            subscription.cancel();
        }

        @Override
        public void onNext(ByteBuffer chunk) {}

        @Override
        public void onError(Throwable error) {}

        @Override
        public void onComplete() {}
    }
}
