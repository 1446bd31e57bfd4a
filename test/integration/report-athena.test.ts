import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CUR_SQL_COLUMNS } from '../../src/bill/cur-athena.js';
import { runCli } from '../../src/cli/program.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { CLOUDTRAIL_SQL_COLUMNS } from '../../src/usage/athena-sql.js';
import { captureIo } from '../support/io.js';
import { MOTO_ACCOUNT, seedScenario } from '../support/scenario.js';

/**
 * The monthly report with Athena: `--usage-source athena` (the trail's table) and `--bill
 * cur-athena` (the CUR 2.0 table), the SDK pointed at moto, whose Athena answers each query with
 * the rows queued for it.
 */

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';

async function runAgainstMoto(argv: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
  });
  delete process.env.AWS_PROFILE;
  const io = captureIo();
  try {
    return { code: await runCli(argv, io), io };
  } finally {
    process.env = saved;
  }
}

async function moto(path: string, body: unknown) {
  const response = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.ok).toBe(true);
}

/** Queues the next query's rows, the header first (as Athena writes a SELECT's first page). */
async function queueRows(columns: readonly string[], rows: Record<string, string>[]) {
  const data = (values: (string | undefined)[]) => ({
    Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
  });
  await moto('/moto-api/static/athena/query-results', {
    account_id: MOTO_ACCOUNT,
    region: REGION,
    results: [
      {
        rows: [data([...columns]), ...rows.map((r) => data(columns.map((c) => r[c])))],
        column_info: columns.map((c) => ({
          Name: c,
          Label: c,
          Type: 'varchar',
          Nullable: 'UNKNOWN',
          CaseSensitive: true,
        })),
      },
    ],
  });
}

const thisMonth = () => new Date().toISOString().slice(0, 7);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/orders-app`;

let out: string;
beforeEach(async () => {
  await moto('/moto-api/reset', {});
  out = await mkdtemp(join(tmpdir(), 'kms-report-athena-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('kms-report --month with Athena (moto)', () => {
  it('--usage-source athena counts the month in the trail table: the counts, the callers and the scan cost in the report', async () => {
    const made = await seedScenario(endpoint);
    const key = made.find((k) => k.name === 'app-data')?.arn as string;
    const month = thisMonth();
    await queueRows(CLOUDTRAIL_SQL_COLUMNS, [
      {
        trail_account: MOTO_ACCOUNT,
        region: REGION,
        in_window: 'true',
        service_event: 'false',
        billed_account: MOTO_ACCOUNT,
        key_arn: key,
        operation: 'Decrypt',
        key_class: 'symmetric',
        id_type: 'AssumedRole',
        id_account: MOTO_ACCOUNT,
        id_arn: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/orders-app`,
        issuer_arn: ROLE,
        ok: '41204',
        failed: '3',
        first_time: `${month}-01T00:00:05Z`,
      },
    ]);
    const { code, io } = await runAgainstMoto([
      '--month',
      month,
      '--regions',
      REGION,
      '--usage-source',
      'athena',
      '--athena-table',
      'cloudtrail.org_trail',
      '--athena-output',
      's3://athena-results/kms-report/',
      '--no-last-usage',
      '--out',
      out,
    ]);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    const set = join(out, MOTO_ACCOUNT, month);
    const report = JSON.parse(await readFile(join(set, 'report.json'), 'utf8')) as MonthlyReport;
    // Only Athena is named: the month to date, counted from the table, with what the query scanned and cost.
    const athena = report.coverage.usage.find((u) => u.source === 'cloudtrail-athena');
    expect(athena?.status).toBe('partial');
    expect(athena?.detail).toContain('41,207 KMS events in the month');
    expect(athena?.detail).toMatch(
      /scanned 0 bytes for 1 account and 1 region \(\$\d+\.\d+ at \$5\.00 per TB\)/,
    );
    // The key's 41,204 successful symmetric requests at $0.03 per 10,000 (the free tier is the account's).
    expect(report.keys.find((k) => k.arn === key)?.requests).toBe('0.123612');
    const md = await readFile(join(set, 'report.md'), 'utf8');
    expect(md).toContain('cloudtrail-athena');
    expect(md).toMatch(/at \$5\.00 per TB/);
    // The usage evidence carries the callers, adding up to the requests (the reader refuses it otherwise).
    const usage = JSON.parse(await readFile(join(set, 'usage.json'), 'utf8'));
    expect(usage.usage.callers).toEqual([
      expect.objectContaining({
        keyArn: key,
        caller: ROLE,
        callerType: 'role',
        count: 41204,
        failedCount: 3,
      }),
    ]);
  });

  it('--bill cur-athena reads the CUR 2.0 table and puts the estimate beside it', async () => {
    const made = await seedScenario(endpoint);
    const key = made.find((k) => k.name === 'app-data')?.arn as string;
    const month = thisMonth();
    await queueRows(CUR_SQL_COLUMNS, [
      {
        account: MOTO_ACCOUNT,
        region: REGION,
        usage_type: 'us-east-1-KMS-Keys',
        operation: 'Unknown',
        resource_id: key,
        line_item_type: 'Usage',
        quantity: '0.5',
        amount: '0.500000000000',
        currency: 'USD',
        invoiced: '0',
        line_items: '12',
      },
    ]);
    const { code, io } = await runAgainstMoto([
      '--month',
      month,
      '--regions',
      REGION,
      '--usage-source',
      'none',
      '--bill',
      'cur-athena',
      '--cur-table',
      'cur.kms_export',
      '--athena-workgroup',
      'primary',
      '--athena-output',
      's3://athena-results/kms-report/',
      '--no-last-usage',
      '--out',
      out,
    ]);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain('bill (cur-athena, estimated)');
    const set = join(out, MOTO_ACCOUNT, month);
    const report = JSON.parse(await readFile(join(set, 'report.json'), 'utf8')) as MonthlyReport;
    expect(report.bill).toMatchObject({ source: 'cur-athena', status: 'estimated' });
    expect(report.bill?.readCost).toMatch(/on "cur"\."kms_export": 1 lines, scanned 0 bytes/);
    const md = await readFile(join(set, 'report.md'), 'utf8');
    expect(md).toContain('## Estimate vs bill');
    expect(md).toContain('the Cost and Usage Report (Athena)');
  });

  it('refuses Athena flags that nothing uses, and --bill cur-athena without its table, before any call', async () => {
    const month = thisMonth();
    const stray = await runAgainstMoto(['--month', month, '--athena-table', 'cloudtrail.org_trail']);
    expect(stray.code).toBe(2);
    expect(stray.io.stderrText()).toContain('--athena-table');
    expect(stray.io.stderrText()).toContain('goes with --usage-source athena');
    const noTable = await runAgainstMoto([
      '--month',
      month,
      '--usage-source',
      'none',
      '--bill',
      'cur-athena',
    ]);
    expect(noTable.code).toBe(2);
    expect(noTable.io.stderrText()).toContain('--cur-table');
  });
});
