package io.github.flinksagemaker.local.s3;

/**
 * An S3 error response the local S3 injects that s3proxy cannot produce itself: its error codes are
 * a fixed set without, for one, IncompleteBody. Thrown from the blob store and answered by {@link
 * InjectedErrorResponses}.
 */
final class InjectedS3Error extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    InjectedS3Error(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
