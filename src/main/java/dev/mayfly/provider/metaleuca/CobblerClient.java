package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Cobbler's XML-RPC API, the calls Metaleuca made: {@code login}, {@code get_profiles}, {@code
 * get_systems}, {@code get_system} (resolved, for {@code <<inherit>>} owners), {@code
 * get_system_handle}, {@code modify_system} + {@code save_system}, {@code power_system} and {@code
 * sync}. A token that expired (Cobbler's {@code auth_token_expiration}) is renewed once by logging
 * in again. XML-RPC types stay here.
 */
final class CobblerClient implements AutoCloseable {
  private static final String INHERIT = "<<inherit>>";
  private final XmlRpc rpc;
  private final MetalSettings settings;
  private String token;

  private CobblerClient(MetalSettings settings) {
    this.settings = settings;
    this.rpc = new XmlRpc(settings.url(), settings.callTimeout());
  }

  static CobblerClient login(MetalSettings settings) {
    CobblerClient client = new CobblerClient(settings);
    client.token = client.login();
    return client;
  }

  private String login() {
    try {
      return String.valueOf(rpc.call("login", settings.user(), settings.password().reveal()));
    } catch (XmlRpc.Fault e) {
      // Cobbler says "login failed (user)": never echo anything that came with the password
      throw MayflyException.badInput(
          "target '"
              + settings.target()
              + "': Cobbler at "
              + settings.url()
              + " refused the login of user '"
              + settings.user()
              + "' (wrong user or password)");
    } catch (XmlRpc.Unreachable e) {
      throw unreachable(e);
    }
  }

  private MayflyException unreachable(XmlRpc.Unreachable e) {
    return MayflyException.failed(
        "target '"
            + settings.target()
            + "': cannot reach Cobbler at "
            + settings.url()
            + ": "
            + e.getMessage());
  }

  /**
   * Calls a method whose last argument is the token, logging in again once if the token expired.
   */
  private static final int SAVE_ATTEMPTS = 4;

  private static final Duration SAVE_RETRY = Duration.ofMillis(50);

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("interrupted while saving a Cobbler system");
    }
  }

  private Object authed(String method, Object... args) {
    for (int attempt = 0; ; attempt++) {
      Object[] withToken = new Object[args.length + 1];
      System.arraycopy(args, 0, withToken, 0, args.length);
      withToken[args.length] = token;
      try {
        return rpc.call(method, withToken);
      } catch (XmlRpc.Fault e) {
        if (attempt == 0 && e.getMessage().contains("invalid token")) {
          token = login();
          continue;
        }
        // cobblerd's save re-links the system's boot files (lexists, unlink, symlink): a save of
        // the
        // same system at the same moment (two registries claiming it) makes one fail with EEXIST,
        // though its change took effect; saving again re-links and persists it
        if (method.equals("save_system")
            && attempt < SAVE_ATTEMPTS - 1
            && e.getMessage().contains("[Errno 17] File exists")) {
          pause(SAVE_RETRY);
          continue;
        }
        throw fault(method, e);
      } catch (XmlRpc.Unreachable e) {
        throw unreachable(e);
      }
    }
  }

  private Object open(String method, Object... args) {
    try {
      return rpc.call(method, args);
    } catch (XmlRpc.Fault e) {
      throw fault(method, e);
    } catch (XmlRpc.Unreachable e) {
      throw unreachable(e);
    }
  }

  private MayflyException fault(String method, XmlRpc.Fault e) {
    // faultString looks like "<class 'cobbler.cexceptions.CX'>:'what went wrong'"
    String why = e.getMessage().replaceFirst("^<class '[^']*'>:", "").replaceAll("^'|'$", "");
    if (token != null) {
      why =
          why.replace(
              token, "(token)"); // "invalid token: <token>": a login token is a credential too
    }
    return MayflyException.failed("Cobbler " + method + " failed: " + why);
  }

  List<MetalProfile> profiles() {
    List<MetalProfile> out = new ArrayList<>();
    for (Object o : list(open("get_profiles"))) {
      Map<String, Object> p = map(o);
      out.add(
          new MetalProfile(
              text(p.get("name")),
              text(p.get("distro")),
              text(p.getOrDefault("autoinstall", p.get("kickstart")))));
    }
    return out;
  }

  /** Every system, with owners resolved and the group from {@code groups}. */
  List<MetalSystem> systems(GroupSource groups) {
    List<MetalSystem> out = new ArrayList<>();
    for (Object o : list(open("get_systems"))) {
      out.add(system(map(o), groups));
    }
    return out;
  }

  Optional<MetalSystem> system(String name, GroupSource groups) {
    Object raw = open("get_system", name, false, false);
    if (!(raw instanceof Map<?, ?>)) {
      return Optional.empty(); // Cobbler answers "~" for an unknown name
    }
    return Optional.of(system(map(raw), groups));
  }

  private MetalSystem system(Map<String, Object> s, GroupSource groups) {
    String name = text(s.get("name"));
    Object owners = s.get("owners");
    if (INHERIT.equals(owners)) {
      Object resolved = open("get_system", name, false, true);
      owners = resolved instanceof Map<?, ?> r ? r.get("owners") : List.of();
    }
    String owner = owners instanceof List<?> l && !l.isEmpty() ? text(l.get(0)) : "";
    String address = "";
    String mac = "";
    if (s.get("interfaces") instanceof Map<?, ?> interfaces) {
      for (Object iface : new TreeMap<>(interfaces).values()) {
        Map<String, Object> i = map(iface);
        if (!text(i.get("ip_address")).isBlank()) {
          address = text(i.get("ip_address"));
          mac = text(i.get("mac_address"));
          break;
        }
      }
    }
    String comment = text(s.get("comment"));
    return new MetalSystem(
        name,
        address,
        mac,
        text(s.get("hostname")),
        text(s.get("profile")),
        owner,
        groups.groupOf(address, comment),
        truthy(s.get("netboot_enabled")),
        text(s.get("power_type")),
        Claim.parse(comment));
  }

  /** Sets the profile to install and turns netboot on, persisted: the next boot reinstalls. */
  void provision(String system, String profile) {
    Object handle = authed("get_system_handle", system);
    authed("modify_system", handle, "profile", profile);
    authed("modify_system", handle, "netboot_enabled", true);
    authed("save_system", handle);
  }

  /**
   * The system's comment as Cobbler holds it now, not a listing's copy; empty for an unknown
   * system.
   */
  String comment(String system) {
    Object raw = open("get_system", system, false, false);
    return raw instanceof Map<?, ?> ? text(map(raw).get("comment")) : "";
  }

  /**
   * A comment as read, and whether it was rewritten how long after that read the new one took
   * effect.
   */
  record CommentEdit(String before, boolean written, Duration readToWrite) {}

  /**
   * Reads the system's comment and replaces the whole field (Cobbler writes no less) with what
   * {@code edit} makes of it, persisted; an empty or equal result writes nothing. The new comment
   * takes effect at {@code modify_system} ({@code save_system} only persists it), so that is where
   * the time is taken.
   */
  CommentEdit editComment(String system, Function<String, Optional<String>> edit) {
    Object handle = authed("get_system_handle", system);
    long readAt = System.nanoTime();
    String before = comment(system);
    Optional<String> after = edit.apply(before).filter(c -> !c.equals(before));
    if (after.isEmpty()) {
      return new CommentEdit(before, false, Duration.ZERO);
    }
    authed("modify_system", handle, "comment", after.get());
    Duration took = Duration.ofNanos(System.nanoTime() - readAt);
    authed("save_system", handle);
    return new CommentEdit(before, true, took);
  }

  void reboot(String system) {
    Object handle = authed("get_system_handle", system);
    authed("power_system", handle, "reboot");
  }

  void sync() {
    authed("sync");
  }

  private static boolean truthy(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    String t = text(v).toLowerCase(java.util.Locale.ROOT);
    return t.equals("true") || t.equals("1") || t.equals("yes");
  }

  private static String text(Object v) {
    return v == null || "~".equals(v) ? "" : String.valueOf(v);
  }

  private static List<?> list(Object v) {
    return v instanceof List<?> l ? l : List.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object v) {
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** Retires the token ahead of its expiry. */
  @Override
  public void close() {
    if (token != null) {
      try {
        rpc.call("logout", token);
      } catch (XmlRpc.Fault | XmlRpc.Unreachable ignored) {
        // the token expires on its own
      }
      token = null;
    }
  }

  Duration callTimeout() {
    return settings.callTimeout();
  }
}
