package dev.mayfly.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which folders a deployment root may be. Terminate removes the root, so it must be a folder of its
 * own, written plainly: {@code ~/…} or an absolute path at least two folders deep, with no {@code
 * .}, {@code ..} or empty segment. Where it may be is the target's choice: below {@link
 * #DEFAULT_PREFIXES} or a prefix the target adds ({@code root-prefixes}).
 */
public final class RootPolicy {
  /** Where any target lets a root be: {@code /opt}, {@code /srv} and the login's home. */
  public static final List<String> DEFAULT_PREFIXES = List.of("/opt", "/srv", "~");

  private static final String EXAMPLE = "like /opt/open-qa";

  private RootPolicy() {}

  /** A root as a template writes it, without trailing slashes. */
  static String trimmed(String root) {
    return root.replaceAll("(.)/+$", "$1");
  }

  /**
   * Why {@code root} (trimmed) cannot be a deployment root anywhere, or empty when its shape is
   * fine.
   */
  static Optional<String> problem(String root) {
    boolean home = root.startsWith("~/");
    if (!(home || root.startsWith("/")) || !root.matches("[^\\s\\p{Cntrl}]+") || root.equals("/")) {
      return Optional.of("must be an absolute path (or start with ~/) naming a folder, " + EXAMPLE);
    }
    Optional<String> segments = segmentProblem(root);
    if (segments.isPresent()) {
      return segments;
    }
    if (!home && root.indexOf('/', 1) < 0) {
      return Optional.of(
          "is a top-level folder, which terminate would remove; use a folder of its own below "
              + String.join(", ", DEFAULT_PREFIXES)
              + ", "
              + EXAMPLE);
    }
    return Optional.empty();
  }

  /** Why {@code prefix} cannot be a target's root prefix, or empty when it can. */
  public static Optional<String> prefixProblem(String given) {
    String prefix = trimmed(given);
    if (!prefix.startsWith("/") || !prefix.matches("[^\\s\\p{Cntrl}]+") || prefix.equals("/")) {
      return Optional.of("must be an absolute path naming a folder other than /, like /data");
    }
    return segmentProblem(prefix);
  }

  /**
   * Whether {@code root} lies strictly below one of {@code prefixes}: a shape-checked root and
   * prefixes, so comparing text is comparing folders.
   */
  public static boolean allowed(String root, List<String> prefixes) {
    return prefixes.stream().anyMatch(p -> root.startsWith(p + "/"));
  }

  /** The prefixes a target with these extra ones allows, defaults first. */
  public static List<String> withDefaults(List<String> extra) {
    List<String> all = new ArrayList<>(DEFAULT_PREFIXES);
    extra.stream().map(RootPolicy::trimmed).filter(p -> !all.contains(p)).forEach(all::add);
    return List.copyOf(all);
  }

  private static Optional<String> segmentProblem(String path) {
    String rest = path.substring(path.startsWith("~/") ? 2 : 1);
    for (String segment : rest.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("has an empty segment (//); write the folder plainly, " + EXAMPLE);
      }
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("has a '" + segment + "' segment; write the folder plainly, " + EXAMPLE);
      }
    }
    return Optional.empty();
  }
}
