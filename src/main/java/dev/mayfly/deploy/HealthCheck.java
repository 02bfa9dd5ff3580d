package dev.mayfly.deploy;

import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * "healthy": polls a URL until it answers the expected status (and, when asked, a body containing
 * the expected text) or the deadline passes. One plain HTTP/1.1 GET per probe, no proxy, no
 * redirects followed. Through {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the
 * latter costs a launch ~0.2 s to set up and ~0.3 s more at exit, since its selector thread sits in
 * native code and the JVM waits that long for such threads before it ends.
 */
final class HealthCheck {
  /**
   * The first retry comes soon (a service just started usually listens within tens of ms), then
   * backs off.
   */
  private static final Duration FIRST_POLL = Duration.ofMillis(25);

  /** The longest pause between probes, unless the caller asks for a shorter one. */
  static final Duration POLL = Duration.ofMillis(300);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** For the answer, after connecting. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

  private HealthCheck() {}

  /** Of a body, at most this much is searched for the expected text. */
  private static final int MAX_BODY = 1 << 20;

  /**
   * @param expect text the body must contain, null for any body
   * @param maxPoll the longest pause between probes
   * @return null when healthy, else what the last attempt saw
   */
  static String await(
      String url,
      int expectedStatus,
      String expect,
      Duration deadline,
      Duration maxPoll,
      String name,
      Wait.Watcher watcher)
      throws InterruptedException {
    try (Wait.Watch watch = Wait.watch(name, deadline, watcher)) {
      String failure = poll(url, expectedStatus, expect, deadline, maxPoll, watch);
      if (failure != null) {
        watch.failed(failure);
      }
      return failure;
    }
  }

  private static String poll(
      String url,
      int expectedStatus,
      String expect,
      Duration deadline,
      Duration maxPoll,
      Wait.Watch watch)
      throws InterruptedException {
    Instant end = Instant.now().plus(deadline);
    String last = "no answer";
    URL target;
    try {
      target = new URL(url);
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException(url, e);
    }
    Duration poll = FIRST_POLL.compareTo(maxPoll) > 0 ? maxPoll : FIRST_POLL;
    while (true) {
      try {
        Answer answer = get(target, expect != null);
        if (answer.status == expectedStatus && (expect == null || answer.body.contains(expect))) {
          return null;
        }
        last =
            "HTTP "
                + answer.status
                + (answer.status == expectedStatus ? ", body without '" + expect + "'" : "");
      } catch (IOException e) {
        last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      watch.saw(last);
      if (Instant.now().plus(poll).isAfter(end)) {
        return url
            + " did not answer "
            + expectedStatus
            + (expect == null ? "" : " with '" + expect + "' in the body")
            + " within "
            + deadline.toSeconds()
            + "s (last: "
            + last
            + ")";
      }
      Thread.sleep(poll.toMillis());
      poll = poll.multipliedBy(2).compareTo(maxPoll) > 0 ? maxPoll : poll.multipliedBy(2);
    }
  }

  private record Answer(int status, String body) {}

  /** One GET; the connection is closed after it, so no socket outlives the probe. */
  private static Answer get(URL url, boolean readBody) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
    try {
      connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      connection.setReadTimeout((int) ANSWER_TIMEOUT.toMillis());
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      int status = connection.getResponseCode();
      if (status < 0) {
        throw new IOException("not an HTTP answer");
      }
      String body = "";
      if (readBody) {
        // an error status (4xx, 5xx) carries its body in the error stream, or none
        try (InputStream in =
            status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
          body = in == null ? "" : new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
        }
      }
      return new Answer(status, body);
    } finally {
      connection.disconnect();
    }
  }
}
