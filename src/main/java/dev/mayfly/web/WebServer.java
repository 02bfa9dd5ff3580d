package dev.mayfly.web;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The daemon's console and API on Javalin (Jetty). Every request but the login page and the static
 * files needs a credential: {@code Authorization: Bearer TOKEN} for {@code /api/}, the session
 * cookie for pages; page forms also carry the session's CSRF token. Mutations are POST or DELETE
 * only.
 */
public final class WebServer implements AutoCloseable {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
          + " form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private final Javalin app;
  private final Launches launches;
  private final WebSettings settings;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private WebServer(Javalin app, Launches launches, WebSettings settings) {
    this.app = app;
    this.launches = launches;
    this.settings = settings;
  }

  /** Where it listens, with the port it got (for {@code :0}). */
  public String url() {
    return settings.url(app.port());
  }

  /**
   * Starts serving; the token is made on the first start and printed once to {@code log}.
   *
   * @param log the daemon's log: the start line, the access log (no query strings, no tokens)
   */
  public static WebServer start(
      WebSettings settings, Deployments deployments, Path stateDir, Clock clock, PrintWriter log) {
    AccessToken.Opened token = AccessToken.open(stateDir);
    Sessions sessions = new Sessions(token.token(), clock);
    Launches launches = new Launches(log);
    Api api = new Api(deployments, launches, clock);
    Pages pages = new Pages(deployments, api, sessions, clock);
    Guard guard = new Guard(token.token(), sessions, settings.tls(), log);
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.jetty.host = settings.host();
              config.jetty.port = settings.port();
              if (settings.tls()) {
                config.jetty.modifyServer(
                    server -> {
                      SslContextFactory.Server ssl = new SslContextFactory.Server();
                      ssl.setKeyStore(Tls.keyStore(settings.tlsCert(), settings.tlsKey()));
                      ssl.setKeyStorePassword(new String(Tls.PASSWORD));
                      HttpConfiguration https = new HttpConfiguration();
                      https.addCustomizer(new SecureRequestCustomizer(false));
                      ServerConnector connector =
                          new ServerConnector(
                              server,
                              new SslConnectionFactory(ssl, "http/1.1"),
                              new HttpConnectionFactory(https));
                      connector.setHost(settings.host());
                      connector.setPort(settings.port());
                      server.setConnectors(new org.eclipse.jetty.server.Connector[] {connector});
                    });
              }
              // the path alone: no query string, no header, so no token or value reaches the log
              config.requestLogger.http(
                  (ctx, ms) -> {
                    log.printf(
                        Locale.ROOT,
                        "web: %d %s %s %.0fms%n",
                        ctx.status().getCode(),
                        ctx.method(),
                        ctx.path(),
                        ms);
                    log.flush();
                  });
              var r = config.routes;
              r.before(guard::check);
              r.get("/static/{file}", WebServer::staticFile);
              r.get("/login", pages::loginPage);
              r.post("/login", ctx -> pages.login(ctx, guard));
              r.post("/logout", pages::logout);
              r.get("/", ctx -> ctx.redirect("/deployments"));
              r.get("/deployments", pages::deployments);
              r.get("/deployments/{id}", pages::deployment);
              r.post("/deployments/{id}/sync", pages::sync);
              r.post("/deployments/{id}/extend", pages::extend);
              r.post("/deployments/{id}/rollback", pages::rollback);
              r.get("/deployments/{id}/terminate", pages::terminateConfirm);
              r.post("/deployments/{id}/terminate", pages::terminate);
              r.get("/templates", pages::templates);
              r.get("/launch/{template}", pages::launchForm);
              r.post("/launch/{template}", pages::launch);
              r.get("/launches/{id}", pages::progress);
              r.sse("/launches/{id}/events", api::events);

              r.get(Api.PREFIX + "/openapi.json", api::openapi);
              r.get(Api.PREFIX + "/deployments", api::list);
              r.post(Api.PREFIX + "/deployments", api::launch);
              r.get(Api.PREFIX + "/deployments/{id}", api::status);
              r.delete(Api.PREFIX + "/deployments/{id}", api::terminate);
              r.post(Api.PREFIX + "/deployments/{id}/sync", api::sync);
              r.post(Api.PREFIX + "/deployments/{id}/extend", api::extend);
              r.post(Api.PREFIX + "/deployments/{id}/rollback", api::rollback);
              r.get(Api.PREFIX + "/templates", api::templates);
              r.get(Api.PREFIX + "/templates/{name}", api::template);
              r.get(Api.PREFIX + "/launches/{id}", api::launchState);
              r.sse(Api.PREFIX + "/launches/{id}/events", api::events);

              r.exception(
                  Guard.LoginFirst.class, (e, ctx) -> ctx.redirect("/login", HttpStatus.SEE_OTHER));
              r.exception(Problem.class, (e, ctx) -> refuse(ctx, e, pages));
              r.exception(MayflyException.class, (e, ctx) -> refuse(ctx, Problem.of(e), pages));
              r.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.println("web: internal error on " + ctx.method() + " " + ctx.path());
                    e.printStackTrace(log);
                    refuse(ctx, new Problem(500, "internal error", 4), pages);
                  });
              r.error(
                  404,
                  ctx -> {
                    if (ctx.result() == null || ctx.result().isEmpty()) {
                      refuse(ctx, Problem.notFound("no such page: " + ctx.path()), pages);
                    }
                  });
              r.error(
                  405,
                  ctx ->
                      refuse(
                          ctx,
                          new Problem(405, ctx.method() + " is not allowed on " + ctx.path(), 2),
                          pages));
            });
    try {
      app.start();
    } catch (RuntimeException e) {
      launches.close();
      throw MayflyException.failed(
          "web console: cannot listen on "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + rootMessage(e));
    }
    WebServer server = new WebServer(app, launches, settings);
    if (token.created()) {
      log.println(
          "web console at "
              + server.url()
              + " ; its token (shown only this once, kept in "
              + token.token().file()
              + "): "
              + token.value());
    } else {
      log.println("web console at " + server.url() + " (token in " + token.token().file() + ")");
    }
    log.flush();
    return server;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** problem+json for the API; a page saying why for a browser. */
  private static void refuse(Context ctx, Problem p, Pages pages) {
    if (ctx.path().startsWith(Api.PREFIX + "/") || ctx.method() == HandlerType.DELETE) {
      ctx.status(p.status);
      try {
        ctx.contentType(Problem.TYPE).result(Api.JSON.writeValueAsString(p.body()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    pages.error(ctx, p);
  }

  private static void staticFile(Context ctx) {
    String file = ctx.pathParam("file");
    String type =
        file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : null;
    InputStream in =
        file.matches("[a-z-]+\\.(js|css)")
            ? WebServer.class.getResourceAsStream("static/" + file)
            : null;
    if (type == null || in == null) {
      throw Problem.notFound("no such file: /static/" + file);
    }
    try (in) {
      ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops listening, then cancels the launches it started and waits (bounded) while they end their
   * hosts; a second call does nothing.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      app.stop();
      launches.close();
    }
  }
}
