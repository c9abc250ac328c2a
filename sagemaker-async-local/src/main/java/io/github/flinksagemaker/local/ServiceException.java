package io.github.flinksagemaker.local;

/**
 * An error answered in the rest-json shape the SageMaker Runtime SDKs understand: an HTTP status,
 * an {@code x-amzn-ErrorType} header and a JSON body with the message.
 */
final class ServiceException extends Exception {
    private final int status;
    private final String errorType;

    ServiceException(int status, String errorType, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
    }

    static ServiceException validation(String message) {
        return new ServiceException(400, "ValidationError", message);
    }

    int status() {
        return status;
    }

    String errorType() {
        return errorType;
    }
}
