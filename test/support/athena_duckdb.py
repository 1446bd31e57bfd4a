"""Runs an Athena (Trino) query on DuckDB over a table made from Athena DDL, for the tests.

Usage: athena_duckdb.py REQUEST.json
REQUEST: {"ddl": path of the CREATE EXTERNAL TABLE, "table": "db.table",
          "rows": path of NDJSON rows (lower-case column names, as Athena's JSON SerDe maps them),
          "sql": the query in Athena's dialect}
Prints {"columns": [...], "rows": [[str|null, ...], ...], "duckdb_sql": ...}: values as Athena's
GetQueryResults gives them (text; booleans true/false; NULL as null).

The DDL goes through sqlglot (athena -> duckdb); partition columns (PARTITIONED BY) become
ordinary columns. The query is parsed in Athena's dialect and transpiled to DuckDB's: a query
sqlglot cannot parse as Athena SQL fails the test.
"""

import json
import sys

import duckdb
import sqlglot
from sqlglot import exp


def table_from_ddl(con, ddl: str, qualified: str) -> None:
    create = sqlglot.parse_one(ddl, read="athena")
    db, name = qualified.split(".")
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{db}"')
    schema = create.this
    columns = [c.sql(dialect="duckdb") for c in schema.expressions]
    partitioned = create.find(exp.PartitionedByProperty)
    if partitioned is not None:
        for c in partitioned.this.expressions:
            columns.append(c.sql(dialect="duckdb"))
    con.execute(f'CREATE TABLE "{db}"."{name}" ({", ".join(columns)})')


def text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def main() -> None:
    request = json.load(open(sys.argv[1]))
    con = duckdb.connect()
    table_from_ddl(con, open(request["ddl"]).read(), request["table"])
    db, name = request["table"].split(".")
    types = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [db, name],
    ).fetchall()
    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types) + "}"
    con.execute(
        f'INSERT INTO "{db}"."{name}" SELECT * FROM read_json(?, format = \'newline_delimited\', columns = {spec})',
        [request["rows"]],
    )
    parsed = sqlglot.parse_one(request["sql"], read="athena")
    duck = parsed.sql(dialect="duckdb")
    cursor = con.execute(duck)
    columns = [d[0] for d in cursor.description]
    rows = [[text(v) for v in row] for row in cursor.fetchall()]
    json.dump({"columns": columns, "rows": rows, "duckdb_sql": duck}, sys.stdout)


if __name__ == "__main__":
    main()
