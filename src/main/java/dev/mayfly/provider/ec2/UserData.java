package dev.mayfly.provider.ec2;

import dev.mayfly.template.ShellQuote;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The fail-safe's scripts for the host: the user data that arms it on first boot (user-data.sh with
 * mayfly-failsafe.sh inside it), and the command that re-arms it (mayfly-rearm.sh).
 */
final class UserData {
  private static final Pattern SAFE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private UserData() {}

  static String script() {
    return resource("mayfly-failsafe.sh");
  }

  /**
   * The rendered script; every value put in is a checked id or a number, so nothing needs quoting.
   *
   * @param expiresAt null for a deployment that never expires: the fail-safe is installed disarmed
   */
  static String render(String deploymentId, Instant expiresAt, Duration grace) {
    if (!SAFE_ID.matcher(deploymentId).matches()) {
      throw new IllegalArgumentException("deployment id " + deploymentId);
    }
    return resource("user-data.sh")
        .replace("@DEPLOYMENT@", deploymentId)
        .replace("@EXPIRES_AT@", expiresAt == null ? "never" : expiresAt.toString())
        .replace(
            "@ARM@",
            expiresAt == null
                ? "disarm"
                : "arm " + expiresAt.getEpochSecond() + " " + grace.toSeconds())
        .replace("@GRACE_SECONDS@", Long.toString(grace.toSeconds()))
        .replace("@SCRIPT@", script());
  }

  /**
   * The command {@code mayfly extend} runs on an instance: mayfly-rearm.sh, given the fail-safe's
   * arguments.
   *
   * @param expiresAt null for a deployment extended to never end: the fail-safe is disarmed
   */
  static String rearm(Instant expiresAt, Duration grace) {
    List<String> words =
        new ArrayList<>(List.of("sh", "-c", resource("mayfly-rearm.sh"), "mayfly-rearm"));
    words.addAll(
        expiresAt == null
            ? List.of("disarm")
            : List.of(
                "arm",
                Long.toString(expiresAt.getEpochSecond()),
                Long.toString(grace.toSeconds())));
    return ShellQuote.join(words);
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String resource(String name) {
    try (InputStream in = UserData.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
