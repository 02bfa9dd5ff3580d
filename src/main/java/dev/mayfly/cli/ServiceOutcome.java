package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import java.io.PrintWriter;

/**
 * How upgrade, restart and {@code rollback --service} print their {@link
 * Deployments.ServiceResult}.
 */
final class ServiceOutcome {
  private ServiceOutcome() {}

  /**
   * @param done what the hosts that switched did, for the summary line ({@code upgraded})
   * @return the exit code: 0 when every host did it, 1 when one failed (the hosts kept their
   *     release)
   */
  static int print(Main main, OutputOption output, String done, Deployments.ServiceResult r) {
    PrintWriter out = main.out();
    PrintWriter err = main.err();
    if (output.json()) {
      Json.print(out, Views.service(r));
    } else if (!r.updated().isEmpty()) {
      out.println(
          done
              + ": service at "
              + Views.shortCommit(r.commit())
              + " on "
              + String.join(", ", r.updated())
              + (r.commit().equals(r.previous())
                  ? ""
                  : " (was " + Views.shortCommit(r.previous()) + ")"));
    } else if (r.failures().isEmpty()) {
      out.println("service unchanged (still " + Views.shortCommit(r.commit()) + ")");
    }
    r.failures()
        .forEach(
            (host, why) ->
                err.println(
                    "mayfly: "
                        + host
                        + ": "
                        + Views.printable(why)
                        + "; back on service "
                        + Views.shortCommit(r.previous())
                        + ", still serving"));
    if (!r.reverted().isEmpty()) {
      err.println(
          "mayfly: switched back to service "
              + Views.shortCommit(r.previous())
              + " as well: "
              + String.join(", ", r.reverted()));
    }
    out.flush();
    err.flush();
    return r.failures().isEmpty() ? 0 : 1;
  }
}
