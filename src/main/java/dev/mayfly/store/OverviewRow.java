package dev.mayfly.store;

import java.util.Optional;

/**
 * A deployment with what the daemon keeps about it, read together for {@code list}.
 *
 * @param recycling empty for a deployment launched before recycling was recorded
 */
public record OverviewRow(
    DeploymentRow deployment, ScheduleRow schedule, Optional<RecycleRow> recycling) {}
