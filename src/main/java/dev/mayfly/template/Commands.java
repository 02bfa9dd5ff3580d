package dev.mayfly.template;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns template commands into shell text that reads values from the environment. Values are never
 * spliced into a command: they reach it through {@code mayfly.env} (mode 0600), sourced with {@code
 * set -a}, so a hostile value is only ever data.
 */
public final class Commands {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Commands() {}

  /**
   * {@code {{email}}} becomes {@code "${MAYFLY_PARAM_EMAIL}"}, {@code {{ports.http}}} {@code
   * "${MAYFLY_PORT_HTTP}"}.
   */
  public static String render(String command) {
    StringBuilder out = new StringBuilder();
    Matcher m = Placeholders.PLACEHOLDER.matcher(command);
    while (m.find()) {
      String var = Placeholders.variable(m.group(1).strip());
      if (var == null) {
        // The loader rejects these; reaching here means an unvalidated command.
        throw new IllegalArgumentException("not a placeholder: " + m.group());
      }
      m.appendReplacement(out, Matcher.quoteReplacement("\"${" + var + "}\""));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code env:} and {@code files:} text with each placeholder replaced by its value itself: these
   * are data, never run as a command.
   */
  public static String fill(String text, Map<String, String> params, Map<String, Integer> ports) {
    StringBuilder out = new StringBuilder();
    Matcher m = Placeholders.PLACEHOLDER.matcher(text);
    while (m.find()) {
      String key = m.group(1).strip();
      String value =
          key.startsWith("ports.")
              ? String.valueOf(ports.get(key.substring(6)))
              : params.getOrDefault(key, "");
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  public static String paramVariable(String param) {
    return "MAYFLY_PARAM_" + param.toUpperCase(Locale.ROOT);
  }

  public static String portVariable(String port) {
    return "MAYFLY_PORT_" + port.toUpperCase(Locale.ROOT);
  }

  /**
   * The content of {@code mayfly.env}: one {@code NAME='value'} line per template param (in
   * template order; absent ones empty), per port (from {@code ports}, else the template's number),
   * then {@code extra} as given (e.g. {@code MAYFLY_DATA}), then the template's {@code env:} with
   * placeholders filled.
   *
   * @throws IllegalArgumentException when an extra key is not a valid variable name
   */
  public static String envFile(
      Template template,
      Map<String, String> params,
      Map<String, Integer> ports,
      Map<String, String> extra) {
    StringBuilder out =
        new StringBuilder("# written by mayfly; holds parameter values, keep it mode 0600\n");
    for (String name : template.params().keySet()) {
      line(out, paramVariable(name), params.getOrDefault(name, ""));
    }
    for (Map.Entry<String, Integer> port : template.ports().entrySet()) {
      line(
          out,
          portVariable(port.getKey()),
          String.valueOf(ports.getOrDefault(port.getKey(), port.getValue())));
    }
    for (Map.Entry<String, String> e : extra.entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("not an environment variable name: " + e.getKey());
      }
      line(out, e.getKey(), e.getValue());
    }
    Map<String, Integer> allPorts = new java.util.LinkedHashMap<>(template.ports());
    allPorts.putAll(ports);
    for (Map.Entry<String, String> e : template.env().entrySet()) {
      line(out, e.getKey(), fill(e.getValue(), params, allPorts));
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(name).append('=').append(ShellQuote.quote(value)).append('\n');
  }
}
