package hoplab.oracle;

import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.util.PublicSuffixMatcherLoader;

/**
 * A JVM HTTPS client's verdict on a chain, step by step in the handshake's order: parse what
 * the server sent, the PKIX trust manager, then Apache's host name verifier.
 */
final class Judge {
    /** The JSSE client's text when a sent certificate does not parse. */
    static final String PARSE_FAILURE = "Failed to parse server certificates";
    /**
     * The authType JSSE hands the trust manager in a TLS 1.3 handshake (observed in handshake
     * mode, which records it): it asks EndEntityChecker for digitalSignature only.
     */
    static final String TLS13_AUTH_TYPE = "UNKNOWN";
    /** The message for a root trusted only through insecureSkipVerification that is expired. */
    static final String SENT_ROOT_VALIDITY =
        "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed";

    private Judge() {}

    /** One way of calling the trust manager: with or without the handshake's engine. */
    interface TrustCall {
        void check(X509ExtendedTrustManager tm) throws CertificateException;
    }

    /** The batch verdict: every step called directly, as the handshake would. */
    static Answer judge(Case c) {
        List<X509Certificate> trusted;
        try {
            trusted = parse(c.trusted);
        } catch (CertificateException e) {
            return new Answer(Answer.UNUSABLE_TRUST, e.getMessage(), "trust_store", Answer.describe(e));
        }
        X509Certificate[] chain;
        try {
            chain = parse(c.chain).toArray(new X509Certificate[0]);
        } catch (CertificateException e) {
            return Answer.rejected("parse", PARSE_FAILURE, e);
        }
        if (chain.length == 0) {
            throw new IllegalArgumentException("case " + c.id + ": empty chain");
        }
        TrustCall call = tm -> tm.checkServerTrusted(chain, TLS13_AUTH_TYPE);
        Answer trust = trust(chain, trusted, c, call);
        // With two trusted certificates of the same subject, PKIXCertPathValidator tries the
        // anchors in the order of a HashSet of TrustAnchor objects, which follows identity hash
        // codes: which anchor's failure it reports changes from run to run. Each run makes new
        // objects, so repeating a refusal collects every answer the JVM can give (when one
        // anchor validates, every order accepts).
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        seen.add(trust == null ? "" : trust.message);
        if (trust != null && "trust".equals(trust.stage) && sameSubjects(trusted)) {
            for (int i = 0; i < REPEATS; i++) {
                Answer again = trust(chain, trusted, c, call);
                seen.add(again == null ? "" : again.message);
            }
        }
        Answer answer = trust != null ? trust : hostname(c.host, chain[0]);
        if (seen.size() > 1) {
            answer.alternatives = new java.util.ArrayList<>(seen);
        }
        return answer;
    }

    /** How many times a check whose answer may depend on hash order is repeated. */
    private static final int REPEATS = 24;

    /** Whether two trusted certificates have the same subject. */
    private static boolean sameSubjects(List<X509Certificate> trusted) {
        java.util.Set<javax.security.auth.x500.X500Principal> subjects = new java.util.HashSet<>();
        for (X509Certificate cert : trusted) {
            if (!subjects.add(cert.getSubjectX500Principal())) {
                return true;
            }
        }
        return false;
    }

    /** Certificates parsed the way JSSE parses a Certificate message, one entry at a time. */
    static List<X509Certificate> parse(List<byte[]> ders) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : ders) {
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    /**
     * Runs the trust manager over a chain; null when it trusts the chain.
     *
     * With insecureSkipVerification, self-signed CA certificates the server sent (CA:TRUE,
     * keyCertSign) are trust anchors too, and such a root must still be in its validity
     * window: AWS's documented rule, not JDK behaviour, modelled here as hoplab models it.
     */
    static Answer trust(X509Certificate[] chain, List<X509Certificate> trusted, Case c, TrustCall call) {
        List<X509Certificate> sentRoots = c.skip ? SkipVerification.roots(chain) : new ArrayList<>();
        List<X509Certificate> anchors = new ArrayList<>(trusted);
        anchors.addAll(sentRoots);
        try {
            call.check(trustManager(anchors, c.at));
        } catch (CertificateException e) {
            return Answer.rejected("trust", e.getMessage(), e);
        } catch (RuntimeException e) {
            // The JDK's check threw instead of answering: JSSE ends the handshake with an
            // SSLException around it, whose message is the exception's toString() (measured
            // in handshake mode, which rethrows it inside a real handshake).
            return Answer.rejected("trust", e.toString(), e);
        } catch (Exception e) {
            return Answer.rejected("trust", e.getMessage(), e);
        }
        List<X509Certificate> inWindow = SkipVerification.inWindow(sentRoots, c.at);
        if (inWindow.size() < sentRoots.size()) {
            List<X509Certificate> fewer = new ArrayList<>(trusted);
            fewer.addAll(inWindow);
            try {
                call.check(trustManager(fewer, c.at));
            } catch (Exception e) {
                return Answer.rejected("aws", SENT_ROOT_VALIDITY, e);
            }
        }
        return null;
    }

    /** Apache's DefaultHostnameVerifier, with the text httpasyncclient reports on a mismatch. */
    static Answer hostname(String host, X509Certificate leaf) {
        DefaultHostnameVerifier verifier =
            new DefaultHostnameVerifier(PublicSuffixMatcherLoader.getDefault());
        try {
            verifier.verify(host, leaf);
            return Answer.accepted();
        } catch (SSLException e) {
            return Answer.rejected("hostname", mismatch(host, leaf), e);
        } catch (RuntimeException e) {
            // Apache's verifier can fail on odd names (an index out of range); the client's
            // request then fails with an SSLException around it, whose message is the
            // exception's toString() (measured in handshake mode).
            return Answer.rejected("hostname", e.toString(), e);
        }
    }

    /** SSLIOSessionStrategy.verifySession's message. */
    static String mismatch(String host, X509Certificate leaf) {
        return "Host name '" + host + "' does not match the certificate subject provided by the peer ("
            + leaf.getSubjectX500Principal().toString() + ")";
    }

    /**
     * The PKIX trust manager a JVM client uses, over these anchors. Without a date it is built
     * exactly as a default client builds it (a KeyStore); with one, the same PKIX parameters
     * with the validator's date set (revocation off, as the default trust manager has it).
     */
    static X509ExtendedTrustManager trustManager(List<X509Certificate> anchors, Date at) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < anchors.size(); i++) {
            store.setCertificateEntry("anchor-" + i, anchors.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        if (at == null || anchors.isEmpty()) {
            factory.init(store);
        } else {
            PKIXBuilderParameters params = new PKIXBuilderParameters(store, new X509CertSelector());
            params.setRevocationEnabled(false);
            params.setDate(at);
            factory.init(new CertPathTrustManagerParameters(params));
        }
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) tm;
            }
        }
        throw new IllegalStateException("no X509ExtendedTrustManager from " + CertPathBuilder.getDefaultType());
    }
}
