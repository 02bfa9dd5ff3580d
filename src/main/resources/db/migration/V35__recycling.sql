-- How old a deployment's hosts are and when they are to be replaced (mayfly recycle). Portable: H2 2.x
-- and PostgreSQL 15. A deployment without a row (launched before recycling existed) has hosts as old as
-- the deployment and no policy.
CREATE TABLE recycling (
  deployment_id VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES deployment(id),
  -- recycle hosts older than this; null: never (no policy, or --recycle-every never)
  every_seconds BIGINT,
  -- when the hosts now serving were made: launch, then each successful recycle
  hosts_since   TIMESTAMP WITH TIME ZONE NOT NULL,
  -- failed scheduled recycles in a row, and when the daemon tries again (backoff)
  failures      INTEGER DEFAULT 0 NOT NULL,
  retry_at      TIMESTAMP WITH TIME ZONE,
  last_result   VARCHAR(1000)
);
