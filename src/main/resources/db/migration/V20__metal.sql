-- Bare-metal machines held for deployments (provider metaleuca). A machine is one Cobbler server's
-- system, identified by its interface's ip_address; a row means "reserved", no row means free.
-- The primary key is the whole concurrency story: of two launches that want the same machine, the
-- second INSERT fails and that launch picks again (or reports how many are free).
CREATE TABLE metal_reservation (
  pool          VARCHAR(512) NOT NULL,  -- the Cobbler XML-RPC URL
  address       VARCHAR(255) NOT NULL,  -- the system's ip_address
  system_name   VARCHAR(255) NOT NULL,
  -- no foreign key: the reaper must still see a reservation whose deployment row is gone
  deployment_id VARCHAR(64)  NOT NULL,
  target        VARCHAR(64)  NOT NULL,
  reserved_by   VARCHAR(64)  NOT NULL,  -- the user who launched, for `metal instances --user`
  reserved_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (pool, address)
);
CREATE INDEX metal_reservation_by_deployment ON metal_reservation(deployment_id);
