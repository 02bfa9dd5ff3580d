package dev.mayfly.deploy;

import dev.mayfly.git.GitRepos;
import dev.mayfly.template.Template;
import java.nio.file.Path;

/**
 * How a pinned commit reaches a host. {@code pull}: the host fetches from the repo itself. {@code
 * push}: mayfly builds a git bundle here, uploads it and the host fetches from the file, for hosts
 * with no route to the repo. {@code auto}: push when the repo is a folder on this machine that the
 * host cannot see, else pull, and push after all when the host's own fetch fails.
 */
final class GitDelivery {
  private final GitRepos git;
  private final Template.GitMode mode;
  private final boolean hostsSeeControllerFiles;

  GitDelivery(GitRepos git, Template.GitMode mode, boolean hostsSeeControllerFiles) {
    this.git = git;
    this.mode = mode;
    this.hostsSeeControllerFiles = hostsSeeControllerFiles;
  }

  /** Runs {@code fetch} on the host, given where to fetch from and which ref. */
  interface Fetch {
    void run(String url, String ref);
  }

  /**
   * Makes {@code repo.commit()} present on the host through {@code fetch}.
   *
   * @return how it went, for the deployment's history ({@code pulled from URL}, {@code pushed a
   *     bundle})
   */
  String deliver(
      String step,
      String field,
      HostSession session,
      GitRepos.Pinned repo,
      String ref,
      Fetch fetch) {
    boolean reachable = hostsSeeControllerFiles || !repo.onController();
    switch (mode) {
      case PULL -> {
        if (!reachable) {
          throw new HostSession.StepFailed(
              step,
              field
                  + ": git mode pull cannot work: "
                  + repo.fetchUrl()
                  + " is a folder on this machine, which the host cannot see (use git mode push or auto)");
        }
        fetch.run(repo.fetchUrl(), ref);
        return field + ": host pulled from " + repo.fetchUrl();
      }
      case PUSH -> {
        push(step, field, session, repo, fetch);
        return field + ": pushed a bundle (git mode push)";
      }
      default -> {
        if (!reachable) {
          push(step, field, session, repo, fetch);
          return field + ": pushed a bundle (the repo is a folder on this machine)";
        }
        try {
          fetch.run(repo.fetchUrl(), ref);
          return field + ": host pulled from " + repo.fetchUrl();
        } catch (HostSession.StepFailed e) {
          // a publish command or installer that failed would fail again: report it once
          if (!e.fetchFailed) {
            throw e;
          }
          session
              .log()
              .accept(
                  "mayfly: the host could not fetch "
                      + repo.fetchUrl()
                      + " ("
                      + e.getMessage()
                      + "); pushing a bundle from the controller instead");
          push(step, field, session, repo, fetch);
          return field + ": pushed a bundle (the host could not fetch " + repo.fetchUrl() + ")";
        }
      }
    }
  }

  private void push(
      String step, String field, HostSession session, GitRepos.Pinned repo, Fetch fetch) {
    Path bundle;
    try {
      bundle = git.bundle(field, repo);
    } catch (RuntimeException e) {
      throw new HostSession.StepFailed(step, e.getMessage());
    }
    // the host script deletes the bundle once fetched; prepare and destroy clear leftovers
    fetch.run(session.stage(step, bundle, repo.commit() + ".bundle"), GitRepos.BUNDLE_REF);
  }
}
