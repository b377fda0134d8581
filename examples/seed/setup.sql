-- The production namespace: a catalog with three schemas, four grants to three groups, a
-- region row filter and a PII column mask.
--
-- Run examples/seed/tables.sql first, because the ALTER TABLE statements bind to its
-- tables. Create the groups it grants to (data-engineers, ml-engineers, edge-devices)
-- before it, and global-admin and pii-access, whose members the functions let through:
--   edgecat sql examples/seed/tables.sql examples/seed/setup.sql
--
-- These grants alone leave ml-engineers and edge-devices without USE_CATALOG on
-- production, so they cannot use what they were granted until an admin adds it:
--   edgecat check ml-engineers USE_CATALOG catalog production

CREATE CATALOG IF NOT EXISTS production;
CREATE SCHEMA IF NOT EXISTS production.ml_models;
CREATE SCHEMA IF NOT EXISTS production.feature_store;
CREATE SCHEMA IF NOT EXISTS production.edge_metrics;

-- Grant permissions
GRANT USE CATALOG ON CATALOG production TO `data-engineers`;
GRANT USE SCHEMA ON SCHEMA production.ml_models TO `ml-engineers`;
GRANT SELECT ON SCHEMA production.feature_store TO `ml-engineers`;
GRANT CREATE TABLE ON SCHEMA production.edge_metrics TO `edge-devices`;

-- Row-level security
CREATE FUNCTION production.ml_models.region_filter(region STRING)
RETURN IF(IS_ACCOUNT_GROUP_MEMBER('global-admin'), true, region = current_user_region());

ALTER TABLE production.ml_models.predictions
SET ROW FILTER production.ml_models.region_filter ON (region);

-- Column masking
CREATE FUNCTION production.ml_models.mask_pii(val STRING)
RETURN IF(IS_ACCOUNT_GROUP_MEMBER('pii-access'), val, '***MASKED***');

ALTER TABLE production.feature_store.customers
ALTER COLUMN email SET MASK production.ml_models.mask_pii;
