-- Who this registry is: a random id made on first use (Registry.id), carried by every resource mayfly
-- creates, so two registries on one cloud account or Cobbler pool never take each other's resources.
CREATE TABLE registry_meta (
  meta_key   VARCHAR(64)  NOT NULL PRIMARY KEY,
  meta_value VARCHAR(255) NOT NULL
);
