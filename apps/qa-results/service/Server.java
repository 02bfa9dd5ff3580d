// qa-results: renders nightly test runs from a data directory, like Eucalyptus' Open QA.
//
//   java Server.java --port PORT --data DIR [--config FILE] [--bind ADDR]
//
// ADDR is the address to listen on: 127.0.0.1 (the default) for this machine only, 0.0.0.0 for every
// interface. mayfly passes its MAYFLY_BIND, which is loopback on the local target.
//
// DIR holds runs/*.json. It is usually mayfly's data/current symlink, which a sync
// switches atomically to a new release, so DIR is resolved again on every request.
// JDK only: com.sun.net.httpserver plus a small JSON parser at the bottom of this file.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Server {
    static final Pattern RUN_PATH = Pattern.compile("/runs/([A-Za-z0-9][A-Za-z0-9._-]*\\.json)");
    static final long MAX_FILE_BYTES = 8L << 20;

    final Path data;
    final String title;

    Server(Path data, String title) {
        this.data = data;
        this.title = title;
    }

    public static void main(String[] args) throws IOException {
        Integer port = null;
        String data = null, config = null, bind = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) usage("missing value for " + a);
            switch (a) {
                case "--port" -> port = parsePort(args[++i]);
                case "--data" -> data = args[++i];
                case "--config" -> config = args[++i];
                case "--bind" -> bind = args[++i];
                default -> usage("unknown argument: " + a);
            }
        }
        if (port == null || data == null) usage("--port and --data are required");
        String title = config == null ? "QA results" : readTitle(Path.of(config));

        Server app = new Server(Path.of(data), title);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 0);
        http.createContext("/", app::handle);
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
        System.out.println("qa-results listening on " + bind + ":" + port + ", data " + data);
    }

    static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException ignored) {
        }
        usage("bad port: " + s);
        return 0;
    }

    static void usage(String why) {
        System.err.println("error: " + why);
        System.err.println("usage: java Server.java --port PORT --data DIR [--config FILE] [--bind ADDR]");
        System.exit(2);
    }

    /** The title is everything after the first line-leading "title=", up to EOF minus one trailing newline. */
    static String readTitle(Path config) throws IOException {
        String s = Files.readString(config, StandardCharsets.UTF_8);
        int at = s.startsWith("title=") ? 0 : s.indexOf("\ntitle=") + 1;
        if (at == 0 && !s.startsWith("title=")) throw new IOException("no title= line in " + config);
        String t = s.substring(at + "title=".length());
        return t.endsWith("\n") ? t.substring(0, t.length() - 1) : t;
    }

    // ---- HTTP ----

    void handle(HttpExchange ex) {
        try {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain", "method not allowed\n");
                return;
            }
            String path = ex.getRequestURI().getPath(); // decoded, so %2e%2e is seen as ..
            Matcher m = RUN_PATH.matcher(path == null ? "" : path);
            if (path == null) send(ex, 400, "text/plain", "bad request\n");
            else if (path.equals("/healthz")) send(ex, 200, "text/plain", "ok\n");
            else if (path.equals("/")) send(ex, 200, "text/html", index());
            else if (m.matches()) rawRun(ex, m.group(1));
            else send(ex, 404, "text/plain", "not found\n");
        } catch (RuntimeException | IOException e) {
            System.err.println("request failed: " + e);
            try {
                send(ex, 500, "text/plain", "internal error\n");
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        } finally {
            ex.close();
        }
    }

    void rawRun(HttpExchange ex, String name) throws IOException {
        Path runs;
        Path file;
        try {
            runs = data.toRealPath().resolve("runs").toRealPath();
            file = runs.resolve(name).toRealPath();
        } catch (NoSuchFileException e) {
            send(ex, 404, "text/plain", "not found\n");
            return;
        }
        // The name pattern has no '/', but a file in the data repo may be a symlink out of it.
        if (!file.getParent().equals(runs) || !Files.isRegularFile(file) || Files.size(file) > MAX_FILE_BYTES) {
            send(ex, 404, "text/plain", "not found\n");
            return;
        }
        send(ex, 200, "application/json", Files.readAllBytes(file));
    }

    static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        send(ex, code, type + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    // ---- the page ----

    record Run(String file, String suite, String started, Instant at, long passed, long failed, long skipped,
               List<String> failures, String error) {
        boolean readable() { return error == null; }
    }

    String index() throws IOException {
        List<Run> runs = new ArrayList<>();
        String notice = null;
        try {
            Path dir = data.toRealPath().resolve("runs").toRealPath(); // once per request: one release
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) runs.add(load(dir, f));
            }
        } catch (NoSuchFileException e) {
            notice = "No data published yet.";
        }
        // Newest first by start time; unreadable files and runs without a time go last, by name.
        runs.sort(Comparator.comparing((Run r) -> r.at() == null)
                .thenComparing(Run::at, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(Run::file, Comparator.reverseOrder()));

        long passed = 0, failed = 0, skipped = 0, bad = 0;
        StringBuilder rows = new StringBuilder();
        for (Run r : runs) {
            if (!r.readable()) {
                bad++;
                rows.append("<tr class=unreadable><td colspan=6>unreadable: ").append(esc(r.file()))
                        .append(" <small>(").append(esc(r.error())).append(")</small></td></tr>\n");
                continue;
            }
            passed += r.passed();
            failed += r.failed();
            skipped += r.skipped();
            boolean ok = r.failed() == 0;
            rows.append("<tr><td><a href=\"/runs/").append(esc(r.file())).append("\">").append(esc(r.suite()))
                    .append("</a>");
            if (!r.failures().isEmpty()) {
                rows.append("<br><small>failed: ").append(esc(String.join(", ", r.failures()))).append("</small>");
            }
            rows.append("</td><td><time datetime=\"").append(esc(r.started())).append("\">").append(esc(r.started()))
                    .append("</time></td><td class=n>").append(r.passed()).append("</td><td class=n>")
                    .append(r.failed()).append("</td><td class=n>").append(r.skipped()).append("</td><td>")
                    .append(ok ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>")
                    .append("</td></tr>\n");
        }
        String t = esc(title);
        return "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>" + t + "</title>\n"
                + "<style>body{font:15px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right}"
                + ".badge{padding:.1em .5em;border-radius:.3em;color:#fff;font-weight:bold}"
                + ".pass{background:#2a7d2a}.fail{background:#b22}.unreadable{color:#b22}</style></head>\n"
                + "<body><h1>" + t + "</h1>\n"
                + (notice == null ? "" : "<p>" + esc(notice) + "</p>\n")
                + "<p>" + (runs.size() - bad) + " runs: " + passed + " passed, " + failed + " failed, " + skipped
                + " skipped" + (bad == 0 ? "" : "; " + bad + " unreadable") + "</p>\n"
                + "<table><thead><tr><th>suite</th><th>started</th><th>passed</th><th>failed</th><th>skipped</th>"
                + "<th>result</th></tr></thead><tbody>\n" + rows
                + "</tbody><tfoot><tr><th colspan=2>total</th><th class=n>" + passed + "</th><th class=n>" + failed
                + "</th><th class=n>" + skipped + "</th><th></th></tr></tfoot></table></body></html>\n";
    }

    static Run load(Path dir, Path f) {
        String name = f.getFileName().toString();
        try {
            Path real = f.toRealPath();
            if (!real.getParent().equals(dir) || !Files.isRegularFile(real)) throw new IOException("not a file in runs/");
            if (Files.size(real) > MAX_FILE_BYTES) throw new IOException("too large");
            Object doc = new Json(Files.readString(real, StandardCharsets.UTF_8)).parseDocument();
            if (!(doc instanceof Map<?, ?> o)) throw new IOException("not a JSON object");
            String suite = str(o, "suite"), started = str(o, "started");
            Instant at;
            try {
                at = Instant.parse(started);
            } catch (DateTimeParseException e) {
                throw new IOException("started is not an ISO instant");
            }
            List<String> failures = new ArrayList<>();
            if (o.get("cases") instanceof List<?> cases) {
                for (Object c : cases) {
                    if (c instanceof Map<?, ?> cm && "failed".equals(cm.get("status")) && cm.get("name") instanceof String n) {
                        failures.add(n);
                    }
                }
            }
            return new Run(name, suite, started, at, count(o, "passed"), count(o, "failed"), count(o, "skipped"),
                    failures, null);
        } catch (IOException | RuntimeException e) {
            // RuntimeException also covers malformed input (bad UTF-8) raised by the JDK
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Run(name, null, null, null, 0, 0, 0, List.of(), why);
        }
    }

    static String str(Map<?, ?> o, String key) throws IOException {
        if (o.get(key) instanceof String s) return s;
        throw new IOException(key + " is not a string");
    }

    static long count(Map<?, ?> o, String key) throws IOException {
        if (o.get(key) instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())
                && n.doubleValue() < 1e15) {
            return n.longValue();
        }
        throw new IOException(key + " is not a non-negative integer");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    // ---- JSON (RFC 8259): objects -> LinkedHashMap, arrays -> List, numbers -> Long or Double ----

    static final class Json {
        private final String s;
        private int i;
        private int depth;

        Json(String s) {
            this.s = s;
        }

        Object parseDocument() throws IOException {
            Object v = value();
            ws();
            if (i != s.length()) throw err("trailing characters");
            return v;
        }

        private Object value() throws IOException {
            ws();
            if (i >= s.length()) throw err("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw err("unexpected '" + c + "'");
            }
        }

        private Map<String, Object> object() throws IOException {
            enter();
            Map<String, Object> m = new LinkedHashMap<>();
            i++; // {
            ws();
            if (peek('}')) { i++; depth--; return m; }
            while (true) {
                ws();
                if (!peek('"')) throw err("expected a string key");
                String k = string();
                ws();
                expect(':');
                m.put(k, value());
                ws();
                if (peek(',')) { i++; continue; }
                expect('}');
                depth--;
                return m;
            }
        }

        private List<Object> array() throws IOException {
            enter();
            List<Object> a = new ArrayList<>();
            i++; // [
            ws();
            if (peek(']')) { i++; depth--; return a; }
            while (true) {
                a.add(value());
                ws();
                if (peek(',')) { i++; continue; }
                expect(']');
                depth--;
                return a;
            }
        }

        private String string() throws IOException {
            i++; // opening quote
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw err("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c < 0x20) throw err("control character in string");
                if (c != '\\') { b.append(c); continue; }
                if (i >= s.length()) throw err("unterminated escape");
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw err("short \\u escape");
                        int cp = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(i++), 16);
                            if (d < 0) throw err("bad \\u escape");
                            cp = cp * 16 + d;
                        }
                        b.append((char) cp); // surrogate pairs arrive as two escapes and recombine
                    }
                    default -> throw err("bad escape \\" + e);
                }
            }
        }

        private Number number() throws IOException {
            int start = i;
            if (peek('-')) i++;
            if (peek('0')) i++;
            else if (!digits()) throw err("bad number");
            boolean frac = false;
            if (peek('.')) { i++; frac = true; if (!digits()) throw err("bad fraction"); }
            if (peek('e') || peek('E')) {
                i++; frac = true;
                if (peek('+') || peek('-')) i++;
                if (!digits()) throw err("bad exponent");
            }
            String t = s.substring(start, i);
            if (!frac) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException tooBig) {
                    // falls through to double
                }
            }
            return Double.parseDouble(t);
        }

        private boolean digits() {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
            return i > start;
        }

        private Object literal(String word, Object v) throws IOException {
            if (!s.startsWith(word, i)) throw err("bad literal");
            i += word.length();
            return v;
        }

        private void enter() throws IOException {
            if (++depth > 256) throw err("nested too deeply");
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) throws IOException {
            if (!peek(c)) throw err("expected '" + c + "'");
            i++;
        }

        private IOException err(String what) {
            return new IOException("bad JSON at offset " + i + ": " + what);
        }
    }
}
