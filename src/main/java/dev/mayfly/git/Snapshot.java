package dev.mayfly.git;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * Turns a plain folder into a commit in a bare repo. The commit has no parent and a fixed author
 * and time, so the same content always gives the same commit: a sync of an unchanged folder changes
 * nothing.
 */
final class Snapshot {
  private static final PersonIdent AUTHOR =
      new PersonIdent(
          "mayfly", "mayfly@localhost", java.time.Instant.EPOCH, java.time.ZoneOffset.UTC);

  private Snapshot() {}

  static ObjectId commit(Repository repo, Path folder) {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      ObjectId tree = tree(inserter, folder);
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(tree);
      commit.setAuthor(AUTHOR);
      commit.setCommitter(AUTHOR);
      commit.setMessage("mayfly snapshot of " + folder.getFileName() + "\n");
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      keepReachable(repo, id);
      return id;
    } catch (IOException e) {
      throw MayflyException.failed("cannot snapshot " + folder + ": " + e.getMessage());
    }
  }

  /** Points the snapshot branch at the commit; another launch may be moving it at the same time. */
  private static void keepReachable(Repository repo, ObjectId id) throws IOException {
    for (int attempt = 1; ; attempt++) {
      RefUpdate update = repo.updateRef(Constants.R_HEADS + "snapshot");
      update.setNewObjectId(id);
      update.setForceUpdate(true);
      RefUpdate.Result result = update.update();
      switch (result) {
        case NEW, FORCED, FAST_FORWARD, NO_CHANGE:
          return;
        case LOCK_FAILURE:
          if (attempt < 100) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted while the snapshot branch was locked");
            }
            continue;
          }
        // fall through: locked for two seconds is not a race any more
        default:
          throw new IOException("cannot move the snapshot branch: " + result);
      }
    }
  }

  private static ObjectId tree(ObjectInserter inserter, Path folder) throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(folder)) {
      // git orders tree entries by name, with folders compared as if they ended in '/'
      children =
          new ArrayList<>(list.filter(p -> !p.getFileName().toString().equals(".git")).toList());
    }
    children.sort((a, b) -> sortKey(a).compareTo(sortKey(b)));
    TreeFormatter tree = new TreeFormatter();
    for (Path child : children) {
      String name = child.getFileName().toString();
      if (Files.isSymbolicLink(child)) {
        byte[] target = Files.readSymbolicLink(child).toString().getBytes(StandardCharsets.UTF_8);
        tree.append(name, FileMode.SYMLINK, inserter.insert(Constants.OBJ_BLOB, target));
      } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
        tree.append(name, FileMode.TREE, tree(inserter, child));
      } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
        FileMode mode =
            Files.isExecutable(child) ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
        tree.append(name, mode, inserter.insert(Constants.OBJ_BLOB, Files.readAllBytes(child)));
      }
    }
    return inserter.insert(tree);
  }

  private static String sortKey(Path p) {
    String name = p.getFileName().toString();
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? name + "/" : name;
  }
}
