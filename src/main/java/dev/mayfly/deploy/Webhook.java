package dev.mayfly.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs a JSON object to a configured URL. Its messages name the URL's host only: the path or query
 * of a webhook URL often is its secret.
 */
final class Webhook {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI url;
  private final Duration timeout;
  private final HttpClient client;

  Webhook(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * @return null when the receiver answered 2xx, else why not, fit to record
   */
  String post(Map<String, Object> body) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(url)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build();
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status / 100 == 2 ? null : "webhook at " + url.getHost() + " answered HTTP " + status;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      return "webhook at "
          + url.getHost()
          + " unreachable within "
          + timeout.toSeconds()
          + "s: "
          + e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "webhook at " + url.getHost() + ": interrupted";
    }
  }
}
