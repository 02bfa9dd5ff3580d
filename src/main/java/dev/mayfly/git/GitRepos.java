package dev.mayfly.git;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Pins repos to commits on the controller. A remote is asked once with ls-remote; a local git repo is
 * read directly; a plain folder is snapshotted into a bare repo under {@code <state>/snapshots/}.
 */
public final class GitRepos {
  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}");
  private final Path snapshots;

  public GitRepos(Path stateDir) {
    this.snapshots = stateDir.resolve("snapshots");
  }

  /**
   * A repo pinned to one commit.
   *
   * @param fetchUrl what a host passes to {@code git fetch} (a URL, or a local repo path)
   */
  public record Pinned(String fetchUrl, String commit) {}

  /**
   * @param field the template field, for messages ({@code service.repo})
   * @param url a git URL, or null when {@code localPath} is given
   */
  public Pinned pin(String field, String url, Path localPath, String ref) {
    if (localPath == null) {
      return new Pinned(url, lsRemote(field, url, ref));
    }
    if (isGitRepo(localPath)) {
      return new Pinned(localPath.toString(), resolveLocal(field, localPath, ref));
    }
    Path bare = snapshotRepo(localPath);
    try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setBare().build()) {
      if (!Files.isDirectory(bare.resolve("objects"))) {
        repo.create(true);
      }
      return new Pinned(bare.toString(), Snapshot.commit(repo, localPath).name());
    } catch (IOException e) {
      throw MayflyException.failed(field + ": cannot snapshot " + localPath + ": " + e.getMessage());
    }
  }

  private Path snapshotRepo(Path folder) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(folder.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      String name = folder.getFileName() + "-" + HexFormat.of().formatHex(digest, 0, 6) + ".git";
      return snapshots.resolve(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isGitRepo(Path path) {
    return Files.exists(path.resolve(".git"))
        || (Files.isDirectory(path.resolve("objects")) && Files.isRegularFile(path.resolve("HEAD")));
  }

  private static String resolveLocal(String field, Path path, String ref) {
    try (Repository repo = new FileRepositoryBuilder().findGitDir(path.toFile()).setMustExist(true).build()) {
      ObjectId id = repo.resolve(ref + "^{commit}");
      if (id == null) {
        throw MayflyException.badInput(field + ": ref '" + ref + "' not found in " + path);
      }
      return id.name();
    } catch (IOException e) {
      throw MayflyException.failed(field + ": cannot read git repo " + path + ": " + e.getMessage());
    }
  }

  private static String lsRemote(String field, String url, String ref) {
    if (COMMIT_ID.matcher(ref).matches()) {
      return ref;
    }
    Collection<Ref> refs;
    try {
      refs = Git.lsRemoteRepository().setRemote(url).setTimeout(30).call();
    } catch (GitAPIException e) {
      throw MayflyException.failed(field + ": cannot reach " + url + ": " + rootMessage(e));
    }
    for (String candidate :
        new String[] {ref, Constants.R_HEADS + ref, Constants.R_TAGS + ref + "^{}", Constants.R_TAGS + ref}) {
      for (Ref r : refs) {
        if (r.getName().equals(candidate)) {
          ObjectId id = r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
          return id.name();
        }
      }
    }
    throw MayflyException.badInput(field + ": ref '" + ref + "' not found in " + url);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
