package dev.mayfly.deploy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Everything a host printed during one operation, appended to {@code
 * <state>/logs/<deployment>/<host>.log}, with the last lines kept in memory so a failure can show
 * them.
 */
final class HostLog implements Consumer<String>, AutoCloseable {
  private static final int TAIL_LINES = 15;
  private final Path file;
  private final BufferedWriter writer;
  private final Deque<String> tail = new ArrayDeque<>();

  HostLog(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.getParent());
      writer =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path file() {
    return file;
  }

  /** Marks the start of a step, and forgets the previous step's tail. */
  synchronized void step(String name) {
    tail.clear();
    write("== " + Instant.now() + " " + name);
  }

  @Override
  public synchronized void accept(String line) {
    if (tail.size() == TAIL_LINES) {
      tail.removeFirst();
    }
    tail.addLast(line);
    write(line);
  }

  /** A line of work running beside the current step: in the file, marked, not in the tail. */
  synchronized void aside(String line) {
    write("(beside) " + line);
  }

  private void write(String line) {
    try {
      writer.write(line);
      writer.newLine();
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized String tail() {
    return String.join("\n", tail);
  }

  @Override
  public synchronized void close() {
    try {
      writer.close();
    } catch (IOException ignored) {
      // the log is best effort once the operation is over
    }
  }
}
