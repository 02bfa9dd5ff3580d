-- Addresses a provider keeps for a deployment across recycles (EC2 Elastic IPs with stable-address: true):
-- which host each one points at now. The cloud's tags stay the truth for what mayfly owns; this row lets
-- status and operators see the allocation without asking the cloud. Portable: H2 2.x and PostgreSQL 15.
CREATE TABLE stable_address (
  allocation_id VARCHAR(64)  NOT NULL PRIMARY KEY,
  deployment_id VARCHAR(64)  NOT NULL REFERENCES deployment(id),
  address       VARCHAR(64)  NOT NULL,
  -- the host it is associated with; null while it points at none
  host_id       VARCHAR(255)
);
CREATE INDEX stable_address_deployment ON stable_address (deployment_id);
