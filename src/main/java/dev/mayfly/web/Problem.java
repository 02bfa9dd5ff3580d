package dev.mayfly.web;

import dev.mayfly.MayflyException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error as RFC 9457 problem+json: the CLI's one-line message as {@code detail}, its exit code as
 * {@code exit}. Bad input is 400, an unknown deployment 404, a wrong state 409.
 */
final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;
  static final String TYPE = "application/problem+json";

  final int status;
  final int exit;

  Problem(int status, String detail, int exit) {
    super(detail);
    this.status = status;
    this.exit = exit;
  }

  static Problem of(MayflyException e) {
    int status =
        switch (e.exit()) {
          case BAD_INPUT -> 400;
          case WRONG_STATE -> e instanceof MayflyException.NotFound ? 404 : 409;
          case FAILED -> 502;
          default -> 500;
        };
    return new Problem(status, e.getMessage(), e.exit().code);
  }

  static Problem badInput(String detail) {
    return new Problem(400, detail, MayflyException.Exit.BAD_INPUT.code);
  }

  static Problem notFound(String detail) {
    return new Problem(404, detail, MayflyException.Exit.WRONG_STATE.code);
  }

  static Problem unauthorized(String detail) {
    return new Problem(401, detail, MayflyException.Exit.BAD_INPUT.code);
  }

  static Problem forbidden(String detail) {
    return new Problem(403, detail, MayflyException.Exit.BAD_INPUT.code);
  }

  String title() {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 502 -> "Bad Gateway";
      default -> "Internal Server Error";
    };
  }

  Map<String, Object> body() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "about:blank");
    m.put("title", title());
    m.put("status", status);
    m.put("detail", getMessage());
    m.put("exit", exit);
    return m;
  }
}
