package dev.mayfly.provider;

import java.util.List;
import java.util.Map;

/**
 * Commands a provider adds beside launch and terminate ({@code mayfly metal systems}), described as
 * data so the command line offers them without knowing the provider. Each runs on one target of the
 * provider.
 *
 * @param group the command's name on the command line: {@code metal}
 * @param provider the provider whose targets the commands work on: {@code metaleuca}
 */
public record ProviderCommands(
    String group, String provider, String description, List<Command> commands) {

  /**
   * One command; the command line adds {@code --target} to each, and {@code --output} to listings.
   *
   * @param listing true when it returns a {@link Listing}, false for a {@link Message}
   */
  public record Command(
      String name,
      String description,
      List<Option> options,
      List<Parameter> parameters,
      boolean listing,
      Action action) {}

  /**
   * @param label the value's name in help ({@code USER}); null for a flag, which takes no value
   */
  public record Option(List<String> names, String label, String description) {
    public static Option flag(String shortName, String longName, String description) {
      return new Option(List.of(shortName, longName), null, description);
    }

    public static Option value(
        String shortName, String longName, String label, String description) {
      return new Option(List.of(shortName, longName), label, description);
    }

    /** The name {@link Args} know it by: its longest. */
    public String key() {
      return names.stream().reduce((a, b) -> b.length() > a.length() ? b : a).orElseThrow();
    }
  }

  /** A required positional parameter. */
  public record Parameter(String label, String description) {}

  /**
   * What a command was given.
   *
   * @param options option values by {@link Option#key()}: text, or {@code "true"} for a flag given
   * @param parameters the positional parameters, in order
   */
  public record Args(Map<String, String> options, List<String> parameters) {
    public String option(String key) {
      return options.get(key);
    }

    public boolean flag(String key) {
      return Boolean.parseBoolean(options.get(key));
    }
  }

  @FunctionalInterface
  public interface Action {
    /**
     * @param context the chosen target's provider context, without a deployment
     */
    Result run(ProviderContext context, Args args);
  }

  /** What a command gives back. */
  public sealed interface Result permits Listing, Message {}

  /**
   * Rows for a table and the same items for JSON, which may name and hold more than the columns.
   *
   * @param rows cells; null prints as {@code -}
   * @param json one JSON-serializable item per row
   */
  /**
   * @param empty what a table says instead of a bare header when there are no rows; null: the
   *     header
   */
  public record Listing(List<String> columns, List<List<Object>> rows, List<?> json, String empty)
      implements Result {
    public Listing(List<String> columns, List<List<Object>> rows, List<?> json) {
      this(columns, rows, json, null);
    }
  }

  /** One line for the person at the terminal (stderr): {@code rebooted lab-1}. */
  public record Message(String text) implements Result {}
}
