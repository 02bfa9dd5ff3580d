-- Which registry reserved a machine (Registry.id, as in the machine's Cobbler claim word): a reservation
-- records its owner like every resource mayfly creates. Empty for reservations made before.
ALTER TABLE metal_reservation ADD COLUMN registry_id VARCHAR(64);
