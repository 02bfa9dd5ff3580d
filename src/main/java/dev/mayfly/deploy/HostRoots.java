package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.template.RootPolicy;
import dev.mayfly.template.Template;

/**
 * Where a launch may put its deployment root on a target's hosts: checked before anything is
 * created.
 */
final class HostRoots {
  private HostRoots() {}

  /** Refuses a template root that is not below one of the target's root prefixes. */
  static void requireAllowed(Template template, Target target) {
    // local sandboxes keep each deployment's root in the sandbox: the template's root is not used
    // there
    if (template.root().isEmpty() || target.provider().equals(Targets.LOCAL)) {
      return;
    }
    String root = template.root().get();
    if (!RootPolicy.allowed(root, target.rootPrefixes())) {
      throw MayflyException.badInput(
          template.file()
              + ": root: '"
              + root
              + "' is not below a folder target "
              + target.name()
              + " allows ("
              + String.join(", ", target.rootPrefixes())
              + "); a target allows more with "
              + Targets.ROOT_PREFIXES
              + ": [/data] in the targets file");
    }
  }
}
