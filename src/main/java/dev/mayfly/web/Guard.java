package dev.mayfly.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.PrintWriter;

/**
 * Runs before every request: sets the security headers, then lets through only the login page and
 * static files without a credential. A refusal is logged with the reason, never the token given.
 */
final class Guard {
  static final String SESSION = "mayfly.session";

  /** A page asked for without a session: the browser is sent to log in. */
  static final class LoginFirst extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoginFirst() {
      super(null, null, false, false);
    }
  }

  private final AccessToken token;
  private final Sessions sessions;
  private final boolean tls;
  private final PrintWriter log;

  Guard(AccessToken token, Sessions sessions, boolean tls, PrintWriter log) {
    this.token = token;
    this.sessions = sessions;
    this.tls = tls;
    this.log = log;
  }

  void check(Context ctx) {
    ctx.header("Content-Security-Policy", WebServer.CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with forms
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cache-Control", "no-store");
    String path = ctx.path();
    boolean mutation = ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    if (path.startsWith("/static/")) {
      return;
    }
    if (path.startsWith("/api/")) {
      String auth = ctx.header("Authorization");
      if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.header("WWW-Authenticate", "Bearer");
        throw refused(
            ctx, Problem.unauthorized("missing bearer token (Authorization: Bearer TOKEN)"));
      }
      if (!token.matches(auth.substring(7))) {
        ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        throw refused(ctx, Problem.unauthorized("wrong bearer token"));
      }
      return;
    }
    if (mutation) {
      sameOrigin(ctx);
    }
    if (path.equals("/login")) {
      return;
    }
    Sessions.Session session = sessions.find(ctx.cookie(Sessions.COOKIE)).orElse(null);
    if (session == null) {
      if (!mutation) {
        throw new LoginFirst();
      }
      throw refused(ctx, Problem.unauthorized("not logged in"));
    }
    if (mutation && !session.csrfMatches(ctx.formParam("csrf"))) {
      throw refused(
          ctx, Problem.forbidden("missing or wrong CSRF token: reload the page and retry"));
    }
    ctx.attribute(SESSION, session);
  }

  /** A browser names the page a form came from: one of another site is refused. */
  private void sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    String own = (tls ? "https://" : "http://") + ctx.host();
    if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))
        || (origin != null && !origin.equals(own))) {
      throw refused(ctx, Problem.forbidden("cross-site request refused"));
    }
  }

  private Problem refused(Context ctx, Problem p) {
    log.println(
        "web: refused "
            + ctx.method()
            + " "
            + ctx.path()
            + " from "
            + ctx.ip()
            + ": "
            + p.getMessage());
    log.flush();
    return p;
  }

  /** Sets the session cookie: HttpOnly, SameSite=Strict, Secure under TLS. */
  void setCookie(Context ctx, String value, long maxAgeSeconds) {
    ctx.header(
        "Set-Cookie",
        Sessions.COOKIE
            + "="
            + value
            + "; Path=/; Max-Age="
            + maxAgeSeconds
            + "; HttpOnly; SameSite=Strict"
            + (tls ? "; Secure" : ""));
  }

  boolean tokenMatches(String given) {
    return token.matches(given);
  }

  void wrongToken(Context ctx) {
    refused(ctx, Problem.unauthorized("wrong token at login"));
  }
}
