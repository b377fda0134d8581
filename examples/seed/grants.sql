-- The grants that setup.sql leaves out, so that each group can use what it was granted, and
-- the grants the services need. Run it after setup.sql, once edgecat-telemetry has adopted
-- production.edge_metrics.inference_logs (it adds the region column the filter binds to).
-- It also grants to the analysts group, which setup.sql does not use, so create that first:
--   edgecat group create analysts
--   edgecat sql examples/seed/grants.sql

-- Usage for the groups that setup.sql grants inside the catalog.
GRANT USE CATALOG ON CATALOG production TO `ml-engineers`;
GRANT USE CATALOG ON CATALOG production TO `edge-devices`;
GRANT USE CATALOG ON CATALOG production TO `analysts`;
GRANT USE SCHEMA, CREATE MODEL ON SCHEMA production.ml_models TO `ml-engineers`;
GRANT USE SCHEMA ON SCHEMA production.feature_store TO `ml-engineers`;

-- Devices write the inference log and read the model; CREATE TABLE alone does not let them
-- write rows.
GRANT USE SCHEMA ON SCHEMA production.edge_metrics TO `edge-devices`;
GRANT MODIFY ON TABLE production.edge_metrics.inference_logs TO `edge-devices`;
GRANT USE SCHEMA, EXECUTE ON SCHEMA production.ml_models TO `edge-devices`;

-- Analysts read the monitoring tables.
GRANT USE SCHEMA, SELECT ON SCHEMA production.edge_metrics TO `analysts`;

-- The telemetry service hosts the inference log and rolls back models when an alert fires.
GRANT USE CATALOG ON CATALOG production TO `service:telemetry`;
GRANT USE SCHEMA, CREATE TABLE, MODIFY ON SCHEMA production.edge_metrics TO `service:telemetry`;
GRANT USE SCHEMA, EXECUTE, DEPLOY ON SCHEMA production.ml_models TO `service:telemetry`;

-- The region filter also guards the rows devices send.
ALTER TABLE production.edge_metrics.inference_logs
SET ROW FILTER production.ml_models.region_filter ON (region);

-- The table the demo's models are trained on, the start of their lineage.
CREATE TABLE IF NOT EXISTS production.feature_store.digits_training (
  sample_id BIGINT NOT NULL,
  split STRING,
  label INT,
  pixels STRING COMMENT '64 grey levels of an 8x8 handwritten digit'
) USING DELTA;
