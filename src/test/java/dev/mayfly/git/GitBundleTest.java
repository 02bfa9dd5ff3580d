package dev.mayfly.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
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
  void aBundleForAHostWithTheLastCommitCarriesOnlyTheChangeAndNeedsThatCommit() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("data"));
    byte[] big = new byte[256 * 1024];
    new java.util.Random(7).nextBytes(big);
    GitRepos repos = new GitRepos(dir.resolve("state"));
    GitRepos.Pinned first;
    GitRepos.Pinned second;
    Path whole;
    try (Git data = Git.init().setDirectory(folder.toFile()).setInitialBranch("main").call()) {
      commit(data, big);
      first = repos.pin("data.repo", null, folder, "HEAD");
      whole = repos.bundle("data.repo", first);
      big[1000] ^= 1;
      commit(data, big);
      data.gc().call(); // packed objects, as a repo that was cloned or gc'd has them
      second = repos.pin("data.repo", null, folder, "HEAD");
    }

    Path beyond = repos.bundle("data.repo", second, first.commit());
    assertTrue(
        Files.size(beyond) < Files.size(whole) / 20,
        "the changed file travels as a delta: " + Files.size(beyond) + " bytes");
    assertEquals(
        List.of(repos.bundleFile(second.commit()), beyond).stream().sorted().toList(),
        List.of(repos.bundle("data.repo", second), beyond).stream().sorted().toList());
    assertEquals(
        2, repos.bundleFiles(second.commit()).size(), "terminate finds both to remove them");

    Path host = dir.resolve("host.git");
    try (Git git = Git.init().setBare(true).setDirectory(host.toFile()).call()) {
      assertThrows(
          TransportException.class, () -> fetch(git, beyond), "a host without the first commit");
      fetch(git, whole);
      fetch(git, beyond);
      assertEquals(
          ObjectId.fromString(second.commit()), git.getRepository().resolve(GitRepos.BUNDLE_REF));
    }
  }

  private static void commit(Git git, byte[] content) throws Exception {
    Files.write(git.getRepository().getWorkTree().toPath().resolve("big.bin"), content);
    git.add().addFilepattern("big.bin").call();
    git.commit()
        .setMessage("data")
        .setSign(false)
        .setAuthor("t", "t@example.org")
        .setCommitter("t", "t@example.org")
        .call();
  }

  private static void fetch(Git git, Path bundle) throws Exception {
    git.fetch()
        .setRemote(bundle.toUri().toString())
        .setRefSpecs("+" + GitRepos.BUNDLE_REF + ":" + GitRepos.BUNDLE_REF)
        .call();
  }

  @Test
  void onlyPathsCountAsOnTheController() {
    assertTrue(new GitRepos.Pinned("/srv/repo.git", "0".repeat(40)).onController());
    assertTrue(!new GitRepos.Pinned("https://example.org/r.git", "0".repeat(40)).onController());
    assertTrue(!new GitRepos.Pinned("git@example.org:r.git", "0".repeat(40)).onController());
  }
}
