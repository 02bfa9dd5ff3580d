package dev.mayfly.deploy;

import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * "healthy": polls a URL until it answers the expected status (and, when asked, a body containing
 * the expected text) or the deadline passes.
 */
final class HealthCheck {
  /**
   * The first retry comes soon (a service just started usually listens within tens of ms), then
   * backs off.
   */
  private static final Duration FIRST_POLL = Duration.ofMillis(25);

  /** The longest pause between probes, unless the caller asks for a shorter one. */
  static final Duration POLL = Duration.ofMillis(300);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(3))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

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
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    Duration poll = FIRST_POLL.compareTo(maxPoll) > 0 ? maxPoll : FIRST_POLL;
    while (true) {
      try {
        HttpResponse<java.io.InputStream> response =
            CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        String body;
        try (java.io.InputStream in = response.body()) {
          body =
              expect == null
                  ? ""
                  : new String(in.readNBytes(MAX_BODY), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (status == expectedStatus && (expect == null || body.contains(expect))) {
          return null;
        }
        last =
            "HTTP " + status + (status == expectedStatus ? ", body without '" + expect + "'" : "");
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
}
