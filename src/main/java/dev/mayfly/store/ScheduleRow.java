package dev.mayfly.store;

import java.time.Instant;
import java.util.Optional;

/**
 * What the scheduler daemon keeps about one deployment.
 *
 * @param syncCron Unix 5-field cron, empty when the deployment does not sync
 * @param dataPin the commit a rollback pinned the data to; scheduled syncs skip the deployment
 *     meanwhile
 * @param syncFailures failed scheduled syncs in a row
 * @param rev changes whenever state, expiry or sync cron change
 */
public record ScheduleRow(
    String id,
    DeploymentState state,
    Optional<Instant> expiresAt,
    Optional<String> syncCron,
    Optional<String> dataPin,
    Optional<Instant> lastSyncAt,
    Optional<String> lastSyncResult,
    int syncFailures,
    Optional<Instant> nextSyncAt,
    long rev) {}
