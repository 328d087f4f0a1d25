package hoplab.oracle;

import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.util.PublicSuffixMatcherLoader;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.impl.nio.conn.PoolingNHttpClientConnectionManager;
import org.apache.http.impl.nio.reactor.DefaultConnectingIOReactor;
import org.apache.http.impl.nio.reactor.IOReactorConfig;
import org.apache.http.nio.conn.SchemeIOSessionStrategy;
import org.apache.http.nio.conn.ssl.SSLIOSessionStrategy;

/**
 * The same verdict from a real TLS handshake: Apache HttpAsyncClient 4.x sends a GET to
 * https://HOST:PORT/, with HOST resolved to the loopback address, so the server's chain
 * reaches JSSE's own certificate parsing, the trust manager (called by JSSE with the
 * handshake's engine) and Apache's host name check in SSLIOSessionStrategy.
 */
final class Handshake {
    private static final long TIMEOUT_SECONDS = 20;

    private Handshake() {}

    static Answer run(Case c, java.util.Map<String, Object> extra) throws Exception {
        List<X509Certificate> trusted;
        try {
            trusted = Judge.parse(c.trusted);
        } catch (CertificateException e) {
            return new Answer(Answer.UNUSABLE_TRUST, e.getMessage(), "trust_store", Answer.describe(e));
        }
        Recording tm = new Recording(trusted, c);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {tm}, null);
        SSLIOSessionStrategy tls = new SSLIOSessionStrategy(
            context, new DefaultHostnameVerifier(PublicSuffixMatcherLoader.getDefault()));
        Registry<SchemeIOSessionStrategy> registry =
            RegistryBuilder.<SchemeIOSessionStrategy>create().register("https", tls).build();
        IOReactorConfig io = IOReactorConfig.custom()
            .setConnectTimeout(5000).setSoTimeout(10000).setIoThreadCount(1).build();
        PoolingNHttpClientConnectionManager connections = new PoolingNHttpClientConnectionManager(
            new DefaultConnectingIOReactor(io), null, registry,
            host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        try (CloseableHttpAsyncClient client =
                 HttpAsyncClients.custom().setConnectionManager(connections).build()) {
            client.start();
            String host = c.host.contains(":") ? "[" + c.host + "]" : c.host;
            Future<HttpResponse> response = client.execute(new HttpGet("https://" + host + ":" + c.port + "/"), null);
            try {
                response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                extra.put("auth_type", tm.authType);
                return Answer.accepted();
            } catch (ExecutionException e) {
                Throwable failure = e.getCause();
                extra.put("auth_type", tm.authType);
                extra.put("raw_message", failure.getMessage());
                String stage = tm.stage != null ? tm.stage : tm.authType == null ? "parse" : "hostname";
                return Answer.rejected(stage, withoutAlert(failure.getMessage()), failure);
            } catch (TimeoutException e) {
                response.cancel(true);
                return new Answer(Answer.ERROR, "no answer in " + TIMEOUT_SECONDS + " s", null, null);
            }
        }
    }

    /**
     * JDK 17 updates put the TLS alert in front of the message, `(certificate_unknown) PKIX
     * ...`; AWS's documented texts have no such prefix.
     */
    static String withoutAlert(String message) {
        if (message != null && message.startsWith("(")) {
            int end = message.indexOf(") ");
            if (end > 0 && message.substring(1, end).matches("[a-z_]+")) {
                return message.substring(end + 2);
            }
        }
        return message;
    }

    /** Judges inside the handshake, recording what JSSE passed in. */
    static final class Recording extends X509ExtendedTrustManager {
        private final List<X509Certificate> trusted;
        private final Case c;
        volatile String authType;
        volatile String stage;

        Recording(List<X509Certificate> trusted, Case c) {
            this.trusted = trusted;
            this.c = c;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
            this.authType = authType;
            Answer answer = Judge.trust(chain, trusted, c, tm -> tm.checkServerTrusted(chain, authType, engine));
            if (answer != null) {
                stage = answer.stage;
                // A runtime exception out of the JDK's own trust manager reaches JSSE as it is,
                // so the handshake reports what JSSE makes of it.
                if ("trust".equals(answer.stage) && answer.thrown instanceof RuntimeException) {
                    throw (RuntimeException) answer.thrown;
                }
                throw new CertificateException(answer.message);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
            throw new CertificateException("the async client uses an SSLEngine");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the async client uses an SSLEngine");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
            throw new CertificateException("client certificates are not judged");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
            throw new CertificateException("client certificates are not judged");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not judged");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trusted.toArray(new X509Certificate[0]);
        }
    }
}
