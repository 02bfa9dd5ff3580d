package dev.mayfly.provider.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A shell in one container through the Engine API: commands as {@code docker exec} processes, files
 * through the archive endpoint. No SSH server in the image, no CLI on this machine.
 */
final class DockerShell implements HostShell {
  /** Each command runs as the leader of its own process group, whose id it leaves here. */
  private static final String GROUP_LEADER =
      "echo $$ > \"$0\"; sh -c \"$1\"; status=$?; rm -f \"$0\"; exit $status";

  private final DockerEngine engine;
  private final String container;

  DockerShell(DockerEngine engine, String container) {
    this.engine = engine;
    this.container = container;
  }

  /**
   * Runs {@code sh -c command} under {@code setsid -w}, so on timeout the whole group it started is
   * killed by a second exec (the Engine API has no call that ends an exec).
   */
  @Override
  public ExecResult exec(String command, Duration timeout, Consumer<String> output) {
    String pidFile = "/tmp/.mayfly-exec-" + UUID.randomUUID();
    String execId =
        engine.call(
            "exec in " + container,
            () ->
                engine
                    .client()
                    .execCreateCmd(container)
                    .withCmd("setsid", "-w", "sh", "-c", GROUP_LEADER, pidFile, command)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId());
    Lines lines = new Lines(output);
    try (Lines callback =
        engine.call(
            "exec in " + container, () -> engine.client().execStartCmd(execId).exec(lines))) {
      if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(pidFile);
        return new ExecResult(ExecResult.TIMED_OUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed(describe() + ": interrupted");
    } catch (IOException e) {
      // closing the stream of a finished exec
    }
    lines.flush();
    if (lines.error != null) {
      throw MayflyException.failed(describe() + ": exec stream lost: " + lines.error.getMessage());
    }
    Long exit =
        engine.call(
            "exec in " + container,
            () -> engine.client().inspectExecCmd(execId).exec().getExitCodeLong());
    return new ExecResult(exit == null ? 255 : exit.intValue());
  }

  private void kill(String pidFile) {
    String kill =
        "[ -f '"
            + pidFile
            + "' ] && kill -KILL -\"$(cat '"
            + pidFile
            + "')\"; rm -f '"
            + pidFile
            + "'";
    try {
      String id = engine.client().execCreateCmd(container).withCmd("sh", "-c", kill).exec().getId();
      engine
          .client()
          .execStartCmd(id)
          .exec(new ResultCallback.Adapter<Frame>())
          .awaitCompletion(30, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      // the container is gone: so is the command
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Splits each stream's frames into lines for the caller's log (stdout and stderr merged). */
  private static final class Lines extends ResultCallback.Adapter<Frame> {
    private final Consumer<String> output;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private volatile Throwable error;

    Lines(Consumer<String> output) {
      this.output = output;
    }

    @Override
    public void onNext(Frame frame) {
      ByteArrayOutputStream buffer = frame.getStreamType() == StreamType.STDERR ? err : out;
      synchronized (this) {
        for (byte b : frame.getPayload()) {
          if (b == '\n') {
            emit(buffer);
          } else {
            buffer.write(b);
          }
        }
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
      super.onError(throwable);
    }

    synchronized void flush() {
      if (out.size() > 0) {
        emit(out);
      }
      if (err.size() > 0) {
        emit(err);
      }
    }

    private void emit(ByteArrayOutputStream buffer) {
      String line = buffer.toString(StandardCharsets.UTF_8);
      buffer.reset();
      synchronized (output) {
        output.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      }
    }
  }

  @Override
  public void upload(byte[] content, String path, int mode) {
    upload(content.length, out -> out.write(content), path, mode);
  }

  /** A file (a git bundle) is streamed, never held in memory whole. */
  @Override
  public void upload(Path file, String path, int mode) {
    try {
      upload(Files.size(file), out -> Files.copy(file, out), path, mode);
    } catch (IOException e) {
      throw MayflyException.failed("cannot read " + file + ": " + e.getMessage());
    }
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Unpacks a one-file tar into the parent folder: the file is created with {@code mode} from the
   * start (a secret is never readable by others, not even for a moment), owned by root. The tar is
   * written by a second thread into the request as the engine reads it.
   */
  private void upload(long size, Writer content, String path, int mode) {
    int slash = path.lastIndexOf('/');
    if (slash < 0) {
      throw MayflyException.failed(
          describe() + ": cannot upload " + path + ": not an absolute path");
    }
    String dir = slash == 0 ? "/" : path.substring(0, slash);
    String name = path.substring(slash + 1);
    PipedInputStream tar = new PipedInputStream(1 << 16);
    AtomicReference<IOException> failed = new AtomicReference<>();
    Thread writer;
    try {
      PipedOutputStream sink = new PipedOutputStream(tar);
      writer =
          new Thread(
              () -> {
                try (TarArchiveOutputStream out = new TarArchiveOutputStream(sink)) {
                  out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                  TarArchiveEntry entry = new TarArchiveEntry(name);
                  entry.setSize(size);
                  entry.setMode(mode);
                  out.putArchiveEntry(entry);
                  content.write(out);
                  out.closeArchiveEntry();
                } catch (IOException e) {
                  failed.set(e);
                }
              },
              "mayfly-docker-upload-" + container);
    } catch (IOException e) {
      throw MayflyException.failed(describe() + ": cannot upload " + path + ": " + e.getMessage());
    }
    writer.setDaemon(true);
    writer.start();
    try (tar) {
      engine.run(
          "upload " + path + " to " + container,
          () ->
              engine
                  .client()
                  .copyArchiveToContainerCmd(container)
                  .withRemotePath(dir)
                  .withTarInputStream(tar)
                  .exec());
      writer.join();
    } catch (IOException e) {
      failed.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed(describe() + ": upload of " + path + " interrupted");
    }
    if (failed.get() != null) {
      throw MayflyException.failed(
          describe() + ": cannot upload " + path + ": " + failed.get().getMessage());
    }
  }

  @Override
  public String describe() {
    return "docker:" + container;
  }

  /** The client belongs to the provider, which closes it. */
  @Override
  public void close() {}
}
