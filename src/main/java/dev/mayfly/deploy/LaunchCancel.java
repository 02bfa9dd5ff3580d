package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a launch: the host steps in flight are killed, the fan-out
 * stops and the launch ends what it started, records it and exits 130, instead of dying with hosts
 * half made and the deployment left {@code launching}. A second signal quits at once.
 *
 * <p>Signals are caught with {@code sun.misc.Signal}, not a shutdown hook: once the JVM shuts down,
 * H2's own hook closes the registry the cleanup must write to, and the exit code can no longer be
 * chosen.
 */
public final class LaunchCancel implements AutoCloseable {
  /** For launches nobody can interrupt (tests, the daemon). */
  static final LaunchCancel NONE = new LaunchCancel();

  private static final List<String> SIGNALS = List.of("INT", "TERM");
  // signals are the process's: one handler serves every launch running in it
  private static final Set<LaunchCancel> ACTIVE = new LinkedHashSet<>();
  private static final Map<Signal, SignalHandler> PREVIOUS = new HashMap<>();

  private final List<Runnable> stops = new CopyOnWriteArrayList<>();
  private volatile String signal;

  private LaunchCancel() {}

  /**
   * Stopped by {@link #request} alone, for a launch that runs inside a longer-lived process (the
   * daemon's web launches): only when that whole process stops, since a request kills every process
   * this JVM started.
   */
  public static LaunchCancel onRequest() {
    return new LaunchCancel();
  }

  /** Catches SIGINT and SIGTERM until closed. */
  public static LaunchCancel onSignals() {
    LaunchCancel cancel = new LaunchCancel();
    synchronized (ACTIVE) {
      if (ACTIVE.isEmpty()) {
        for (String name : SIGNALS) {
          Signal s = new Signal(name);
          PREVIOUS.put(s, Signal.handle(s, LaunchCancel::received));
        }
      }
      ACTIVE.add(cancel);
    }
    return cancel;
  }

  private static void received(Signal s) {
    List<LaunchCancel> launches;
    synchronized (ACTIVE) {
      launches = List.copyOf(ACTIVE);
    }
    if (launches.stream().anyMatch(LaunchCancel::requested)) {
      // asked twice: the user wants out now, whatever is left
      System.exit(MayflyException.Exit.INTERRUPTED.code);
    }
    launches.forEach(l -> l.request("SIG" + s.getName()));
  }

  /**
   * Stops the launch as a signal would; what {@link #received} does for each launch.
   *
   * @param why what stopped it, as the launch's error says: "launch interrupted by WHY: ..."
   */
  public void request(String why) {
    if (signal != null) {
      return;
    }
    signal = why;
    // the host steps this process runs: their shells die with them, so a sleeping installer does
    // not outlive the launch (a thread interrupt would kill only the shell, not what it started)
    ProcessHandle.current().descendants().toList().forEach(ProcessHandle::destroyForcibly);
    stops.forEach(Runnable::run);
  }

  boolean requested() {
    return signal != null;
  }

  /** {@code SIGINT} or {@code SIGTERM}, once requested. */
  String signal() {
    return signal;
  }

  /** Runs {@code stop} when the launch is cancelled, at once if it is already. */
  void onCancel(Runnable stop) {
    stops.add(stop);
    if (requested()) {
      stop.run();
    }
  }

  /** The error a launch ends with once interrupted: exit 130, saying what was done. */
  MayflyException interrupted(String what) {
    return new MayflyException(
        MayflyException.Exit.INTERRUPTED, "launch interrupted by " + signal + ": " + what);
  }

  @Override
  public void close() {
    synchronized (ACTIVE) {
      if (ACTIVE.remove(this) && ACTIVE.isEmpty()) {
        PREVIOUS.forEach(Signal::handle);
        PREVIOUS.clear();
      }
    }
  }
}
