package dev.mayfly.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.template.Commands;
import dev.mayfly.template.Template;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a deployment needs after launch (sync, terminate, a re-run), frozen from its template at
 * launch time so later edits of the template file cannot change a running deployment. Commands are
 * stored rendered (placeholders already turned into environment references), never with values.
 */
record Spec(
    String templateFile,
    Repo service,
    String install,
    String start,
    Repo data,
    String publish,
    int keep,
    Map<String, Integer> ports,
    String healthPath,
    String healthPort,
    int healthStatus,
    long healthDeadlineSeconds,
    String root,
    String gitMode,
    String identity,
    String healthExpect,
    String urlPath,
    String serve,
    int serviceKeep) {

  /** The path launch prints after host and port; {@code /} for deployments from before url.path. */
  String url() {
    return urlPath == null ? "/" : urlPath;
  }

  /** Service releases kept on a host; 3 for deployments from before service.keep. */
  int keepServices() {
    return serviceKeep < 2 ? 3 : serviceKeep;
  }

  /** This spec with an edited template's commands, health and URL; repos, ports and root stay. */
  Spec commandsOf(Spec edited) {
    return new Spec(
        templateFile,
        service,
        edited.install,
        edited.start,
        data,
        publish,
        keep,
        ports,
        edited.healthPath,
        healthPort,
        edited.healthStatus,
        edited.healthDeadlineSeconds,
        root,
        gitMode,
        identity,
        edited.healthExpect,
        edited.urlPath,
        edited.serve,
        edited.serviceKeep);
  }

  /** How hosts get the repos; {@code auto} for deployments recorded before git modes existed. */
  Template.GitMode git() {
    Template.GitMode mode = gitMode == null ? null : Template.GitMode.parse(gitMode);
    return mode == null ? Template.GitMode.AUTO : mode;
  }

  /**
   * The same spec with the launch's git mode and login identity ({@code Identity.spec()}, never a
   * secret).
   */
  Spec with(Template.GitMode git, String identitySpec) {
    return new Spec(
        templateFile,
        service,
        install,
        start,
        data,
        publish,
        keep,
        ports,
        healthPath,
        healthPort,
        healthStatus,
        healthDeadlineSeconds,
        root,
        git.toString(),
        identitySpec,
        healthExpect,
        urlPath,
        serve,
        serviceKeep);
  }

  /**
   * @param localPath null for a URL
   */
  record Repo(String url, String localPath, String ref) {
    Path path() {
      return localPath == null ? null : Path.of(localPath);
    }

    @Override
    public String toString() {
      return localPath != null ? localPath : url;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static Spec of(Template t) {
    return new Spec(
        t.file().toAbsolutePath().toString(),
        repo(t.service().repo(), t.service().ref()),
        Commands.render(t.service().install()),
        t.service().start().map(Commands::render).orElse(null),
        repo(t.data().repo(), t.data().ref()),
        t.data().publish().map(Commands::render).orElse(""),
        t.data().keep(),
        t.ports(),
        t.health().path(),
        t.health().port(),
        t.health().status(),
        t.health().deadline().toSeconds(),
        t.root().orElse(null),
        t.git().toString(),
        null,
        t.health().expect().orElse(null),
        t.urlPath(),
        t.service().serve().orElse(null),
        t.service().keep());
  }

  private static Repo repo(Template.Repo repo, String ref) {
    return new Repo(repo.url(), repo.localPath().map(Path::toString).orElse(null), ref);
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Spec fromJson(String json) {
    try {
      return JSON.readValue(json, Spec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "corrupt deployment spec in the registry: " + e.getOriginalMessage(), e);
    }
  }
}
