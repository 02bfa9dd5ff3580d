package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Turns what the disk or H2 said into one line a user can act on: which file, and why (no space,
 * read-only, permission, corrupt), rather than H2's jargon or a stack trace.
 */
final class RegistryErrors {
  /** H2's error codes this class tells apart (org.h2.api.ErrorCode). */
  static final int DATABASE_ALREADY_OPEN = 90020;

  static final int FILE_CORRUPTED = 90030;

  /** What H2 says when a file is too short to hold even its header (a truncated registry). */
  static final int IO_EXCEPTION = 90028;

  static final int CONNECTION_BROKEN = 90067;

  /** The serving process closed the file under its clients (it exited). */
  static final int DATABASE_CLOSED = 90121;

  /** A connection H2 gave up on after such a loss. */
  static final int OBJECT_CLOSED = 90007;

  static final int WRONG_USER_OR_PASSWORD = 28000;

  private RegistryErrors() {}

  /** A disk-level cause named in words, or null when the failure is not one of those. */
  static String diskCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("no space left")) {
        return "no space left on device";
      }
      if (m.contains("read-only file system")
          || m.contains("readonly")
          || m.contains("read only")) {
        return "read-only file system";
      }
      if (t instanceof AccessDeniedException
          || m.contains("permission denied")
          || m.contains("access denied")) {
        return "permission denied";
      }
      if (m.contains("disk quota exceeded")) {
        return "disk quota exceeded";
      }
    }
    return null;
  }

  /**
   * Whether H2 found the file damaged (a truncated or overwritten registry); ask {@link #diskCause}
   * first.
   */
  static boolean corrupt(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && (s.getErrorCode() == FILE_CORRUPTED || s.getErrorCode() == IO_EXCEPTION)) {
        return true;
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("file corrupted") || m.contains("corrupt") && m.contains("chunk")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A lock race between processes opening the file at once, or the serving process gone: worth
   * another try.
   */
  static boolean busy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && (s.getErrorCode() == DATABASE_ALREADY_OPEN
              || s.getErrorCode() == CONNECTION_BROKEN
              || s.getErrorCode() == DATABASE_CLOSED
              || s.getErrorCode() == OBJECT_CLOSED)) {
        return true;
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Lock file recently modified")
          || m.contains("Another process was faster")
          || m.contains("Database may be already in use")
          // the serving process closed the file under this statement and rolled it back
          || (m.contains("has status ROLLED_BACK") && m.contains("not OPEN"))
          // two processes opening the file in the same instant, before one serves it to the other
          || (m.contains("Error opening database") && m.contains("Concurrent update"))) {
        return true;
      }
    }
    return false;
  }

  /** The innermost message's first line: what H2 said without its stack of wrappers. */
  static String firstLine(Throwable e) {
    Throwable inner = e;
    while (inner.getCause() != null && inner.getCause() != inner) {
      inner = inner.getCause();
    }
    return String.valueOf(inner.getMessage()).lines().findFirst().orElse("");
  }

  static boolean wrongPassword(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getErrorCode() == WRONG_USER_OR_PASSWORD) {
        return true;
      }
    }
    return false;
  }

  /** An I/O failure's cause in a few words: the OS reason, without Java's class names. */
  static String cause(Exception e) {
    String disk = diskCause(e);
    if (disk != null) {
      return disk;
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * The error for a registry statement or open that failed: a disk cause as {@code cannot write the
   * registry FILE: no space left on device} (exit 1), anything else as the database said it (exit
   * 4: a bug).
   */
  static MayflyException of(
      Throwable e, String where, MayflyException.Exit otherwise, String prefix) {
    String disk = diskCause(e);
    if (disk != null) {
      String verb = disk.equals("permission denied") ? "use" : "write";
      return new MayflyException(
          MayflyException.Exit.FAILED,
          "cannot " + verb + " the registry" + (where.isEmpty() ? "" : " " + where) + ": " + disk,
          e);
    }
    return new MayflyException(otherwise, prefix + e.getMessage(), e);
  }
}
