package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A metaleuca target's settings, checked (their names are {@link MetaleucaProviderFactory}'s {@code
 * settingNames()}, so the targets file refuses others). In the targets file:
 *
 * <pre>
 * targets:
 *   lab:
 *     provider: metaleuca
 *     url: http://cobbler.lab.example/cobbler_api   # or just the host, as Metaleuca took it
 *     user: mayfly
 *     password-env: COBBLER_PASSWORD                # default; or password-file: ~/.config/mayfly/lab.pw (mode 0600)
 *     owner: qa                                      # a pool machine is a system whose owners[0] is this
 *     groups: comment                                # "group=NAME" in the system's comment; or file:/path (IP TAB GROUP)
 *     group: web                                     # default for launch --group
 *     profile: centos7-x86_64                        # default for launch --profile
 *     clean-profile: wipe                            # optional: terminate re-provisions machines with it
 *     ssh-user: root
 *     install-timeout: 60m                           # "installed": netboot_enabled back to false
 *     poll: 10s
 *     call-timeout: 60s                              # one XML-RPC call
 *     claim-settle: 2s                               # wait before re-reading a claim (see CobblerClaims)
 * </pre>
 */
record MetalSettings(
    String target,
    URI url,
    String user,
    Secret password,
    String owner,
    GroupSource groups,
    Optional<String> group,
    Optional<String> profile,
    Optional<String> cleanProfile,
    String sshUser,
    Duration installTimeout,
    Duration poll,
    Duration callTimeout,
    Duration claimSettle) {

  static final String DEFAULT_PASSWORD_ENV = "COBBLER_PASSWORD";

  static MetalSettings parse(String target, Map<String, String> s, Map<String, String> env) {
    String where = "target '" + target + "'";
    String url = required(s, "url", where);
    String user = required(s, "user", where);
    return new MetalSettings(
        target,
        uri(url, where),
        user,
        password(s, env, where),
        s.getOrDefault("owner", "qa"),
        GroupSource.parse(where, s.getOrDefault("groups", "comment"), env),
        optional(s, "group"),
        optional(s, "profile"),
        optional(s, "clean-profile"),
        s.getOrDefault("ssh-user", "root"),
        duration(s, "install-timeout", "60m", where),
        duration(s, "poll", "10s", where),
        duration(s, "call-timeout", "60s", where),
        duration(s, "claim-settle", "2s", where));
  }

  private static String required(Map<String, String> s, String key, String where) {
    String v = s.get(key);
    if (v == null || v.isBlank()) {
      throw MayflyException.badInput(where + ": setting '" + key + "' is missing");
    }
    return v.strip();
  }

  private static Optional<String> optional(Map<String, String> s, String key) {
    return Optional.ofNullable(s.get(key)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static Duration duration(
      Map<String, String> s, String key, String fallback, String where) {
    String text = s.getOrDefault(key, fallback).strip();
    if (text.matches("[0-9]{1,9}ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    return Durations.parse(where + ": " + key, text);
  }

  /** {@code host} or {@code host:port} alone means Metaleuca's {@code http://host/cobbler_api}. */
  private static URI uri(String text, String where) {
    String full = text.contains("://") ? text : "http://" + text + "/cobbler_api";
    try {
      URI uri = new URI(full);
      if (uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new URISyntaxException(full, "needs http(s)://host/path");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw MayflyException.badInput(
          where
              + ": url '"
              + text
              + "' is not an http(s) URL like"
              + " http://cobbler.example/cobbler_api");
    }
  }

  /**
   * From the environment variable {@code password-env} names, or from {@code password-file} (0600
   * only).
   */
  private static Secret password(Map<String, String> s, Map<String, String> env, String where) {
    String file = s.get("password-file");
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file.strip().replaceFirst("^~(?=/)", env.getOrDefault("HOME", "~")));
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        if (perms.stream()
            .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
          throw MayflyException.badInput(
              where
                  + ": password-file "
                  + path
                  + " must be readable by its owner only"
                  + " (chmod 600 "
                  + path
                  + ")");
        }
        return new Secret(Files.readString(path).strip());
      } catch (IOException e) {
        throw MayflyException.badInput(
            where + ": password-file " + path + " cannot be read: " + e.getClass().getSimpleName());
      }
    }
    String var = s.getOrDefault("password-env", DEFAULT_PASSWORD_ENV).strip();
    String value = env.get(var);
    if (value == null || value.isEmpty()) {
      throw MayflyException.badInput(
          where
              + ": the Cobbler password is not set: export "
              + var
              + " or give password-file: (mode 0600)");
    }
    return new Secret(value);
  }

  /** The pool name for a target's {@code url} setting, as {@link #pool()} gives it. */
  static String poolOf(String target, String url) {
    return uri(url.strip(), "target '" + target + "'").toString();
  }

  /** The reservation pool: one per Cobbler server, whatever the target is called. */
  String pool() {
    return url.toString();
  }
}
