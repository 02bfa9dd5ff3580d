package dev.mayfly.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Processes a deployment left on this machine (its sandboxes and the SSH harness's namespaces share
 * this pid space): every process whose command line or environment names the deployment. The host
 * script carries the id in its arguments, and installer, publish command and service inherit {@code
 * MAYFLY_DEPLOYMENT=<id>} from {@code mayfly.env}, so a child that dropped the id from its
 * arguments ({@code sleep 30}) is still found.
 */
public final class Leftovers {
  private Leftovers() {}

  public static List<Long> processes(String deploymentId) {
    long self = ProcessHandle.current().pid();
    List<Long> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              if (p.pid() != self && names(p.pid(), deploymentId)) {
                found.add(p.pid());
              }
            });
    return found;
  }

  public static String describe(List<Long> pids) {
    StringBuilder b = new StringBuilder();
    for (long pid : pids) {
      b.append(pid)
          .append(' ')
          .append(read(pid, "cmdline").replace('\0', ' ').strip())
          .append('\n');
    }
    return b.toString();
  }

  public static void kill(List<Long> pids) {
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  private static boolean names(long pid, String deploymentId) {
    return read(pid, "cmdline").contains(deploymentId)
        || ("\0" + read(pid, "environ") + "\0")
            .contains("\0MAYFLY_DEPLOYMENT=" + deploymentId + "\0");
  }

  private static String read(long pid, String file) {
    try {
      return new String(
          Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ""; // gone meanwhile, or not ours to read
    }
  }
}
