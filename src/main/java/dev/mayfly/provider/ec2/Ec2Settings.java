package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * An {@code ec2} target's settings, checked before anything is created. Credentials are not among
 * them: they come from the SDK's default chain or the named profile only.
 */
record Ec2Settings(
    String target,
    Region region,
    Optional<URI> endpoint,
    String image,
    String instanceType,
    Optional<String> subnet,
    Optional<String> securityGroup,
    String allowFrom,
    String sshUser,
    Optional<String> profile,
    Path credentialsFile,
    Path configFile,
    String retryMode,
    int maxAttempts,
    Duration apiTimeout,
    Duration poll,
    Duration runningTimeout,
    Duration sshTimeout,
    Duration terminateTimeout,
    Duration failsafeGrace,
    boolean stableAddress) {

  static final Set<String> NAMES =
      new TreeSet<>(
          List.of(
              "region",
              "endpoint",
              "image",
              "instance-type",
              "subnet",
              "security-group",
              "allow-from",
              "ssh-user",
              "profile",
              "credentials-file",
              "config-file",
              "retry-mode",
              "max-attempts",
              "api-timeout",
              "poll",
              "running-timeout",
              "ssh-timeout",
              "terminate-timeout",
              "failsafe-grace",
              "stable-address"));
  private static final Pattern MILLIS = Pattern.compile("([0-9]{1,7})ms");
  private static final Pattern CIDR = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}");

  static Ec2Settings parse(Map<String, String> s) {
    String target = s.getOrDefault("target", "ec2");
    for (String key : s.keySet()) {
      if (!NAMES.contains(key) && !key.equals("target")) {
        throw bad(target, key, "unknown setting (known: " + String.join(", ", NAMES) + ")");
      }
    }
    Optional<URI> endpoint = Optional.ofNullable(s.get("endpoint")).map(e -> endpoint(target, e));
    String regionName = s.get("region");
    if (regionName == null) {
      throw bad(
          target,
          "region",
          "missing (e.g. region: us-east-1; for Eucalyptus the cloud's region name)");
    }
    Region region = Region.of(regionName);
    if (endpoint.isEmpty() && !Region.regions().contains(region)) {
      throw bad(
          target,
          "region",
          "'"
              + regionName
              + "' is not an AWS region (an EC2-compatible cloud needs"
              + " endpoint: or EC2_URL as well)");
    }
    String image = s.get("image");
    if (image == null || image.isBlank()) {
      throw bad(
          target, "image", "missing (the machine image to launch, e.g. ami-0123456789abcdef0)");
    }
    String mode = s.getOrDefault("retry-mode", "adaptive");
    if (!mode.equals("adaptive") && !mode.equals("standard")) {
      throw bad(target, "retry-mode", "'" + mode + "' is not adaptive or standard");
    }
    String allowFrom = s.getOrDefault("allow-from", "0.0.0.0/0");
    if (!CIDR.matcher(allowFrom).matches()) {
      throw bad(
          target, "allow-from", "'" + allowFrom + "' is not an IPv4 CIDR like 203.0.113.0/24");
    }
    int attempts;
    try {
      attempts = Integer.parseInt(s.getOrDefault("max-attempts", "8"));
    } catch (NumberFormatException e) {
      attempts = 0;
    }
    if (attempts < 1 || attempts > 20) {
      throw bad(
          target, "max-attempts", "'" + s.get("max-attempts") + "' is not a number from 1 to 20");
    }
    return new Ec2Settings(
        target,
        region,
        endpoint,
        image,
        s.getOrDefault("instance-type", "t3.micro"),
        Optional.ofNullable(s.get("subnet")),
        Optional.ofNullable(s.get("security-group")),
        allowFrom,
        s.getOrDefault("ssh-user", "ec2-user"),
        Optional.ofNullable(s.get("profile")),
        Path.of(
            s.getOrDefault(
                "credentials-file",
                Path.of(System.getProperty("user.home"), ".aws/credentials").toString())),
        Path.of(
            s.getOrDefault(
                "config-file", Path.of(System.getProperty("user.home"), ".aws/config").toString())),
        mode,
        attempts,
        duration(s, target, "api-timeout", "60s"),
        duration(s, target, "poll", "5s"),
        duration(s, target, "running-timeout", "10m"),
        duration(s, target, "ssh-timeout", "5m"),
        duration(s, target, "terminate-timeout", "10m"),
        duration(s, target, "failsafe-grace", "1h"),
        flag(s, target, "stable-address"));
  }

  /** {@code true} or {@code false}; false when missing. */
  static boolean flag(Map<String, String> s, String target, String key) {
    String text = s.getOrDefault(key, "false").strip();
    if (!text.equals("true") && !text.equals("false")) {
      throw bad(target, key, "'" + text + "' is not true or false");
    }
    return Boolean.parseBoolean(text);
  }

  /** True when the API is an emulator on this machine: the addresses it hands out are made up. */
  boolean localEmulator() {
    return endpoint
        .map(URI::getHost)
        .filter(
            h ->
                h.equals("127.0.0.1")
                    || h.equals("localhost")
                    || h.equals("[::1]")
                    || h.equals("::1"))
        .isPresent();
  }

  String describeEndpoint() {
    return endpoint.map(URI::toString).orElse("EC2 in " + region.id());
  }

  private static URI endpoint(String target, String text) {
    try {
      URI uri = new URI(text.strip());
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw bad(
            target,
            "endpoint",
            "'" + text + "' is not an http(s) URL like https://compute.example:8773/");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw bad(target, "endpoint", "'" + text + "' is not a URL (" + e.getReason() + ")");
    }
  }

  private static Duration duration(
      Map<String, String> s, String target, String key, String fallback) {
    String text = s.getOrDefault(key, fallback).strip();
    var millis = MILLIS.matcher(text);
    if (millis.matches() && Long.parseLong(millis.group(1)) > 0) {
      return Duration.ofMillis(Long.parseLong(millis.group(1)));
    }
    return Durations.parse(text, why -> bad(target, key, why));
  }

  private static MayflyException bad(String target, String key, String why) {
    return MayflyException.badInput("target '" + target + "': " + key + ": " + why);
  }
}
