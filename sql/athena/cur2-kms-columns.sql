-- The columns of a CUR 2.0 (Data Exports) table that kms-report --bill cur-athena reads, with
-- the types Data Exports' Athena integration gives them (Parquet), partitioned by
-- billing_period (YYYY-MM). Data Exports creates the full table; this is for reference and tests.
CREATE EXTERNAL TABLE cur_kms (
  bill_billing_period_start_date TIMESTAMP,
  bill_invoice_id STRING,
  line_item_usage_account_id STRING,
  line_item_line_item_type STRING,
  line_item_product_code STRING,
  line_item_usage_type STRING,
  line_item_operation STRING,
  line_item_resource_id STRING,
  line_item_usage_amount DOUBLE,
  line_item_unblended_cost DOUBLE,
  line_item_currency_code STRING,
  product_region_code STRING
)
PARTITIONED BY (billing_period STRING)
STORED AS PARQUET
LOCATION 's3://amzn-s3-demo-bucket/cur2/kms-export/data/';
