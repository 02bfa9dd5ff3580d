package dev.mayfly.deploy;

import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** "healthy": polls a URL until it answers the expected status or the deadline passes. */
final class HealthCheck {
  /**
   * The first retry comes soon (a service just started usually listens within tens of ms), then
   * backs off.
   */
  private static final Duration FIRST_POLL = Duration.ofMillis(25);

  private static final Duration POLL = Duration.ofMillis(300);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(3))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private HealthCheck() {}

  /**
   * @return null when healthy, else what the last attempt saw
   */
  static String await(
      String url, int expectedStatus, Duration deadline, String name, Wait.Watcher watcher)
      throws InterruptedException {
    try (Wait.Watch watch = Wait.watch(name, deadline, watcher)) {
      String failure = poll(url, expectedStatus, deadline, watch);
      if (failure != null) {
        watch.failed(failure);
      }
      return failure;
    }
  }

  private static String poll(String url, int expectedStatus, Duration deadline, Wait.Watch watch)
      throws InterruptedException {
    Instant end = Instant.now().plus(deadline);
    String last = "no answer";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    Duration poll = FIRST_POLL;
    while (true) {
      try {
        int status = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == expectedStatus) {
          return null;
        }
        last = "HTTP " + status;
      } catch (IOException e) {
        last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      watch.saw(last);
      if (Instant.now().plus(poll).isAfter(end)) {
        return url
            + " did not answer "
            + expectedStatus
            + " within "
            + deadline.toSeconds()
            + "s (last: "
            + last
            + ")";
      }
      Thread.sleep(poll.toMillis());
      poll = poll.multipliedBy(2).compareTo(POLL) > 0 ? POLL : poll.multipliedBy(2);
    }
  }
}
