package dev.mayfly.provider.metaleuca;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's mark on a Cobbler system it holds: the word {@code
 * mayfly:registry=<id>:<deployment>:<epoch seconds>} in the system's comment, beside the lab's own
 * words ({@code group=web}, notes), which it never changes. Another registry sees the machine in
 * use; {@link CobblerClaims} says how the word is set.
 *
 * @param at when the claim was made; {@link Instant#EPOCH} for a word without a time
 */
public record Claim(String registryId, String deploymentId, Instant at) {
  private static final String PREFIX = "mayfly:registry=";

  /**
   * A claim word with the blanks before it, so removing it gives the comment back as it was before.
   */
  private static final Pattern WORD =
      Pattern.compile("\\s*(?<!\\S)" + Pattern.quote(PREFIX) + "\\S*");

  /**
   * Every claim in a comment, in order; any {@code mayfly:registry=} word counts, even a malformed
   * one.
   */
  static List<Claim> parse(String comment) {
    List<Claim> claims = new ArrayList<>();
    Matcher m = WORD.matcher(comment);
    while (m.find()) {
      claims.add(of(m.group().strip()));
    }
    return claims;
  }

  private static Claim of(String word) {
    String[] parts = word.substring(PREFIX.length()).split(":", 3);
    Instant at =
        parts.length > 2 && parts[2].matches("[0-9]{1,12}")
            ? Instant.ofEpochSecond(Long.parseLong(parts[2]))
            : Instant.EPOCH;
    return new Claim(parts[0], parts.length > 1 ? parts[1] : "", at);
  }

  String word() {
    return PREFIX + registryId + ":" + deploymentId + ":" + at.getEpochSecond();
  }

  boolean isOf(String registry, String deployment) {
    return registryId.equals(registry) && deploymentId.equals(deployment);
  }

  /** {@code comment} with this claim's word appended. */
  String addTo(String comment) {
    return comment.isBlank() ? word() : comment + " " + word();
  }

  /**
   * {@code comment} without the claim words {@code which} accepts; every other word stays as it
   * was.
   */
  static String without(String comment, Predicate<Claim> which) {
    Matcher m = WORD.matcher(comment);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          out, which.test(of(m.group().strip())) ? "" : Matcher.quoteReplacement(m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
