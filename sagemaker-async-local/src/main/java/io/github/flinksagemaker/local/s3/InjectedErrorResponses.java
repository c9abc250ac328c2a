package io.github.flinksagemaker.local.s3;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Field;

/**
 * Answers an {@link InjectedS3Error} thrown while s3proxy serves a request with the S3 error
 * response it names: status, and an XML body whose Code the SDK reads as the error code. s3proxy
 * passes exceptions it does not know on to its Jetty server, which offers no hook; so a handler is
 * put in front of s3proxy's, on the server it keeps in a private field.
 */
public final class InjectedErrorResponses {
    private InjectedErrorResponses() {}

    /** Installs the handler on {@code proxy}; call before it starts. */
    public static void install(S3Proxy proxy) {
        server(proxy).insertHandler(new Responder());
    }

    private static Server server(S3Proxy proxy) {
        try {
            Field server = S3Proxy.class.getDeclaredField("server");
            server.setAccessible(true);
            return (Server) server.get(proxy);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(
                    "This s3proxy version keeps its Jetty server elsewhere; injected S3 errors"
                            + " need it",
                    e);
        }
    }

    private static final class Responder extends HandlerWrapper {
        @Override
        public void handle(
                String target,
                Request baseRequest,
                HttpServletRequest request,
                HttpServletResponse response)
                throws IOException, ServletException {
            try {
                super.handle(target, baseRequest, request, response);
            } catch (RuntimeException e) {
                InjectedS3Error injected = injected(e);
                if (injected == null || response.isCommitted()) {
                    throw e;
                }
                respond(response, injected);
                baseRequest.setHandled(true);
            }
        }

        private static InjectedS3Error injected(Throwable error) {
            for (Throwable cause = error; cause != null; cause = cause.getCause()) {
                if (cause instanceof InjectedS3Error) {
                    return (InjectedS3Error) cause;
                }
            }
            return null;
        }

        private static void respond(HttpServletResponse response, InjectedS3Error error)
                throws IOException {
            response.reset();
            response.setStatus(error.status());
            response.setContentType("application/xml");
            response.setCharacterEncoding("UTF-8");
            PrintWriter body = response.getWriter();
            body.write(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                            + escape(error.code())
                            + "</Code><Message>"
                            + escape(error.getMessage())
                            + "</Message></Error>");
            body.flush();
        }

        private static String escape(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
