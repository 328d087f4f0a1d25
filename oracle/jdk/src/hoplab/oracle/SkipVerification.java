package hoplab.oracle;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * tlsConfig.insecureSkipVerification as AWS documents it: a root CA the server presents is
 * trusted when it has CA:TRUE and keyUsage keyCertSign; its expiry is still checked. The JDK
 * has no such mode, so this is the one part of the oracle that encodes hoplab's reading of AWS
 * rather than JVM behaviour.
 */
final class SkipVerification {
    private SkipVerification() {}

    /** Self-signed CA certificates among those sent, with keyCertSign. */
    static List<X509Certificate> roots(X509Certificate[] chain) {
        List<X509Certificate> out = new ArrayList<>();
        for (X509Certificate cert : chain) {
            boolean[] usage = cert.getKeyUsage();
            if (cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                && cert.getBasicConstraints() >= 0
                && usage != null && usage.length > 5 && usage[5]
                && selfSigned(cert)
                && !out.contains(cert)) {
                out.add(cert);
            }
        }
        return out;
    }

    /** Those of `roots` whose validity window holds `at` (the real clock when null). */
    static List<X509Certificate> inWindow(List<X509Certificate> roots, Date at) {
        List<X509Certificate> out = new ArrayList<>();
        for (X509Certificate root : roots) {
            try {
                root.checkValidity(at == null ? new Date() : at);
                out.add(root);
            } catch (CertificateException e) {
                // outside its window: not an anchor AWS accepts
            }
        }
        return out;
    }

    private static boolean selfSigned(X509Certificate cert) {
        try {
            cert.verify(cert.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
