package dev.mayfly.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles carry a pinned commit to hosts that cannot reach the repo. */
class GitBundleTest {
  @TempDir Path dir;

  @Test
  void snapshotOfAFolderBundlesItsCommitUnderTheBundleRefAndGitCanFetchIt() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("site"));
    Files.writeString(folder.resolve("index.html"), "<h1>hi</h1>\n");
    GitRepos repos = new GitRepos(dir.resolve("state"));
    GitRepos.Pinned pinned = repos.pin("data.repo", null, folder, "HEAD");
    assertTrue(pinned.onController());

    Path bundle = repos.bundle("data.repo", pinned);
    assertEquals(bundle, repos.bundle("data.repo", pinned), "built once per commit");

    Path host = dir.resolve("host.git");
    try (Git git = Git.init().setBare(true).setDirectory(host.toFile()).call()) {
      git.fetch()
          .setRemote(bundle.toUri().toString())
          .setRefSpecs(GitRepos.BUNDLE_REF + ":" + GitRepos.BUNDLE_REF)
          .call();
      assertEquals(
          ObjectId.fromString(pinned.commit()), git.getRepository().resolve(GitRepos.BUNDLE_REF));
    }
  }

  @Test
  void onlyPathsCountAsOnTheController() {
    assertTrue(new GitRepos.Pinned("/srv/repo.git", "0".repeat(40)).onController());
    assertTrue(!new GitRepos.Pinned("https://example.org/r.git", "0".repeat(40)).onController());
    assertTrue(!new GitRepos.Pinned("git@example.org:r.git", "0".repeat(40)).onController());
  }
}
