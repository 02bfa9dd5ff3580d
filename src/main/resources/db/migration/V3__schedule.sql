-- What the scheduler daemon needs in the registry. Portable: runs on H2 2.x and PostgreSQL 15.

-- Unix 5-field cron the deployment syncs on (from --sync or the template); null: no scheduled sync
ALTER TABLE deployment ADD COLUMN sync_cron VARCHAR(120);
-- a commit `mayfly rollback` pinned the data to: scheduled syncs leave the deployment alone while set
ALTER TABLE deployment ADD COLUMN data_pin VARCHAR(64);
ALTER TABLE deployment ADD COLUMN last_sync_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE deployment ADD COLUMN last_sync_result VARCHAR(1000);
-- failed scheduled syncs in a row: the retry backoff grows with it, a success resets it
ALTER TABLE deployment ADD COLUMN sync_failures INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE deployment ADD COLUMN next_sync_at TIMESTAMP WITH TIME ZONE;
-- bumped by every change the schedule depends on (state, expiry, sync cron); the daemon records the
-- revision it scheduled, so it only reschedules what changed, even after downtime
ALTER TABLE deployment ADD COLUMN rev BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE deployment ADD COLUMN scheduled_rev BIGINT;
CREATE INDEX deployment_by_state ON deployment(state);

-- one row per expiry notice sent, so a notice goes out once per expiry even across restarts
CREATE TABLE notice_sent (
  deployment_id VARCHAR(64) NOT NULL REFERENCES deployment(id),
  expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  lead_seconds  BIGINT NOT NULL,
  sent_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (deployment_id, expires_at, lead_seconds)
);
