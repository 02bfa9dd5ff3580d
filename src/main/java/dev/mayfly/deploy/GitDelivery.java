package dev.mayfly.deploy;

import dev.mayfly.git.GitRepos;
import dev.mayfly.provider.Provider;
import dev.mayfly.template.Template;
import java.nio.file.Path;

/**
 * How a pinned commit reaches a host. {@code pull}: the host fetches from the repo itself. {@code
 * push}: mayfly builds a git bundle here, uploads it and the host fetches from the file, for hosts
 * with no route to the repo. {@code auto}: push when the repo is a folder on this machine that the
 * host cannot see or the provider's hosts may have no route to repos ({@link
 * Provider#pushesRepos()}), else pull, and push after all when the host's own fetch fails.
 */
final class GitDelivery {
  private final GitRepos git;
  private final Template.GitMode mode;
  private final boolean hostsSeeControllerFiles;
  private final boolean pushesRepos;

  GitDelivery(GitRepos git, Template.GitMode mode, Provider provider) {
    this.git = git;
    this.mode = mode;
    this.hostsSeeControllerFiles = provider.hostsSeeControllerFiles();
    this.pushesRepos = provider.pushesRepos();
  }

  /**
   * True when {@link #deliver} first has the host fetch {@code repo} from its own URL: then the
   * host may fetch it ahead, while something else runs.
   */
  boolean hostPulls(GitRepos.Pinned repo) {
    return reachable(repo)
        && (mode == Template.GitMode.PULL || (mode == Template.GitMode.AUTO && !pushesRepos));
  }

  /** Runs {@code fetch} on the host, given where to fetch from and which ref. */
  interface Fetch {
    void run(String url, String ref);
  }

  /**
   * Makes {@code repo.commit()} present on the host through {@code fetch}.
   *
   * @param hostHas a commit of this repo the host already has (its live data), or null: a pushed
   *     bundle then carries only what the host lacks
   * @return how it went, for the deployment's history ({@code pulled from URL}, {@code pushed a
   *     bundle})
   */
  String deliver(
      String step,
      String field,
      HostSession session,
      GitRepos.Pinned repo,
      String ref,
      String hostHas,
      Fetch fetch) {
    boolean reachable = reachable(repo);
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
        return field
            + ": pushed "
            + push(step, field, session, repo, hostHas, fetch)
            + " (git mode push)";
      }
      default -> {
        if (!reachable) {
          return field
              + ": pushed "
              + push(step, field, session, repo, hostHas, fetch)
              + " (the repo is a folder on this machine)";
        }
        if (pushesRepos) {
          return field
              + ": pushed "
              + push(step, field, session, repo, hostHas, fetch)
              + " (the hosts may have no route to the repo)";
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
          return field
              + ": pushed "
              + push(step, field, session, repo, hostHas, fetch)
              + " (the host could not fetch "
              + repo.fetchUrl()
              + ")";
        }
      }
    }
  }

  /**
   * Uploads a bundle and has the host fetch from it: only what the host lacks when it has {@code
   * hostHas}, else (or when git on the host refuses that one) the whole history.
   *
   * @return what was pushed, for the history
   */
  private String push(
      String step,
      String field,
      HostSession session,
      GitRepos.Pinned repo,
      String hostHas,
      Fetch fetch) {
    if (hostHas != null && !hostHas.equals(repo.commit())) {
      Path beyond = bundle(step, field, repo, hostHas);
      if (!beyond.equals(git.bundleFile(repo.commit()))) {
        try {
          fetch.run(session.stage(step, beyond, repo.commit() + ".bundle"), GitRepos.BUNDLE_REF);
          return "a bundle of the commits after " + hostHas.substring(0, 12);
        } catch (HostSession.StepFailed e) {
          if (!e.fetchFailed) {
            throw e; // a publish command that failed would fail again
          }
          session
              .log()
              .accept(
                  "mayfly: the host could not use the bundle of what it lacked ("
                      + e.getMessage()
                      + "); pushing the whole history instead");
        }
      }
    }
    // the host script deletes the bundle once fetched; prepare and destroy clear leftovers
    fetch.run(
        session.stage(step, bundle(step, field, repo, null), repo.commit() + ".bundle"),
        GitRepos.BUNDLE_REF);
    return "a bundle";
  }

  /** The host can fetch from the repo's own URL: a remote one, or a folder the host sees too. */
  private boolean reachable(GitRepos.Pinned repo) {
    return hostsSeeControllerFiles || !repo.onController();
  }

  private Path bundle(String step, String field, GitRepos.Pinned repo, String basis) {
    try {
      return git.bundle(field, repo, basis);
    } catch (RuntimeException e) {
      throw new HostSession.StepFailed(step, e.getMessage());
    }
  }
}
