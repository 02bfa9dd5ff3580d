-- How many host rows a deployment has, kept by the registry with each host insert and delete in one
-- transaction: list showed it through a COUNT(*) subquery per row, a third of list's query time at
-- 10,000 deployments. Portable: H2 2.x and PostgreSQL 15.
ALTER TABLE deployment ADD COLUMN host_count INTEGER DEFAULT 0 NOT NULL;
UPDATE deployment SET host_count = (SELECT COUNT(*) FROM host h WHERE h.deployment_id = deployment.id);
