package dev.mayfly.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions, in memory: a login with the token makes one (its id in an HttpOnly,
 * SameSite=Strict cookie) with its own CSRF token for forms. A session lasts 12 hours, and ends
 * early when the token it was made under is rotated or the daemon restarts.
 */
final class Sessions {
  static final String COOKIE = "mayfly_session";
  static final Duration LIFETIME = Duration.ofHours(12);
  private static final int MAX = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  record Session(String id, String csrf, String tokenFingerprint, Instant expires) {
    boolean csrfMatches(String given) {
      return given != null
          && MessageDigest.isEqual(
              csrf.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, String> notices = new ConcurrentHashMap<>();
  private final AccessToken token;
  private final Clock clock;

  Sessions(AccessToken token, Clock clock) {
    this.token = token;
    this.clock = clock;
  }

  Session create() {
    Instant now = clock.instant();
    if (sessions.size() >= MAX) {
      sessions.values().removeIf(s -> !s.expires().isAfter(now));
      // still full: the oldest go, so a flood of logins cannot grow memory
      Iterator<Session> oldest =
          sessions.values().stream()
              .sorted((a, b) -> a.expires().compareTo(b.expires()))
              .iterator();
      while (sessions.size() >= MAX && oldest.hasNext()) {
        sessions.remove(oldest.next().id());
      }
    }
    Session s = new Session(random(), random(), token.fingerprint(), now.plus(LIFETIME));
    sessions.put(s.id(), s);
    return s;
  }

  Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (!s.expires().isAfter(clock.instant())
        || !s.tokenFingerprint().equals(token.fingerprint())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  void end(String id) {
    if (id != null) {
      sessions.remove(id);
      notices.remove(id);
    }
  }

  /** A line the next page of this session shows once (what an action did). */
  void notice(String id, String text) {
    notices.put(id, text);
  }

  String takeNotice(String id) {
    return notices.remove(id);
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
