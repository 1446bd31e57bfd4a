import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The tests' Python (the project's virtual environment, with duckdb and sqlglot). */
export const TEST_PYTHON = resolve(process.env.TEST_PYTHON ?? '.venv/bin/python');
const SCRIPT = resolve('test/support/athena_duckdb.py');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys lower-cased at every level, as Athena's JSON SerDe matches struct fields. */
function lowerKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)]));
}

/** Columns the CloudTrail DDL declares STRING that hold JSON objects: the SerDe gives their text. */
const JSON_TEXT = new Set([
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'serviceeventdetails',
]);

/**
 * One CloudTrail record as a row of the CloudTrail table (AWS's DDL): top-level and struct fields
 * lower-cased, JSON-object columns as their text, `timestamp` the delivery day (`yyyy/MM/dd`).
 */
export function cloudTrailTableRow(record: Json, deliveryDay: string): Json {
  const row: Json = {};
  for (const [k, v] of Object.entries(record)) {
    const name = k.toLowerCase();
    row[name] = JSON_TEXT.has(name)
      ? v === null || v === undefined
        ? null
        : JSON.stringify(v)
      : lowerKeys(v);
  }
  row.timestamp = deliveryDay;
  return row;
}

/** What DuckDB answered: columns and rows as GetQueryResults would give them, and the transpiled SQL. */
export interface LocalAnswer {
  readonly columns: string[];
  readonly rows: (string | null)[][];
  readonly duckdb_sql: string;
}

/**
 * Runs Athena SQL on DuckDB over a table made from `ddl` holding `rows` (see athena_duckdb.py).
 * Fails naming the install command when the virtual environment is missing.
 */
export function runOnDuckDb(ddl: string, table: string, rows: readonly Json[], sql: string): LocalAnswer {
  if (!existsSync(TEST_PYTHON))
    throw new Error(
      `${TEST_PYTHON} does not exist: the SQL tests need duckdb and sqlglot. Install them with:\n    npm run setup:moto    (creates .venv from test/requirements.txt)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'athena-duckdb-'));
  try {
    const rowsPath = join(dir, 'rows.ndjson');
    writeFileSync(rowsPath, rows.map((r) => JSON.stringify(r)).join('\n'));
    const requestPath = join(dir, 'request.json');
    writeFileSync(requestPath, JSON.stringify({ ddl: resolve(ddl), table, rows: rowsPath, sql }));
    const run = spawnSync(TEST_PYTHON, [SCRIPT, requestPath], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0)
      throw new Error(
        `athena_duckdb.py failed (${run.status}):\n${run.stderr}\n(pip install -r test/requirements.txt into .venv if a module is missing)`,
      );
    return JSON.parse(run.stdout) as LocalAnswer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
