-- The tables that examples/seed/setup.sql binds a row filter and a column mask to, and the
-- inference log table that edge devices write to. Run it before setup.sql:
--   edgecat sql examples/seed/tables.sql examples/seed/setup.sql

CREATE CATALOG IF NOT EXISTS production;
CREATE SCHEMA IF NOT EXISTS production.ml_models;
CREATE SCHEMA IF NOT EXISTS production.feature_store;
CREATE SCHEMA IF NOT EXISTS production.edge_metrics;

-- Predictions per device. The region filter of setup.sql binds to its region column.
CREATE TABLE IF NOT EXISTS production.ml_models.predictions (
  device_id STRING NOT NULL,
  region STRING,
  timestamp TIMESTAMP,
  model_version STRING,
  prediction DOUBLE
) USING DELTA
PARTITIONED BY (region);

-- Customers. The PII mask of setup.sql binds to the email column.
CREATE TABLE IF NOT EXISTS production.feature_store.customers (
  customer_id BIGINT NOT NULL,
  email STRING COMMENT 'personal data, masked for readers outside pii-access',
  region STRING
) USING DELTA;

CREATE TABLE IF NOT EXISTS production.edge_metrics.inference_logs (
  device_id STRING,
  timestamp TIMESTAMP,
  model_version STRING,
  prediction DOUBLE,
  confidence DOUBLE,
  latency_ms DOUBLE,
  input_hash STRING
) USING DELTA
PARTITIONED BY (date(timestamp))
TBLPROPERTIES ('delta.autoOptimize.optimizeWrite' = 'true');
