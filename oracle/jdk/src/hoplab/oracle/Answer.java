package hoplab.oracle;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JVM client's conclusion about one case, written back as one JSON line. */
final class Answer {
    /** The handshake completed and the host name matched. */
    static final String ACCEPTED = "accepted";
    /** The client refused the chain; `message` is what it reported. */
    static final String REJECTED = "rejected";
    /** A trusted certificate cannot be parsed, so no JVM trust store can hold it. */
    static final String UNUSABLE_TRUST = "unusable_trust";
    /** The oracle itself failed (a bug or a bad case): never a verdict. */
    static final String ERROR = "error";

    final String verdict;
    /** The exception message the client reports (without a TLS alert prefix). */
    final String message;
    /** Which step decided: parse, trust, hostname, aws, trust_store. */
    final String stage;
    /** The whole exception chain, for a person reading a failure. */
    final String detail;
    /**
     * When the JVM's answer varies from run to run (trust anchors tried in hash order), every
     * trust-step answer seen: a message, or "" for a trusted chain.
     */
    java.util.List<String> alternatives;
    /**
     * The exception that decided, when a check threw: handshake mode rethrows it inside the
     * handshake so JSSE and the HTTP client report it as they would.
     */
    transient Throwable thrown;

    Answer(String verdict, String message, String stage, String detail) {
        this.verdict = verdict;
        this.message = message;
        this.stage = stage;
        this.detail = detail;
    }

    static Answer accepted() {
        return new Answer(ACCEPTED, null, null, null);
    }

    static Answer rejected(String stage, String message, Throwable cause) {
        Answer answer = new Answer(REJECTED, message, stage, describe(cause));
        answer.thrown = cause;
        return answer;
    }

    String toJson(String id, Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("verdict", verdict);
        out.put("message", message);
        out.put("stage", stage);
        out.put("detail", detail);
        if (alternatives != null) {
            out.put("alternatives", new java.util.ArrayList<Object>(alternatives));
        }
        if (extra != null) {
            out.putAll(extra);
        }
        return Json.write(out);
    }

    /** "Class: message" for the exception and each of its causes. */
    static String describe(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (out.length() > 0) {
                out.append(" <- ");
            }
            out.append(e.getClass().getName()).append(": ").append(e.getMessage());
            if (e.getCause() == e) {
                break;
            }
        }
        return out.toString();
    }
}
