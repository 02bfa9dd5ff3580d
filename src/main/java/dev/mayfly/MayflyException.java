package dev.mayfly;

/**
 * The one error type that reaches a user: a message fit to print on one line and the exit code it
 * maps to. Adapters convert library exceptions into this at their boundary.
 */
public class MayflyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit codes: the one table, which {@code mayfly --help} prints. */
  public enum Exit {
    OK(0, "success"),
    FAILED(1, "the operation ran and failed (a host step, a health check, an unreachable peer)"),
    BAD_INPUT(2, "bad input: template, parameter, duration, option"),
    WRONG_STATE(3, "wrong state: unknown deployment, or one that is already terminated"),
    INTERNAL(4, "internal error (a bug: please report it with --verbose output)"),
    INTERRUPTED(
        130, "interrupted (Ctrl-C, SIGTERM): a launch ended what it had started and says what");

    public final int code;
    public final String meaning;

    Exit(int code, String meaning) {
      this.code = code;
      this.meaning = meaning;
    }
  }

  private final Exit exit;

  public MayflyException(Exit exit, String message) {
    super(message);
    this.exit = exit;
  }

  public MayflyException(Exit exit, String message, Throwable cause) {
    super(message, cause);
    this.exit = exit;
  }

  public Exit exit() {
    return exit;
  }

  public static MayflyException badInput(String message) {
    return new MayflyException(Exit.BAD_INPUT, message);
  }

  public static MayflyException failed(String message) {
    return new MayflyException(Exit.FAILED, message);
  }

  public static MayflyException wrongState(String message) {
    return new MayflyException(Exit.WRONG_STATE, message);
  }

  /** Wrong state too (exit 3), of a thing that does not exist: what the web API answers 404 to. */
  public static MayflyException notFound(String message) {
    return new NotFound(message);
  }

  /** An unknown deployment or template: exit 3 on the command line, 404 over HTTP. */
  public static final class NotFound extends MayflyException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(Exit.WRONG_STATE, message);
    }
  }
}
