package hoplab.oracle;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.http.util.VersionInfo;

/**
 * hoplab's JDK oracle: what a JVM HTTPS client (OpenJDK's PKIX trust manager, then Apache
 * HttpClient's host name verifier) concludes about a certificate chain.
 *
 * <pre>
 * oracle batch      JSON lines in (one case each), JSON lines out (one answer each)
 * oracle handshake  the same, each case judged by a real handshake with HttpAsyncClient
 * oracle cacerts F  writes a JKS keystore F holding the base64 DER certificates read from
 *                   standard input under "[jdk]" aliases, for a JDK overlay's lib/security
 * oracle version    the JDK's and HttpClient's versions, and this JVM's java.home
 * </pre>
 */
public final class Oracle {
    private Oracle() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "batch":
                lines(false);
                break;
            case "handshake":
                lines(true);
                break;
            case "cacerts":
                if (args.length != 2) {
                    usage();
                }
                cacerts(args[1]);
                break;
            case "version":
                System.out.println(Json.write(version()));
                break;
            default:
                usage();
        }
    }

    private static void usage() {
        System.err.println("usage: oracle batch | handshake | cacerts FILE | version");
        System.exit(2);
    }

    private static void lines(boolean handshake) throws Exception {
        // The caller checks that the JVM runs from the JDK overlay it prepared.
        System.err.println("oracle: java.home=" + System.getProperty("java.home"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String id = null;
            Map<String, Object> extra = new LinkedHashMap<>();
            Answer answer;
            try {
                Case c = Case.parse(line);
                id = c.id;
                answer = handshake ? Handshake.run(c, extra) : Judge.judge(c);
            } catch (Throwable t) {
                answer = new Answer(Answer.ERROR, t.toString(), null, Answer.describe(t));
            }
            out.write(answer.toJson(id, extra));
            out.write('\n');
            if (handshake) {
                out.flush();
            }
        }
        out.flush();
    }

    private static void cacerts(String file) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        List<byte[]> ders = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isBlank()) {
                ders.add(Base64.getDecoder().decode(line.trim()));
            }
        }
        KeyStore store = KeyStore.getInstance("JKS");
        store.load(null, null);
        int n = 0;
        for (byte[] der : ders) {
            X509Certificate cert;
            try {
                cert = Judge.parse(Collections.singletonList(der)).get(0);
            } catch (Exception e) {
                continue; // no JVM trust store can hold it
            }
            if (store.getCertificateAlias(cert) == null) {
                store.setCertificateEntry("hoplab" + n++ + " [jdk]", cert);
            }
        }
        try (FileOutputStream fos = new FileOutputStream(file)) {
            store.store(fos, "changeit".toCharArray());
        }
        System.out.println(n);
    }

    private static Map<String, Object> version() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("java_version", System.getProperty("java.version"));
        out.put("java_runtime", System.getProperty("java.runtime.version"));
        out.put("java_vendor", System.getProperty("java.vendor"));
        out.put("java_home", System.getProperty("java.home"));
        out.put("httpclient", release("org.apache.http.client"));
        out.put("httpasyncclient", release("org.apache.http.nio.client"));
        out.put("httpcore", release("org.apache.http"));
        return out;
    }

    private static String release(String pkg) {
        VersionInfo info = VersionInfo.loadVersionInfo(pkg, Oracle.class.getClassLoader());
        return info == null ? null : info.getRelease();
    }
}
