package hoplab.oracle;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** One chain to judge, as one JSON line gives it. */
final class Case {
    /** Echoed back so answers can be matched to questions. */
    final String id;
    /** The certificates the server sends, leaf first, DER. */
    final List<byte[]> chain;
    /** The certificates API Gateway trusts, DER. */
    final List<byte[]> trusted;
    /** The integration URI host the leaf must name. */
    final String host;
    /** The validator's date, or null for the real clock. */
    final Date at;
    /** tlsConfig.insecureSkipVerification. */
    final boolean skip;
    /** Handshake mode: the loopback port a server serving the chain listens on. */
    final int port;

    private Case(Map<String, Object> json) {
        id = String.valueOf(json.get("id"));
        chain = ders(json.get("chain"));
        trusted = ders(json.get("trusted"));
        host = (String) json.get("host");
        Object seconds = json.get("at");
        at = seconds == null ? null : new Date(((Number) seconds).longValue() * 1000L);
        skip = Boolean.TRUE.equals(json.get("skip"));
        Object p = json.get("port");
        port = p == null ? 0 : ((Number) p).intValue();
        if (host == null) {
            throw new IllegalArgumentException("case " + id + ": no host");
        }
    }

    @SuppressWarnings("unchecked")
    static Case parse(String line) {
        Object json = Json.parse(line);
        if (!(json instanceof Map)) {
            throw new IllegalArgumentException("a case is a JSON object");
        }
        return new Case((Map<String, Object>) json);
    }

    private static List<byte[]> ders(Object list) {
        List<byte[]> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (Object item : (List<?>) list) {
            out.add(Base64.getDecoder().decode((String) item));
        }
        return out;
    }
}
