package dev.mayfly.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitReposTest {
  @TempDir Path tmp;

  @Test
  void aFolderSnapshotsToTheSameCommitUntilItsContentChanges() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("data/runs"));
    Files.writeString(folder.resolve("a.json"), "{}");
    GitRepos repos = new GitRepos(tmp.resolve("state"));
    String first = repos.pin("data.repo", null, folder.getParent(), "HEAD").commit();
    assertEquals(first, repos.pin("data.repo", null, folder.getParent(), "HEAD").commit());
    assertEquals(
        first,
        new GitRepos(tmp.resolve("other-state"))
            .pin("data.repo", null, folder.getParent(), "HEAD")
            .commit(),
        "same content, same commit, wherever it is snapshotted");

    Files.writeString(folder.resolve("b.json"), "{}");
    assertNotEquals(first, repos.pin("data.repo", null, folder.getParent(), "HEAD").commit());
  }

  @Test
  void launchesSnapshottingOneFolderAtOnceAllGetItsCommit() throws Exception {
    // ConcurrentCliIT's 8 launches lost this race in CI: two created the same bare repo at once
    Path folder = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(folder.resolve("a.json"), "{}");
    String expected =
        new GitRepos(tmp.resolve("reference")).pin("data.repo", null, folder, "HEAD").commit();
    int launches = 8;
    for (int round = 0; round < 20; round++) {
      Path state = tmp.resolve("state-" + round);
      CyclicBarrier start = new CyclicBarrier(launches);
      ExecutorService pool = Executors.newFixedThreadPool(launches);
      try {
        List<Future<String>> commits = new ArrayList<>();
        for (int i = 0; i < launches; i++) {
          commits.add(
              pool.submit(
                  () -> {
                    start.await();
                    return new GitRepos(state).pin("data.repo", null, folder, "HEAD").commit();
                  }));
        }
        for (Future<String> commit : commits) {
          assertEquals(expected, commit.get(), "round " + round);
        }
      } finally {
        pool.shutdownNow();
      }
      try (Stream<Path> left = Files.list(state.resolve("snapshots"))) {
        assertEquals(1, left.count(), "only the one snapshot repo is left in round " + round);
      }
    }
  }

  @Test
  void aSnapshotKeepsTheExecutableBitSoInstallersStayRunnable() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("service"));
    Path script = Files.writeString(folder.resolve("install.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    GitRepos.Pinned pinned =
        new GitRepos(tmp.resolve("state")).pin("service.repo", null, folder, "HEAD");
    try (Repository repo =
            new FileRepositoryBuilder().setGitDir(Path.of(pinned.fetchUrl()).toFile()).build();
        TreeWalk walk =
            TreeWalk.forPath(
                repo,
                "install.sh",
                repo.parseCommit(ObjectId.fromString(pinned.commit())).getTree())) {
      assertEquals(FileMode.EXECUTABLE_FILE, walk.getFileMode(0));
    }
  }

  @Test
  void aLocalGitRepoResolvesItsRef() throws Exception {
    Path work = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      Files.writeString(work.resolve("README"), "hi");
      git.add().addFilepattern("README").call();
      RevCommit commit = git.commit().setMessage("first").setSign(false).call();
      GitRepos repos = new GitRepos(tmp.resolve("state"));
      assertEquals(commit.name(), repos.pin("service.repo", null, work, "main").commit());
      assertEquals(work.toString(), repos.pin("service.repo", null, work, "main").fetchUrl());
      MayflyException e =
          assertThrows(MayflyException.class, () -> repos.pin("service.repo", null, work, "nope"));
      assertEquals("service.repo: ref 'nope' not found in " + work, e.getMessage());
    }
  }

  @Test
  void aRemoteIsResolvedWithLsRemoteAndAMissingRefIsNamed() throws Exception {
    Path work = tmp.resolve("upstream");
    RevCommit commit;
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("master").call()) {
      Files.writeString(work.resolve("README"), "hi");
      git.add().addFilepattern("README").call();
      commit = git.commit().setMessage("first").setSign(false).call();
      git.tag().setName("v1").setMessage("release").setAnnotated(true).setSigned(false).call();
    }
    String url = work.toUri().toString();
    GitRepos repos = new GitRepos(tmp.resolve("state"));
    assertEquals(commit.name(), repos.pin("data.repo", url, null, "master").commit());
    assertEquals(
        commit.name(), repos.pin("data.repo", url, null, "v1").commit(), "annotated tag peeled");
    assertEquals(commit.name(), repos.pin("data.repo", url, null, "HEAD").commit());
    MayflyException e =
        assertThrows(MayflyException.class, () -> repos.pin("data.repo", url, null, "gone"));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertTrue(
        e.getMessage().startsWith("data.repo: ref 'gone' not found in " + url), e.getMessage());
  }
}
