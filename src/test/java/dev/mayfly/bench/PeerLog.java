package dev.mayfly.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A peer's own log (git daemon's, an sshd's), where benchmarks count what mayfly asked of it: the
 * numbers come from the peer, not from mayfly's counters. Read whole on each count; they stay
 * small.
 */
final class PeerLog {
  private final Path file;

  PeerLog(Path file) {
    this.file = file;
  }

  /** Lines holding {@code needle}. */
  long count(String needle) {
    return text().lines().filter(l -> l.contains(needle)).count();
  }

  String text() {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
