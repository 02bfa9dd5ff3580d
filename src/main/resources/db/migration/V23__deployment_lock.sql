-- One row per deployment that anyone ever locked: launch, sync, extend, terminate and expiry hold its row
-- lock (SELECT ... FOR UPDATE on a connection of their own) while they work, so two processes never work
-- on one deployment at once. The database drops a lock when its holder's connection dies.
CREATE TABLE deployment_lock (
  deployment_id VARCHAR(64) NOT NULL PRIMARY KEY
);
