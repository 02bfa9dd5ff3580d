package dev.mayfly.template;

import dev.mayfly.MayflyException;

/**
 * A template that cannot be used, with a one-line message that starts with {@code
 * file:line:column:}.
 */
public final class TemplateException extends MayflyException {
  private static final long serialVersionUID = 1L;

  public TemplateException(String message) {
    super(Exit.BAD_INPUT, message);
  }
}
