package dev.mayfly.provider.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mayfly.bench.MotoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of moto that answers chosen EC2 actions with an EC2 error,
 * the way AWS does when an account hits a limit or is throttled (moto itself never does either), or
 * passes them to moto and then loses the answer, as a network does. Everything else is passed
 * through unchanged. {@link #eucalyptus} makes it a Eucalyptus front end instead: EC2 only under
 * {@code /services/compute}, 404 elsewhere, region {@code eucalyptus}.
 */
final class FaultProxy implements AutoCloseable {
  private final HttpServer server;
  private final String upstream;
  private final String prefix;
  private final String region;
  private final List<String> paths = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();
  private final List<Map<String, String>> seen = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final CountDownLatch released = new CountDownLatch(1);

  /**
   * @param times how many requests get the error before they pass again; -1 for all
   * @param status the error's HTTP status; 0 closes the connection without any answer
   * @param forwarded the request reaches moto first: the cloud did it, and only its answer is lost
   */
  record Fault(int times, int status, String code, String message, boolean forwarded) {
    Fault(int times, int status, String code, String message) {
      this(times, status, code, message, false);
    }

    /** Done at moto, then the connection drops before the answer. */
    static Fault answerDropped(int times) {
      return new Fault(times, 0, "", "", true);
    }

    /** Done at moto, then answered with an internal error instead. */
    static Fault doneButAnswered500(int times) {
      return new Fault(times, 500, "InternalError", "An internal error has occurred", true);
    }
  }

  FaultProxy(String upstream) {
    this(upstream, "", null);
  }

  /**
   * Answers only under {@link #EUCALYPTUS_PATH}, as Eucalyptus does, and only requests signed for
   * region {@code eucalyptus}, which moto (one of AWS's regions only) then serves as its own.
   */
  static FaultProxy eucalyptus(String upstream) {
    return new FaultProxy(upstream, EUCALYPTUS_PATH, "eucalyptus");
  }

  static final String EUCALYPTUS_PATH = "/services/compute";

  private FaultProxy(String upstream, String prefix, String region) {
    this.prefix = prefix;
    this.region = region;
    this.upstream =
        upstream.endsWith("/") ? upstream.substring(0, upstream.length() - 1) : upstream;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    // a held answer must not stop the requests behind it
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + prefix + "/";
  }

  /** The request path of everything received, answered or not. */
  List<String> paths() {
    synchronized (paths) {
      return List.copyOf(paths);
    }
  }

  FaultProxy fail(String action, Fault fault) {
    counters.remove(action);
    faults.put(action, fault);
    return this;
  }

  /** The action passes unchanged again. */
  FaultProxy heal(String action) {
    faults.remove(action);
    return this;
  }

  /**
   * Passes {@code action} to moto but keeps its answer until {@link #close}: the call happened,
   * nobody hears.
   */
  FaultProxy hold(String action) {
    held.add(action);
    return this;
  }

  /** The form fields of every request seen with this action, in order. */
  List<Map<String, String>> requests(String action) {
    synchronized (seen) {
      return seen.stream().filter(r -> action.equals(r.get("Action"))).toList();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getRawPath();
    paths.add(path);
    if (!path.equals(prefix) && !path.startsWith(prefix + "/")) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    String signature = exchange.getRequestHeaders().getFirst("Authorization");
    if (region != null && (signature == null || !signature.contains("/" + region + "/ec2/"))) {
      exchange.sendResponseHeaders(403, -1); // signed for another region
      exchange.close();
      return;
    }
    Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
    seen.add(form);
    String action = form.getOrDefault("Action", "");
    Fault fault = faults.get(action);
    if (fault != null) {
      boolean applies;
      synchronized (fault) {
        applies = fault.times() < 0 || counter(action).getAndIncrement() < fault.times();
      }
      if (applies) {
        if (fault.forwarded()) {
          relay(exchange, body);
        }
        if (fault.status() == 0) {
          exchange
              .close(); // before any response header: the connection closes with no answer at all
          return;
        }
        byte[] xml =
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
                    + fault.code()
                    + "</Code><Message>"
                    + fault.message()
                    + "</Message></Error></Errors><RequestID>fault-proxy</RequestID>"
                    + "</Response>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(fault.status(), xml.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(xml);
        }
        return;
      }
    }
    Answer answer = relay(exchange, body);
    if (answer.type() != null) {
      exchange.getResponseHeaders().set("Content-Type", answer.type());
    }
    exchange.sendResponseHeaders(
        answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer.body());
    }
  }

  private record Answer(int status, String type, byte[] body) {}

  private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

  private AtomicInteger counter(String action) {
    return counters.computeIfAbsent(action, k -> new AtomicInteger());
  }

  /** Sends the request on to moto and reads its answer. */
  private Answer relay(HttpExchange exchange, byte[] body) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create(upstream + exchange.getRequestURI().toString().substring(prefix.length()))
                .toURL()
                .openConnection();
    c.setRequestMethod(exchange.getRequestMethod());
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> c.addRequestProperty(name, asMotoRegion(name, v)));
              }
            });
    if (body.length > 0) {
      c.setDoOutput(true);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
    }
    int status = c.getResponseCode();
    byte[] answer;
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
      answer = in == null ? new byte[0] : in.readAllBytes();
    }
    return new Answer(status, c.getContentType(), answer);
  }

  /**
   * The credential scope names moto's region instead of this cloud's (moto checks no signature).
   */
  private String asMotoRegion(String header, String value) {
    if (region == null || !header.equalsIgnoreCase("Authorization")) {
      return value;
    }
    return value.replace("/" + region + "/ec2/", "/" + MotoServer.REGION + "/ec2/");
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}
