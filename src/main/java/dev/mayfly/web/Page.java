package dev.mayfly.web;

import java.util.List;

/**
 * What each page shows, as plain values the templates in {@code src/main/jte} print (JTE escapes
 * every one of them for its HTML context).
 */
public final class Page {
  private Page() {}

  /** What every page has: its title, the session's CSRF token for forms, a one-time notice. */
  public record Frame(String title, String csrf, String notice, boolean error) {}

  public record Login(Frame frame, String message) {}

  public record Problem(Frame frame, int status, String detail) {}

  public record Row(
      String id,
      String template,
      String target,
      int healthy,
      int hosts,
      String state,
      String url,
      String expiresAt,
      String expiresIn,
      String nextSync,
      String lastSync) {}

  public record Deployments(
      Frame frame,
      List<Row> rows,
      String template,
      String target,
      String state,
      List<String> templates,
      List<String> targets,
      List<String> states,
      int page,
      int pages,
      int total,
      String previous,
      String next) {}

  public record Setting(String name, String value) {}

  public record HostLine(
      String id, String address, String state, String dataCommit, String detail) {}

  public record Release(String commit, boolean live) {}

  public record Event(String at, String host, String kind, String detail) {}

  public record Deployment(
      Frame frame,
      Row row,
      List<Setting> settings,
      List<HostLine> hosts,
      List<Release> releases,
      boolean releasesOnHost,
      String releasesSource,
      List<Event> events,
      boolean live) {}

  public record Confirm(Frame frame, String id, String template, int hosts) {}

  public record Param(
      String name,
      String description,
      boolean required,
      String value,
      boolean secret,
      String pattern) {}

  public record TemplateLine(
      String name,
      String file,
      String description,
      String error,
      String serviceRepo,
      String dataRepo,
      List<Param> params) {}

  public record Templates(Frame frame, List<TemplateLine> templates) {}

  public record LaunchForm(
      Frame frame,
      String template,
      String description,
      List<Param> params,
      String target,
      List<String> targets,
      int count,
      String expires,
      String problem) {}

  public record Progress(
      Frame frame,
      String id,
      List<String> lines,
      boolean done,
      String url,
      String error,
      List<String> failures) {}
}
