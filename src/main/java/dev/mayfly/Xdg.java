package dev.mayfly;

import java.nio.file.Path;
import java.util.Map;

/** Where mayfly keeps its files: the XDG base directories, under mayfly's own override. */
public final class Xdg {
  private Xdg() {}

  /**
   * The state folder (registry, sandboxes, snapshots, logs): $MAYFLY_HOME, else
   * $XDG_DATA_HOME/mayfly.
   */
  public static Path stateDir(Map<String, String> env) {
    String home = env.get("MAYFLY_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return base(env, "XDG_DATA_HOME", ".local/share").resolve("mayfly");
  }

  /**
   * The config folder (targets file, templates): $XDG_CONFIG_HOME/mayfly, else ~/.config/mayfly.
   */
  public static Path configDir(Map<String, String> env) {
    return base(env, "XDG_CONFIG_HOME", ".config").resolve("mayfly");
  }

  private static Path base(Map<String, String> env, String variable, String underHome) {
    String xdg = env.get(variable);
    return xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(env.getOrDefault("HOME", "."), underHome);
  }
}
