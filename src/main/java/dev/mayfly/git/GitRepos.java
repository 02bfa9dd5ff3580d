package dev.mayfly.git;

import dev.mayfly.MayflyException;
import dev.mayfly.template.GitUrl;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.util.FileUtils;

/**
 * Pins repos to commits on the controller. A remote is asked once with ls-remote; a local git repo
 * is read directly; a plain folder is snapshotted into a bare repo under {@code
 * <state>/snapshots/}.
 */
public final class GitRepos {
  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}");
  private final Path snapshots;
  private final Path bundles;
  private final Path mirrors;
  private final Map<String, String> env;

  public GitRepos(Path stateDir) {
    this(stateDir, System.getenv());
  }

  /**
   * @param env where ssh:// and {@code user@host:path} remotes find the user's keys, agent and
   *     known hosts ({@code HOME}, {@code SSH_AUTH_SOCK})
   */
  public GitRepos(Path stateDir, Map<String, String> env) {
    this.snapshots = stateDir.resolve("snapshots");
    this.bundles = stateDir.resolve("bundles");
    this.mirrors = stateDir.resolve("mirrors");
    this.env = Map.copyOf(env);
  }

  /**
   * A repo pinned to one commit.
   *
   * @param fetchUrl what a host passes to {@code git fetch} (a URL, or a local repo path)
   */
  public record Pinned(String fetchUrl, String commit) {
    /**
     * True when {@code fetchUrl} is a folder on this machine, which no remote host can fetch from.
     */
    public boolean onController() {
      return !GitUrl.remote(fetchUrl);
    }
  }

  /** Where the bundle of {@code commit} is kept once built. */
  public Path bundleFile(String commit) {
    return bundles.resolve(commit + ".bundle");
  }

  /** Where the bundle of what {@code commit} has beyond {@code basis} is kept once built. */
  private Path bundleFile(String commit, String basis) {
    return basis == null
        ? bundleFile(commit)
        : bundles.resolve(commit + ".from-" + basis + ".bundle");
  }

  /** Every bundle of {@code commit} kept here: the whole one and those beyond a host's commit. */
  public List<Path> bundleFiles(String commit) throws IOException {
    if (!Files.isDirectory(bundles)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(bundles)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.equals(commit + ".bundle")
                    || (name.startsWith(commit + ".from-") && name.endsWith(".bundle"));
              })
          .toList();
    }
  }

  /** The ref a bundle carries its commit under; a host fetches this ref from the bundle file. */
  public static final String BUNDLE_REF = "refs/mayfly/pinned";

  /**
   * A git bundle with {@code pinned.commit()} (and its history) under {@link #BUNDLE_REF}, for
   * hosts that cannot reach the repo. Built once per commit and kept under {@code
   * <state>/bundles/}; a remote repo is first fetched into a mirror under {@code <state>/mirrors/}.
   *
   * @param field the template field, for messages
   */
  public Path bundle(String field, Pinned pinned) {
    return bundle(field, pinned, null);
  }

  /**
   * Like {@link #bundle(String, Pinned)}, but for a host that already has commit {@code basis}:
   * only the objects it lacks, as a thin pack (a changed file travels as a delta against its old
   * version). Git refuses to fetch it on a host without {@code basis}. When {@code basis} is null,
   * the pinned commit itself, or not in the repo, the whole bundle.
   */
  public synchronized Path bundle(String field, Pinned pinned, String basis) {
    Path gitDir = pinned.onController() ? Path.of(pinned.fetchUrl()) : null;
    if (basis != null && basis.equals(pinned.commit())) {
      basis = null;
    }
    if (Files.isRegularFile(bundleFile(pinned.commit(), basis))) {
      return bundleFile(pinned.commit(), basis);
    }
    if (gitDir == null) {
      gitDir = mirror(field, pinned);
    }
    try (Repository repo =
            new FileRepositoryBuilder().findGitDir(gitDir.toFile()).setMustExist(true).build();
        RevWalk walk = new RevWalk(repo)) {
      ObjectId commit = ObjectId.fromString(pinned.commit());
      if (!repo.getObjectDatabase().has(commit)) {
        throw MayflyException.failed(
            field + ": commit " + pinned.commit() + " is not in " + pinned.fetchUrl());
      }
      BundleWriter writer = new BundleWriter(repo);
      writer.include(BUNDLE_REF, commit);
      if (basis != null && COMMIT_ID.matcher(basis).matches()) {
        ObjectId base = ObjectId.fromString(basis);
        if (repo.getObjectDatabase().has(base)) {
          writer.assume(walk.parseCommit(base));
          // an object stored whole in a pack would be copied as it is: search for deltas against
          // the host's versions instead (only the few new objects are packed)
          PackConfig config = new PackConfig(repo);
          config.setReuseObjects(false);
          writer.setPackConfig(config);
        } else {
          basis = null;
        }
      } else {
        basis = null;
      }
      Path bundle = bundleFile(pinned.commit(), basis);
      if (Files.isRegularFile(bundle)) {
        return bundle;
      }
      Files.createDirectories(bundles);
      Path temp = Files.createTempFile(bundles, pinned.commit(), ".tmp");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
        writer.writeBundle(NullProgressMonitor.INSTANCE, out);
      }
      Files.move(temp, bundle, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return bundle;
    } catch (IOException e) {
      throw MayflyException.failed(
          field + ": cannot bundle " + pinned.fetchUrl() + ": " + e.getMessage());
    }
  }

  /** Fetches a remote repo's branches and tags into a bare mirror here, for bundling. */
  private Path mirror(String field, Pinned pinned) {
    Path dir = mirrors.resolve(digest(pinned.fetchUrl()) + ".git");
    GitSsh ssh = GitSsh.from(env);
    try (ssh;
        Git git = new Git(openOrCreateBare(dir))) {
      if (git.getRepository().getObjectDatabase().has(ObjectId.fromString(pinned.commit()))) {
        return dir;
      }
      git.fetch()
          .setRemote(pinned.fetchUrl())
          .setTransportConfigCallback(ssh)
          .setTimeout(60)
          .setRefSpecs(
              new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
          .call();
      return dir;
    } catch (GitAPIException | IOException e) {
      throw MayflyException.failed(
          field
              + ": cannot fetch "
              + pinned.fetchUrl()
              + " to bundle it: "
              + ssh.refusal().orElse(rootMessage(e)));
    }
  }

  private static String digest(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

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
    try (Repository repo = openOrCreateBare(bare)) {
      return new Pinned(bare.toString(), Snapshot.commit(repo, localPath).name());
    } catch (IOException e) {
      throw MayflyException.failed(
          field + ": cannot snapshot " + localPath + ": " + e.getMessage());
    }
  }

  /**
   * Opens a bare repo, creating it first if needed. Launches running at once may both create the
   * same one: each builds its own next to it and renames it into place, and whoever loses the
   * rename opens the winner's.
   */
  private static Repository openOrCreateBare(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("HEAD"))) {
      Files.createDirectories(dir.getParent());
      Path fresh = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".new-");
      try {
        try (Repository repo =
            new FileRepositoryBuilder().setGitDir(fresh.toFile()).setBare().build()) {
          repo.create(true);
        }
        Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileSystemException lostTheRace) {
        if (!Files.isRegularFile(dir.resolve("HEAD"))) {
          throw lostTheRace;
        }
      } finally {
        if (Files.exists(fresh)) {
          FileUtils.delete(fresh.toFile(), FileUtils.RECURSIVE | FileUtils.IGNORE_ERRORS);
        }
      }
    }
    return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
  }

  private Path snapshotRepo(Path folder) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  folder.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      String name = folder.getFileName() + "-" + HexFormat.of().formatHex(digest, 0, 6) + ".git";
      return snapshots.resolve(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isGitRepo(Path path) {
    return Files.exists(path.resolve(".git"))
        || (Files.isDirectory(path.resolve("objects"))
            && Files.isRegularFile(path.resolve("HEAD")));
  }

  private static String resolveLocal(String field, Path path, String ref) {
    try (Repository repo =
        new FileRepositoryBuilder().findGitDir(path.toFile()).setMustExist(true).build()) {
      ObjectId id = repo.resolve(ref + "^{commit}");
      if (id == null) {
        throw MayflyException.badInput(field + ": ref '" + ref + "' not found in " + path);
      }
      return id.name();
    } catch (IOException e) {
      throw MayflyException.failed(
          field + ": cannot read git repo " + path + ": " + e.getMessage());
    }
  }

  private String lsRemote(String field, String url, String ref) {
    if (COMMIT_ID.matcher(ref).matches()) {
      return ref;
    }
    Collection<Ref> refs;
    GitSsh ssh = GitSsh.from(env);
    try (ssh) {
      refs =
          Git.lsRemoteRepository()
              .setRemote(url)
              .setTransportConfigCallback(ssh)
              .setTimeout(30)
              .call();
    } catch (GitAPIException e) {
      throw MayflyException.failed(
          field + ": cannot reach " + url + ": " + ssh.refusal().orElse(rootMessage(e)));
    }
    for (String candidate :
        new String[] {
          ref, Constants.R_HEADS + ref, Constants.R_TAGS + ref + "^{}", Constants.R_TAGS + ref
        }) {
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
