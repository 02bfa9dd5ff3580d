package dev.mayfly.template;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a {@code repo:} value reads, decided as git decides it (a colon before any slash makes an
 * scp-like {@code [user@]host:path}), so the template check, pinning on the controller and the
 * host's own fetch never disagree about what is remote.
 */
public final class GitUrl {
  /** A URL with a scheme, git's scp-like short form, or a local path. */
  public enum Kind {
    URL,
    SCP_LIKE,
    PATH
  }

  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*");
  private static final Set<String> SCHEMES =
      Set.of("https", "http", "ssh", "git", "file", "git+ssh", "ssh+git");
  private static final Pattern SCP =
      Pattern.compile("([A-Za-z0-9._-]+@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\S+");

  private GitUrl() {}

  /**
   * @throws IllegalArgumentException with the reason, for a scheme git does not fetch over here or
   *     a value git would read as scp-like that names no host or path
   */
  public static Kind kind(String text) {
    Matcher scheme = SCHEME.matcher(text);
    if (scheme.matches()) {
      String name = scheme.group(1).toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(name)) {
        throw new IllegalArgumentException(
            "'" + name + "://' is not a scheme git fetches here (https, http, ssh, git, file)");
      }
      return Kind.URL;
    }
    int colon = text.indexOf(':');
    int slash = text.indexOf('/');
    if (colon < 0 || (slash >= 0 && slash < colon)) {
      return Kind.PATH;
    }
    if (!SCP.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' reads as git's scp-like [user@]host:path but names no host or path;"
              + " write ./"
              + text
              + " for a local folder");
    }
    return Kind.SCP_LIKE;
  }

  /** True for a value git fetches over the network (a URL or scp-like), false for a path. */
  public static boolean remote(String text) {
    try {
      return kind(text) != Kind.PATH;
    } catch (IllegalArgumentException e) {
      return true; // not a path either; whoever uses it reports the reason
    }
  }
}
