package dev.mayfly.deploy;

import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Durations;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Expiry notices: an event in the history and, when configured, a webhook POST. */
final class Notices {
  private final Registry registry;
  private final Clock clock;
  private final Optional<Webhook> webhook;

  /**
   * @param webhook where expiry notices are POSTed, or null for none
   * @param webhookTimeout the bound on one webhook call
   */
  Notices(Registry registry, Clock clock, URI webhook, Duration webhookTimeout) {
    this.registry = registry;
    this.clock = clock;
    this.webhook = Optional.ofNullable(webhook).map(url -> new Webhook(url, webhookTimeout));
  }

  /**
   * @see Upkeep#notice
   */
  boolean notice(String id, Duration lead, Instant forExpiry) {
    Optional<DeploymentRow> d = registry.find(id);
    Instant now = clock.instant();
    if (d.isEmpty()
        || !Upkeep.live(d.get().state())
        || !d.get().expiresAt().equals(Optional.of(forExpiry))
        || !forExpiry.isAfter(now)
        || !registry.claimNotice(id, forExpiry, lead)) {
      return false;
    }
    Duration left = Duration.between(now, forExpiry);
    String text =
        "expires in "
            + Durations.human(left)
            + " at "
            + forExpiry
            + " (`mayfly extend "
            + id
            + " --by 7d` keeps it)";
    registry.event(id, null, "expiry-notice", text);
    webhook.ifPresent(
        hook -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("event", "expiry-notice");
          body.put("deployment", id);
          body.put("template", d.get().template());
          body.put("url", d.get().url().orElse(null));
          body.put("expiresAt", forExpiry.toString());
          body.put("secondsLeft", left.toSeconds());
          body.put("text", id + " " + text);
          String failure = hook.post(body);
          registry.event(
              id,
              null,
              failure == null ? "webhook" : "webhook-failed",
              failure == null ? "expiry notice delivered" : failure);
        });
    return true;
  }
}
