import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * CUR 2.0 Parquet files written by a real Parquet writer (pyarrow, test/support/cur_fixture.py)
 * for the tests and the benchmark. The Python of the project's virtual environment
 * (`npm run setup:moto` installs pyarrow there with moto); KMS_REPORT_PYTHON overrides it.
 */
export const PYTHON = resolve(process.env.KMS_REPORT_PYTHON ?? '.venv/bin/python');
const SCRIPT = resolve(import.meta.dirname, 'cur_fixture.py');

/** One CUR row: column name to value (see cur_fixture.py for the columns and their defaults). */
export type CurFixtureRow = Record<string, string | number | null | Record<string, string>>;

export interface CurFixtureSpec {
  readonly out: string;
  readonly rowGroupSize?: number;
  readonly money?: 'double' | 'decimal';
  readonly dropColumns?: readonly string[];
  readonly month?: string;
  readonly rows?: readonly CurFixtureRow[];
  readonly synthetic?: {
    readonly rows: number;
    readonly kmsShare?: number;
    readonly keys?: number;
    readonly month?: string;
    readonly seed?: number;
    readonly invoiceId?: string;
  };
}

export interface CurFixtureSummary {
  readonly rows: number;
  readonly row_groups: number;
  readonly kms_rows: number;
  /** Per usage type: the KMS rows' summed quantity and amount (Python's Decimal of each double's repr). */
  readonly kms_totals: Record<string, { quantity: string; amount: string }>;
}

/** Writes one Parquet file; fails naming the install command when pyarrow is missing. */
export async function writeCurParquet(spec: CurFixtureSpec): Promise<CurFixtureSummary> {
  if (!existsSync(PYTHON))
    throw new Error(
      `${PYTHON} does not exist: the CUR fixtures are written by pyarrow in the project's virtual environment. Install it with:\n    npm run setup:moto`,
    );
  const input = JSON.stringify({
    out: spec.out,
    row_group_size: spec.rowGroupSize ?? 1000,
    money: spec.money ?? 'double',
    drop_columns: spec.dropColumns ?? [],
    month: spec.month ?? '2026-10',
    ...(spec.rows ? { rows: spec.rows } : {}),
    ...(spec.synthetic
      ? {
          synthetic: {
            rows: spec.synthetic.rows,
            kms_share: spec.synthetic.kmsShare ?? 0.25,
            keys: spec.synthetic.keys ?? 2000,
            month: spec.synthetic.month ?? spec.month ?? '2026-10',
            seed: spec.synthetic.seed ?? 7,
            invoice_id: spec.synthetic.invoiceId ?? '',
          },
        }
      : {}),
  });
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 3)
        return reject(
          new Error(`pyarrow is not installed in ${PYTHON}. Install it with:\n    npm run setup:moto`),
        );
      if (code !== 0) return reject(new Error(`cur_fixture.py exited with ${code}:\n${err}`));
      resolvePromise(JSON.parse(out) as CurFixtureSummary);
    });
    child.stdin.end(input);
  });
}
