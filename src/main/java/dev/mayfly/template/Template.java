package dev.mayfly.template;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * A launchable service as written in {@code templates/<name>.yaml}, already validated.
 *
 * @param file the YAML file it came from; relative repo paths were resolved against its folder
 * @param params in file order
 * @param ports name to port number, in file order; the first one is the one {@code health} probes
 * @param root where the deployment lives on a host; empty means {@code ~/.mayfly/<deployment>}
 * @param sync empty when the template does not sync
 * @param git how hosts get the repos: fetch themselves ({@code pull}), receive a bundle ({@code
 *     push}), or pull when they can and push otherwise ({@code auto}, the default)
 * @param bind the address services listen on ({@code MAYFLY_BIND} on hosts); empty means loopback
 *     on the local target and every interface elsewhere
 * @param recycleEvery {@code recycle: {every: 30d}}: the daemon replaces hosts older than this;
 *     empty when the template asks for no recycling ({@code never} or no section)
 * @param urlPath what {@code url.path} asks launch to print after the host and port ({@code /})
 * @param env {@code env:} names to values as written, placeholders not yet filled; go into {@code
 *     mayfly.env}
 * @param files {@code files:} paths inside a service release to their text, placeholders not yet
 *     filled
 * @param stableAddress {@code stable-address: true}: hosts keep one address across recycles where
 *     the provider can (an Elastic IP on {@code ec2})
 */
public record Template(
    String name,
    String description,
    Path file,
    Service service,
    Data data,
    Map<String, Param> params,
    Map<String, Integer> ports,
    Health health,
    Duration lifetime,
    Optional<Sync> sync,
    Optional<String> root,
    GitMode git,
    Optional<String> bind,
    Optional<java.time.Duration> recycleEvery,
    String urlPath,
    Map<String, String> env,
    Map<String, String> files,
    boolean stableAddress) {

  /** How a host gets a repo's pinned commit. */
  public enum GitMode {
    /** the host fetches from the repo itself (shallow where the server allows it) */
    PULL,
    /** mayfly builds a git bundle here, uploads it, and the host fetches from the file */
    PUSH,
    /** pull when the host can reach the repo, else push */
    AUTO;

    /** Parses {@code pull|push|auto}; null when the text is none of them. */
    public static GitMode parse(String text) {
      for (GitMode mode : values()) {
        if (mode.name().equalsIgnoreCase(text)) {
          return mode;
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Where a repo lives: a git URL, or a local path (a git repo or a plain directory to snapshot).
   */
  public record Repo(String url, Optional<Path> localPath) {
    public boolean isLocal() {
      return localPath.isPresent();
    }

    @Override
    public String toString() {
      return localPath.map(Path::toString).orElse(url);
    }
  }

  /**
   * @param install shell command run in {@code service/}; placeholders already checked
   * @param start optional shell command that runs the service in the foreground, run detached by
   *     mayfly
   * @param serve the folder of a release the service serves ({@code MAYFLY_SERVE}), empty for the
   *     release itself
   * @param keep how many service releases stay on the host (at least 2: the live one and the one
   *     before, for rollback)
   */
  public record Service(
      Repo repo,
      String ref,
      String install,
      Optional<String> start,
      Optional<String> serve,
      int keep) {}

  /**
   * @param publish optional shell command run inside a new release directory before it goes live
   * @param keep how many releases stay on the host (at least 1)
   */
  public record Data(Repo repo, String ref, Optional<String> publish, int keep) {}

  public record Param(
      String name,
      boolean required,
      Optional<String> defaultValue,
      boolean secret,
      Optional<java.util.regex.Pattern> pattern,
      String description) {}

  /**
   * @param port name of the entry in {@code ports} to probe
   * @param status the HTTP status that means healthy
   * @param expect text the body must contain, empty for any body
   */
  public record Health(
      String path, String port, int status, Duration deadline, Optional<String> expect) {}

  /**
   * @param cron Unix 5-field cron or macro, validated
   * @param timezone {@code sync.timezone}, else {@link SyncCron#DEFAULT_ZONE}
   */
  public record Sync(String cron, ZoneId timezone) {
    /** On the default zone. */
    public Sync(String cron) {
      this(cron, SyncCron.DEFAULT_ZONE);
    }
  }
}
