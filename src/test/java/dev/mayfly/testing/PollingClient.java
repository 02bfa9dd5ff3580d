package dev.mayfly.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A client that asks a URL every {@code every} while something happens to the service behind it,
 * and says what it saw: old answers, failed requests, new answers, in order.
 */
public final class PollingClient implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** What one request saw: "old", "new", or "failed". */
  public record Seen(long atNanos, String what) {}

  private final List<Seen> seen = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  public PollingClient(String url, Duration every, Predicate<String> isNew) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
    thread =
        new Thread(
            () -> {
              while (running) {
                String what;
                try {
                  HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                  what = r.statusCode() != 200 ? "failed" : isNew.test(r.body()) ? "new" : "old";
                } catch (IOException e) {
                  what = "failed";
                } catch (InterruptedException e) {
                  return;
                }
                synchronized (seen) {
                  seen.add(new Seen(System.nanoTime(), what));
                }
                try {
                  Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "polling-client");
    thread.setDaemon(true);
    thread.start();
  }

  public List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** The answers in order with repeats folded: {@code [old, failed, new]} for a clean switch. */
  public List<String> phases() {
    List<String> phases = new ArrayList<>();
    for (Seen s : seen()) {
      if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(s.what())) {
        phases.add(s.what());
      }
    }
    return phases;
  }

  public long failed() {
    return seen().stream().filter(s -> s.what().equals("failed")).count();
  }

  /** From the first failed request to the first new answer; 0 without a failure. */
  public long gapMillis() {
    List<Seen> all = seen();
    Long firstFail = null;
    for (Seen s : all) {
      if (firstFail == null && s.what().equals("failed")) {
        firstFail = s.atNanos();
      }
      if (firstFail != null && s.what().equals("new")) {
        return (s.atNanos() - firstFail) / 1_000_000;
      }
    }
    return 0;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5000);
  }
}
