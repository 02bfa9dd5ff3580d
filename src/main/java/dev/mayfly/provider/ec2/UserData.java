package dev.mayfly.provider.ec2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;

/** The user data that arms the fail-safe on first boot: user-data.sh with mayfly-failsafe.sh inside it. */
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
        .replace("@ARM@", expiresAt == null ? "disarm"
            : "arm " + expiresAt.getEpochSecond() + " " + grace.toSeconds())
        .replace("@GRACE_SECONDS@", Long.toString(grace.toSeconds()))
        .replace("@SCRIPT@", script());
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
