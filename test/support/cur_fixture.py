"""Writes Cost and Usage Report 2.0 (Data Exports) Parquet files for kms-report's tests, demo and
benchmark, with a real Parquet writer (pyarrow): a realistic subset of the CUR 2.0 schema (the
columns kms-report reads, and others it must skip, `product` and `resource_tags` as
map<string, string>), snappy-compressed, in row groups of a chosen size.

Usage (one JSON document on stdin, one JSON summary on stdout):

    .venv/bin/python test/support/cur_fixture.py < spec.json

The spec:

    {
      "out": "path/to/file.snappy.parquet",
      "row_group_size": 1000,           # rows per row group
      "money": "double" | "decimal",    # how line_item_usage_amount / unblended_cost are typed
      "drop_columns": ["line_item_resource_id"],   # optional: columns left out
      "rows": [ {column: value, ...} ],            # explicit rows (defaults fill the rest), or
      "synthetic": {"rows": 400000, "kms_share": 0.25, "keys": 2000, "month": "2026-10", "seed": 7}
    }

The summary gives the rows written, the row groups, and for synthetic files the KMS totals per
usage type computed here with Python's Decimal from each double's shortest representation (what
a reader must find).
"""

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - said to the test, which names the install command
    sys.stderr.write("pyarrow is not installed: run `npm run setup:moto`\n")
    sys.exit(3)

STRING_COLUMNS = [
    "identity_line_item_id",
    "identity_time_interval",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_billing_entity",
    "bill_bill_type",
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_currency_code",
    "line_item_unblended_rate",
    "line_item_line_item_description",
    "product_region_code",
    "product_servicecode",
    "pricing_unit",
]
TIMESTAMP_COLUMNS = [
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
]
MONEY_COLUMNS = ["line_item_usage_amount", "line_item_unblended_cost", "pricing_public_on_demand_cost"]
MAP_COLUMNS = ["product", "resource_tags"]
ORDER = [
    "identity_line_item_id",
    "identity_time_interval",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_billing_entity",
    "bill_bill_type",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_line_item_description",
    "product",
    "product_region_code",
    "product_servicecode",
    "pricing_public_on_demand_cost",
    "pricing_unit",
    "resource_tags",
]


def schema_of(money, drop):
    fields = []
    for name in ORDER:
        if name in drop:
            continue
        if name in STRING_COLUMNS:
            fields.append(pa.field(name, pa.string()))
        elif name in TIMESTAMP_COLUMNS:
            fields.append(pa.field(name, pa.timestamp("ms")))
        elif name in MONEY_COLUMNS:
            fields.append(pa.field(name, pa.decimal128(38, 10) if money == "decimal" else pa.float64()))
        elif name in MAP_COLUMNS:
            fields.append(pa.field(name, pa.map_(pa.string(), pa.string())))
    return pa.schema(fields)


def month_bounds(month):
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=timezone.utc)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=timezone.utc)
    return start, end


def parse_time(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def complete(row, index, month):
    """A row with every column: the given values, realistic defaults for the rest."""
    start, end = month_bounds(row.get("month", month))
    usage_start = parse_time(row.get("line_item_usage_start_date")) or start
    region = row.get("product_region_code", "us-east-1")
    out = {
        "identity_line_item_id": f"li-{index:08d}",
        "identity_time_interval": f"{usage_start:%Y-%m-%dT%H:%M:%SZ}/{usage_start + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}",
        "bill_invoice_id": "",
        "bill_invoicing_entity": "Amazon Web Services, Inc.",
        "bill_billing_entity": "AWS",
        "bill_bill_type": "Anniversary",
        "bill_payer_account_id": "111122223333",
        "bill_billing_period_start_date": start,
        "bill_billing_period_end_date": end,
        "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": usage_start,
        "line_item_usage_end_date": usage_start + timedelta(days=1),
        "line_item_product_code": "awskms",
        "line_item_usage_type": f"{region}-KMS-Requests",
        "line_item_operation": "Decrypt",
        "line_item_availability_zone": "",
        "line_item_resource_id": "",
        "line_item_usage_amount": 0.0,
        "line_item_currency_code": "USD",
        "line_item_unblended_rate": "",
        "line_item_unblended_cost": 0.0,
        "line_item_line_item_description": "",
        "product": {"region": region, "servicename": "AWS Key Management Service"},
        "product_region_code": region,
        "product_servicecode": "awskms",
        "pricing_public_on_demand_cost": None,
        "pricing_unit": "Requests",
        "resource_tags": {},
    }
    for name, value in row.items():
        if name == "month":
            continue
        out[name] = parse_time(value) if name in TIMESTAMP_COLUMNS else value
    if out["pricing_public_on_demand_cost"] is None:
        out["pricing_public_on_demand_cost"] = out["line_item_unblended_cost"]
    return out


def to_table(rows, schema, money):
    columns = {}
    for field in schema:
        values = [r[field.name] for r in rows]
        if field.name in MONEY_COLUMNS and money == "decimal":
            values = [None if v is None else Decimal(str(v)) for v in values]
        if field.name in MAP_COLUMNS:
            values = [list(v.items()) if v is not None else None for v in values]
        columns[field.name] = pa.array(values, type=field.type)
    return pa.table(columns, schema=schema)


OTHER_PRODUCTS = [
    ("AmazonEC2", "BoxUsage:m5.large", "RunInstances", "Hrs", 0.096),
    ("AmazonS3", "TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.023),
    ("AWSLambda", "Lambda-GB-Second", "Invoke", "Lambda-GB-Second", 0.0000166667),
    ("AmazonCloudWatch", "CW:MetricMonitorUsage", "MetricStorage", "Metrics", 0.3),
    ("AmazonDynamoDB", "ReadRequestUnits", "GetItem", "ReadRequestUnits", 0.00000025),
]
KMS_USAGE = [
    # suffix, operation, quantity range per day, price per unit
    ("KMS-Keys", "CreateKey", None, 1.0),
    ("KMS-Requests", "Decrypt", (1, 40_000), 0.000003),
    ("KMS-Requests", "GenerateDataKey", (1, 20_000), 0.000003),
    ("KMS-Requests-Asymmetric", "Sign", (1, 2_000), 0.000015),
]


def synthetic_rows(spec, month):
    """Rows in batches of spec's row group size: other services' rows and KMS rows mixed."""
    rnd = random.Random(spec.get("seed", 7))
    total = int(spec["rows"])
    share = float(spec.get("kms_share", 0.25))
    accounts = ["111122223333", "444455556666", "777788889999"]
    regions = ["us-east-1", "eu-west-1"]
    key_count = int(spec.get("keys", 2000))
    keys = [
        (
            accounts[i % len(accounts)],
            regions[i % len(regions)],
            f"arn:aws:kms:{regions[i % len(regions)]}:{accounts[i % len(accounts)]}:key/{i:08x}-0000-4000-8000-{i:012x}",
        )
        for i in range(key_count)
    ]
    start, _ = month_bounds(month)
    invoice = spec.get("invoice_id", "")
    for index in range(total):
        day = start + timedelta(days=rnd.randrange(28))
        if rnd.random() < share:
            account, region, arn = keys[rnd.randrange(key_count)]
            suffix, operation, qrange, price = KMS_USAGE[rnd.randrange(len(KMS_USAGE))]
            quantity = round(1 / 31, 10) if qrange is None else float(rnd.randint(*qrange))
            row = {
                "line_item_usage_account_id": account,
                "product_region_code": region,
                "line_item_usage_type": f"{region}-{suffix}",
                "line_item_operation": operation,
                "line_item_resource_id": arn,
                "line_item_usage_amount": quantity,
                "line_item_unblended_cost": round(quantity * price, 10),
                "pricing_unit": "Keys" if qrange is None else "Requests",
                "resource_tags": {"user_team": f"team-{rnd.randrange(20)}"},
            }
        else:
            product, usage, operation, unit, price = OTHER_PRODUCTS[rnd.randrange(len(OTHER_PRODUCTS))]
            account = accounts[rnd.randrange(len(accounts))]
            region = regions[rnd.randrange(len(regions))]
            quantity = round(rnd.random() * 100, 6)
            row = {
                "line_item_usage_account_id": account,
                "line_item_product_code": product,
                "product_region_code": region,
                "line_item_usage_type": f"{region.upper()[:2]}-{usage}",
                "line_item_operation": operation,
                "line_item_resource_id": f"arn:aws:{product.lower()}:{region}:{account}:r/{rnd.randrange(10_000)}",
                "line_item_usage_amount": quantity,
                "line_item_unblended_cost": round(quantity * price, 10),
                "pricing_unit": unit,
                "product": {"region": region, "servicename": product, "instanceType": "m5.large"},
            }
        row["bill_invoice_id"] = invoice
        row["line_item_usage_start_date"] = day
        yield complete(row, index, month)


def main():
    spec = json.load(sys.stdin)
    money = spec.get("money", "double")
    drop = set(spec.get("drop_columns", []))
    month = spec.get("month", "2026-10")
    schema = schema_of(money, drop)
    group = int(spec.get("row_group_size", 1000))
    summary = {"rows": 0, "row_groups": 0, "kms_rows": 0, "kms_totals": {}}
    totals = {}
    if "synthetic" in spec:
        month = spec["synthetic"].get("month", month)
        source = synthetic_rows(spec["synthetic"], month)
    else:
        source = (complete(r, i, month) for i, r in enumerate(spec["rows"]))
    with pq.ParquetWriter(spec["out"], schema, compression="snappy") as writer:
        batch = []

        def flush():
            if not batch:
                return
            writer.write_table(to_table(batch, schema, money), row_group_size=group)
            summary["row_groups"] += 1
            batch.clear()

        for row in source:
            summary["rows"] += 1
            if row["line_item_product_code"] == "awskms":
                summary["kms_rows"] += 1
                t = totals.setdefault(row["line_item_usage_type"], [Decimal(0), Decimal(0)])
                t[0] += Decimal(repr(float(row["line_item_usage_amount"])))
                t[1] += Decimal(repr(float(row["line_item_unblended_cost"])))
            batch.append({k: v for k, v in row.items() if k not in drop})
            if len(batch) >= group:
                flush()
        flush()
    summary["kms_totals"] = {
        k: {"quantity": format(q.normalize(), "f"), "amount": format(a.normalize(), "f")}
        for k, (q, a) in sorted(totals.items())
    }
    json.dump(summary, sys.stdout)


if __name__ == "__main__":
    main()
