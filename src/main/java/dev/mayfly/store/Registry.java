package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * The registry of deployments, hosts and their history, over JDBC: an embedded H2 file by default,
 * PostgreSQL for teams (the SQL in the stores is the subset both speak). It opens and migrates the
 * database and hands each call to the store of its tables. Methods are synchronized because launch
 * fans out over threads that share one connection.
 */
public final class Registry implements AutoCloseable {
  private final Jdbc jdbc;
  private final DeploymentStore deployments;
  private final RegistryMetaStore meta;
  private final HostStore hosts;
  private final EventStore events;
  private final HostKeyStore hostKeys;
  private final ScheduleStore schedules;
  private final DeploymentLocks locks;
  private final RecycleStore recycling;
  private final Runnable onClose;

  static {
    Database.bindLoopback();
  }

  private Registry(Jdbc jdbc, Seal seal, DeploymentLocks locks, Runnable onClose) {
    this.jdbc = jdbc;
    this.locks = locks;
    this.onClose = onClose;
    this.deployments = new DeploymentStore(jdbc, seal);
    this.meta = new RegistryMetaStore(jdbc);
    this.hosts = new HostStore(jdbc);
    this.events = new EventStore(jdbc);
    this.hostKeys = new HostKeyStore(jdbc, seal);
    this.schedules = new ScheduleStore(jdbc);
    this.recycling = new RecycleStore(jdbc);
  }

  /** Opens (creating and migrating as needed) the embedded {@code <stateDir>/registry.mv.db}. */
  public static Registry open(Path stateDir) {
    return open(Database.embedded(PrivateFiles.stateFolder(stateDir)));
  }

  /**
   * Opens and migrates the registry, its rows sealed with the key of {@code db}'s state folder. The
   * embedded file gets mayfly's own care (see {@link RegistryFile}).
   */
  public static Registry open(Database db) {
    Seal seal = Seal.of(db.stateDir(), Database.config(db.stateDir()));
    if (db.embedded()) {
      return RegistryFile.open(db, seal);
    }
    try {
      return connect(
          db,
          seal,
          redact(db.url()),
          () -> DriverManager.getConnection(db.url(), db.user(), db.password()),
          false);
    } catch (SQLException | RuntimeException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED,
          "cannot open the registry " + redact(db.url()) + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The embedded registry opened for this process alone, for one short read, when no other process
   * has it open and its schema is current; empty otherwise (then {@link #open(Database)} serves).
   * See {@link RegistryFile#openAlone}.
   */
  public static Optional<Registry> openAlone(Database db) {
    if (!db.embedded()) {
      return Optional.empty();
    }
    return RegistryFile.openAlone(db, Seal.of(db.stateDir(), Database.config(db.stateDir())));
  }

  /**
   * A registry on a connection from {@code open} whose schema is already current, else null (the
   * connection closed again); {@code onClose} runs after it closes.
   */
  static Registry ifCurrent(Seal seal, String where, Jdbc.Reconnect open, Runnable onClose)
      throws SQLException {
    Connection connection = open.open();
    if (!SchemaCheck.current(connection, javaMigrations(seal))) {
      connection.close();
      return null;
    }
    return new Registry(
        new Jdbc(connection, where, open), seal, new DeploymentLocks(open::open), onClose);
  }

  /**
   * Opens a connection, then migrates unless the schema is current (so Flyway's own connection
   * finds the database open).
   *
   * @param open how to connect; the deployment locks take their own connections with it
   * @param reconnects whether statements reconnect when the link breaks (the embedded file's server
   *     exited)
   */
  static Registry connect(
      Database db, Seal seal, String where, Jdbc.Reconnect open, boolean reconnects)
      throws SQLException {
    Connection connection = open.open();
    try {
      List<JavaMigration> javaMigrations = javaMigrations(seal);
      if (!SchemaCheck.current(connection, javaMigrations)) {
        Flyway.configure()
            .dataSource(db.url(), db.user(), db.password())
            .javaMigrations(javaMigrations.toArray(JavaMigration[]::new))
            .load()
            .migrate();
      }
      return new Registry(
          new Jdbc(connection, where, reconnects ? open : null),
          seal,
          new DeploymentLocks(open::open),
          () -> {});
    } catch (RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the migration's failure is the one to report
      }
      throw e;
    }
  }

  /** The migrations written in Java, which the schema check counts beside the SQL ones. */
  private static List<JavaMigration> javaMigrations(Seal seal) {
    return List.of(new V24__seals(seal));
  }

  /**
   * A JDBC URL fit to print: no settings after {@code ;} or {@code ?}, which may carry a password.
   */
  public static String redact(String jdbcUrl) {
    return jdbcUrl.split("[;?]")[0].replaceAll("//[^/@]*@", "//");
  }

  public synchronized void insert(DeploymentRow d) {
    deployments.insert(d);
  }

  /** Also bumps the schedule revision: the daemon reschedules (or unschedules) the deployment. */
  public synchronized void setState(String id, DeploymentState state) {
    deployments.setState(id, state);
  }

  /**
   * Sets the state only while the stored word is still {@code expected} (which may be one this
   * version cannot read); false when another writer changed it meanwhile. Bumps the revision like
   * setState.
   */
  public synchronized boolean replaceState(String id, String expected, DeploymentState state) {
    return deployments.replaceState(id, expected, state);
  }

  /**
   * Deployments whose stored state this version does not know (tampered, or another version's), by
   * id.
   */
  public synchronized Map<String, String> unknownStates() {
    return deployments.unknownStates();
  }

  /**
   * This registry's stable identity, made on first use: 16 hex digits. Every resource mayfly
   * creates carries it, so a registry only ever ends what is its own.
   */
  public synchronized String id() {
    return meta.id();
  }

  public synchronized void setUrl(String id, String url) {
    deployments.setUrl(id, url);
  }

  public synchronized void setServiceCommit(String id, String commit) {
    deployments.setServiceCommit(id, commit);
  }

  public synchronized void setSpec(String id, String specJson) {
    deployments.setSpec(id, specJson);
  }

  public synchronized void setDataCommit(String id, String commit) {
    deployments.setDataCommit(id, commit);
  }

  public synchronized void setExpiry(String id, Instant expiresAt) {
    deployments.setExpiry(id, expiresAt);
  }

  public synchronized Optional<DeploymentRow> find(String id) {
    return deployments.find(id);
  }

  /** See {@link ScheduleStore#daemonServing}. */
  public synchronized boolean daemonServing(Instant now) {
    return schedules.daemonServing(now);
  }

  /** See {@link DeploymentStore#prune}. */
  public synchronized List<String> prune(Instant before, boolean dryRun) {
    return deployments.prune(before, dryRun);
  }

  /** Every deployment, newest first. */
  public synchronized List<DeploymentRow> list() {
    return deployments.list();
  }

  /** {@code cron} is Unix 5-field, or null for no scheduled sync. */
  public synchronized void setSyncCron(String id, String cron) {
    schedules.setSyncCron(id, cron);
  }

  /** {@code commit} null lifts the pin. */
  public synchronized void setDataPin(String id, String commit) {
    schedules.setDataPin(id, commit);
  }

  /**
   * Records a sync's outcome; a failure counts up (for the retry backoff), anything else resets the
   * count.
   */
  public synchronized void recordSync(String id, Instant at, String result, boolean failed) {
    schedules.recordSync(id, at, result, failed);
  }

  /**
   * The same outcome for many deployments in one statement per chunk (an idle round touches them
   * all).
   */
  public synchronized void recordSyncs(List<String> ids, Instant at, String result) {
    schedules.recordSyncs(ids, at, result);
  }

  /**
   * When the daemon will sync next, for {@code mayfly list}; for all deployments on {@code cron} at
   * once.
   */
  public synchronized void setNextSync(String cron, Instant at) {
    schedules.setNextSync(cron, at);
  }

  public synchronized void setNextSyncOf(String id, Instant at) {
    schedules.setNextSyncOf(id, at);
  }

  /** Scheduling facts of every deployment, by id. */
  public synchronized Map<String, ScheduleRow> schedules() {
    return schedules.all().stream()
        .collect(Collectors.toMap(ScheduleRow::id, r -> r, (a, b) -> a, LinkedHashMap::new));
  }

  public synchronized Optional<ScheduleRow> schedule(String id) {
    return schedules.find(id);
  }

  /** Deployments whose schedule changed since the daemon last scheduled them. */
  public synchronized List<ScheduleRow> unscheduled() {
    return schedules.unscheduled();
  }

  /** Deployments (in any state) that expire before {@code cutoff}. */
  public synchronized List<ScheduleRow> expiringBefore(Instant cutoff) {
    return schedules.expiringBefore(cutoff);
  }

  /**
   * Notes that the daemon scheduled these revisions (by deployment id); a concurrent change (a
   * newer rev) stays pending. One transaction: one commit to disk, not one per row (10,000 rows
   * took 2.3 s one by one).
   */
  public synchronized void markScheduled(Map<String, Long> revs) {
    jdbc.inTransaction(() -> revs.forEach(schedules::markScheduled));
  }

  /** Ids of deployments in {@code state} that sync on {@code cron}. */
  public synchronized List<String> idsSyncingOn(String cron, DeploymentState state) {
    return schedules.idsSyncingOn(cron, state);
  }

  /** The distinct sync crons of deployments in {@code state}. */
  public synchronized List<String> syncCrons(DeploymentState state) {
    return schedules.syncCrons(state);
  }

  /**
   * Claims the notice {@code lead} before {@code expiresAt}: true the first time, false when it was
   * sent already (by this process, an earlier run, or another daemon of the cluster).
   */
  public synchronized boolean claimNotice(String id, Instant expiresAt, Duration lead) {
    return schedules.claimNotice(id, expiresAt, lead);
  }

  // ---- recycling: host age and policy

  /** At launch: when its hosts were made, and how often they are replaced (null: never). */
  public synchronized void startRecycling(String id, Duration every, Instant hostsSince) {
    recycling.start(id, every, hostsSince);
  }

  /** After a recycle: the new hosts serve since {@code at}, at service {@code serviceCommit}. */
  public synchronized void recycled(
      String id, Instant at, String serviceCommit, String dataCommit, String result) {
    jdbc.inTransaction(
        () -> {
          DeploymentRow d = deployments.find(id).orElseThrow();
          recycling.recycled(id, at, d.createdAt(), result);
          recycling.setServiceCommit(id, serviceCommit);
          deployments.setDataCommit(id, dataCommit);
        });
  }

  /** A scheduled recycle failed: counted, and tried again at {@code retryAt}. */
  public synchronized void recycleFailed(String id, Instant retryAt, String result) {
    recycling.failed(id, retryAt, result);
  }

  public synchronized Optional<RecycleRow> recycling(String id) {
    return recycling.find(id);
  }

  /** Every deployment with its schedule and recycling row, newest first, in one query. */
  public synchronized List<OverviewRow> overviews() {
    return deployments.overviews();
  }

  /** Every deployment's recycling row by id; deployments without one are missing. */
  public synchronized Map<String, RecycleRow> recyclings() {
    return recycling.all().stream()
        .collect(
            Collectors.toMap(RecycleRow::deploymentId, r -> r, (a, b) -> a, LinkedHashMap::new));
  }

  /** Inserts or replaces a host. */
  public synchronized void putHost(HostRow h) {
    jdbc.inTransaction(() -> hosts.put(h));
  }

  /** Forgets a host the deployment no longer has (one a recycle replaced). */
  public synchronized void removeHost(String deploymentId, String hostId) {
    jdbc.inTransaction(() -> hosts.remove(deploymentId, hostId));
  }

  public synchronized List<HostRow> hosts(String deploymentId) {
    return hosts.of(deploymentId);
  }

  /** Appends to the history; {@code hostId} is null for deployment-wide events. */
  public synchronized void event(String deploymentId, String hostId, String kind, String detail) {
    events.append(deploymentId, hostId, kind, detail);
  }

  public synchronized List<EventRow> events(String deploymentId) {
    return events.of(deploymentId);
  }

  /**
   * Takes the deployment's lock, which launch, sync, extend, terminate and expiry hold while they
   * work, across processes; waits at most {@code wait} for its holder.
   */
  public DeploymentLocks.Held lock(String deploymentId, Duration wait) {
    return locks.take(deploymentId, wait);
  }

  /** Bare-metal reservations, on this registry's connection and under its lock. */
  public Reservations reservations() {
    return new Reservations(jdbc, this);
  }

  /** Addresses kept across recycles (Elastic IPs), on this registry's connection and lock. */
  public StableAddresses stableAddresses() {
    return new StableAddresses(jdbc, this);
  }

  /** A pinned SSH host key. */
  public record HostKeyRow(
      String hostPort, String algorithm, String fingerprint, String publicKey, Instant firstSeen) {}

  public synchronized Optional<HostKeyRow> hostKey(String hostPort) {
    return hostKeys.find(hostPort);
  }

  /**
   * Pins {@code key} unless a key is pinned for its host already; returns the pinned one either
   * way.
   */
  public synchronized HostKeyRow pinHostKey(HostKeyRow key) {
    return hostKeys.pin(key);
  }

  /**
   * Forgets the pin, so the next contact pins whatever key the server shows; false if none was
   * pinned.
   */
  public synchronized boolean forgetHostKey(String hostPort) {
    return hostKeys.forget(hostPort);
  }

  @Override
  public synchronized void close() {
    try {
      jdbc.close();
    } finally {
      onClose.run();
    }
  }
}
