import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/program.js';
import { reconcileReportSet } from '../../src/pipeline/reconcile.js';
import { captureIo } from '../support/io.js';

/**
 * `--bill cost-explorer`, `--fail-on-drift` and `kms-report reconcile` on the demo's report set
 * (October 2026, account 111122223333), with Cost Explorer served by moto.
 */

const endpoint = inject('motoEndpoint');
const billClients = {
  costExplorer: () =>
    new CostExplorerClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    }),
};
const s3 = () =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
  });
const CUR_BUCKET = 'demo-billing-exports';
const DEMO_CUR = ['metadata', 'data'].map((part) =>
  part === 'data'
    ? 'kms-report-demo/data/BILLING_PERIOD=2026-10/kms-report-demo-00001.snappy.parquet'
    : 'kms-report-demo/metadata/BILLING_PERIOD=2026-10/kms-report-demo-Manifest.json',
);

/** The demo's CUR 2.0 export (demo/cur) in a moto bucket, at the bucket's root as its manifest says. */
async function putDemoCur() {
  const client = s3();
  await client.send(new CreateBucketCommand({ Bucket: CUR_BUCKET }));
  for (const key of DEMO_CUR)
    await client.send(
      new PutObjectCommand({ Bucket: CUR_BUCKET, Key: key, Body: await readFile(join('demo/cur', key)) }),
    );
}
const SET = (out: string) => join(out, '111122223333', '2026-10');

const group = (usageType: string, region: string, cost: string, quantity: string) => ({
  Keys: [usageType, region],
  Metrics: { UnblendedCost: { Amount: cost, Unit: 'USD' }, UsageQuantity: { Amount: quantity, Unit: 'N/A' } },
});

/** The demo month as billed: what the demo estimates per usage type, unless `keys` says otherwise. */
async function queueBill(options: { keys?: string; estimated?: boolean; unit?: string } = {}) {
  const groups = [
    group('eu-west-1-KMS-Keys', 'eu-west-1', '3.354838709677', '3.354838709677'),
    group('eu-west-1-KMS-Requests', 'eu-west-1', '0.9636', '341200'),
    group('us-east-1-KMS-Keys', 'us-east-1', options.keys ?? '18', options.keys ?? '18'),
    group('us-east-1-KMS-Requests', 'us-east-1', '7.5108', '2503600'),
    group('us-east-1-KMS-Requests-Asymmetric', 'us-east-1', '0.903', '60200'),
    group('us-east-1-KMS-Requests-Asymmetric-RSA-2048', 'us-east-1', '0.045', '15000'),
    group('us-east-1-KMS-Requests-GenerateDatakeyPair-ECC', 'us-east-1', '0.05', '5000'),
    group('us-east-1-KMS-Requests-GenerateDatakeyPair-RSA', 'us-east-1', '1.2', '1000'),
  ].map((g) =>
    options.unit
      ? { ...g, Metrics: { ...g.Metrics, UnblendedCost: { ...g.Metrics.UnblendedCost, Unit: options.unit } } }
      : g,
  );
  const result = {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Total: {},
        Groups: groups,
        Estimated: options.estimated ?? false,
      },
    ],
    DimensionValueAttributes: [],
  };
  const response = await fetch(`${endpoint}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    body: JSON.stringify({ results: [result] }),
  });
  expect(response.status).toBe(201);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file of the set matches its manifest entry. */
async function expectManifestRight(dir: string) {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    files: { name: string; sha256: string }[];
  };
  for (const f of manifest.files)
    expect([f.name, sha256(await readFile(join(dir, f.name)))]).toEqual([f.name, f.sha256]);
  return manifest.files.map((f) => f.name);
}

let out: string;
beforeEach(async () => {
  expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
  out = await mkdtemp(join(tmpdir(), 'kms-report-bill-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('kms-report --bill cost-explorer', () => {
  it('writes the estimate beside the bill; the demo estimate, a lower bound, fails --fail-on-drift as unknown', async () => {
    await queueBill();
    const io = captureIo({ billClients });
    const code = await runCli(
      ['--demo', '--out', out, '--bill', 'cost-explorer', '--fail-on-drift', '10'],
      io,
    );
    // The demo's estimate has key-months it could not price: whatever the bill, the drift is unknown.
    expect([code, io.stderrText()]).toEqual([
      ExitCode.Drift,
      'kms-report: exit 6 (--fail-on-drift 10): the estimate is a lower bound (1 line could not be priced): the drift is unknown\n',
    ]);
    expect(io.stdoutText()).toContain('bill (cost-explorer, final)');
    expect(io.stdoutText()).toContain('1 Cost Explorer request (GetCostAndUsage at $0.01 each: $0.01)');
    const dir = SET(out);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Estimate vs bill');
    // The RSA-2048 usage type's other spelling is mapped to its tier, not shown as unmapped.
    const rows = parse(await readFile(join(dir, 'reconciliation.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.find((r) => r.USAGE_TYPES === 'us-east-1-KMS-Requests-Asymmetric-RSA-2048')).toMatchObject({
      CATEGORY: 'KMS-Requests-Asymmetric-RSA_2048',
      DIFFERENCE: '0',
      FLAGGED: 'false',
    });
    // The estimate's unknown key-months stay unknown beside the bill.
    expect(rows.find((r) => r.USAGE_TYPES === 'us-east-1-KMS-Keys')).toMatchObject({
      ESTIMATE_AMOUNT: '',
      BILLED_AMOUNT: '18',
      EXPLANATION_KIND: 'estimate-unknown',
    });
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.bill).toMatchObject({
      source: 'cost-explorer',
      status: 'final',
      granularity: 'usage-type',
    });
    expect(await expectManifestRight(dir)).toContain('reconciliation.csv');
  });

  it('fails --fail-on-drift on a bill in another currency, naming both', async () => {
    await queueBill({ unit: 'EUR' });
    const io = captureIo({ billClients });
    const code = await runCli(
      ['--demo', '--out', out, '--quiet', '--bill', 'cost-explorer', '--fail-on-drift', '10'],
      io,
    );
    expect(code).toBe(ExitCode.Drift);
    expect(io.stderrText()).toContain('the bill is in EUR and the estimate in USD: they were not compared');
  });

  it('does not fail on the drift of a bill still estimated, and says so', async () => {
    await queueBill({ keys: '118', estimated: true });
    const io = captureIo({ billClients });
    const code = await runCli(['--demo', '--out', out, '--bill', 'cost-explorer'], io);
    expect(code).toBe(ExitCode.Ok);
    expect(await readFile(join(SET(out), 'report.md'), 'utf8')).toContain(
      'not flagged: the bill is still estimated',
    );
  });

  it('refuses --fail-on-drift without --bill', async () => {
    const io = captureIo({ billClients });
    expect(await runCli(['--demo', '--out', out, '--fail-on-drift', '5'], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('--fail-on-drift: goes with --bill');
  });
});

describe('kms-report reconcile', () => {
  it('writes the section, reconciliation.csv and report.json into an existing set, the manifest kept right', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    const before = await readFile(join(SET(out), 'keys.csv'));
    await queueBill({ keys: '118' });
    const io = captureIo({ billClients });
    const code = await runCli(['reconcile', '--month', '2026-10', '--out', out, '--fail-on-drift', '10'], io);
    expect(code).toBe(ExitCode.Drift);
    expect(io.stdoutText()).toContain('drift -7');
    const dir = SET(out);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    // Placed where the report renders it: after coverage, before the assumptions.
    expect(md.indexOf('## Estimate vs bill')).toBeGreaterThan(md.indexOf('## Coverage and gaps'));
    expect(md.indexOf('## Estimate vs bill')).toBeLessThan(md.indexOf('## Assumptions and limits'));
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).bill.totals.billed).toBe(
      '132.027238709677',
    );
    // Every other file is the same, byte for byte.
    expect(sha256(await readFile(join(dir, 'keys.csv')))).toBe(sha256(before));
    expect(await expectManifestRight(dir)).toContain('reconciliation.csv');

    // Run again: the section is replaced, not repeated.
    await queueBill();
    expect(
      await runCli(['reconcile', '--month', '2026-10', '--out', out, '--quiet'], captureIo({ billClients })),
    ).toBe(ExitCode.Ok);
    const again = await readFile(join(dir, 'report.md'), 'utf8');
    expect(again.split('## Estimate vs bill').length).toBe(2);
    await expectManifestRight(dir);
  });

  it('refuses a report set changed since its manifest was written, and writes nothing', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    const before = await readFile(join(SET(out), 'reconciliation.csv'));
    await writeFile(join(SET(out), 'keys.csv'), 'edited\n');
    const io = captureIo({ billClients });
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('keys.csv changed since the report set was written');
    expect(sha256(await readFile(join(SET(out), 'reconciliation.csv')))).toBe(sha256(before));
  });

  it('refuses a report.json that is not a report', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    const dir = SET(out);
    // Written with a manifest that matches, so only the content is wrong.
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    const bad = Buffer.from('{"kind":"kms-report/monthly-report","schemaVersion":2,"month":"2026-10"}');
    await writeFile(join(dir, 'report.json'), bad);
    for (const f of manifest.files) if (f.name === 'report.json') f.sha256 = sha256(bad);
    await writeFile(manifestPath, JSON.stringify(manifest));
    const io = captureIo({ billClients });
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toMatch(/report\.json: scope/);
  });

  it('reads the CUR export from its bucket (--bill cur --cur-bucket), found at the root, per key', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    await putDemoCur();
    const io = captureIo({ billClients: { s3 } });
    const code = await runCli(
      ['reconcile', '--month', '2026-10', '--out', out, '--bill', 'cur', '--cur-bucket', CUR_BUCKET],
      io,
    );
    expect([code, io.stderrText()]).toEqual([ExitCode.Ok, '']);
    expect(io.stdoutText()).toContain('bill (cur, final)');
    const report = JSON.parse(await readFile(join(SET(out), 'report.json'), 'utf8'));
    expect(report.bill).toMatchObject({ source: 'cur', granularity: 'key', gaps: [] });
    expect(report.bill.keyRows.length).toBeGreaterThan(0);
    await expectManifestRight(SET(out));
  });

  it('refuses --cur-bucket without --bill cur, and --bill cur without a bucket', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    const io = captureIo();
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out, '--cur-bucket', 'b'], io)).toBe(
      ExitCode.BadInput,
    );
    expect(io.stderrText()).toContain('--cur-bucket: goes with --bill cur');
    const io2 = captureIo();
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out, '--bill', 'cur'], io2)).toBe(
      ExitCode.BadInput,
    );
    expect(io2.stderrText()).toContain('cur needs --cur-bucket');
  });

  it('reconcileReportSet reads the CUR from the location it is given (library)', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    const { reconciliation } = await reconcileReportSet({
      dir: SET(out),
      bill: { source: 'cur', cur: { folder: 'demo/cur', exportName: 'kms-report-demo' } },
    });
    expect(reconciliation).toMatchObject({ source: 'cur', granularity: 'key', status: 'final', gaps: [] });
  });

  it('keeps the earlier reconciliation when the bill cannot be read, and fails saying so', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    await queueBill();
    expect(
      await runCli(['reconcile', '--month', '2026-10', '--out', out, '--quiet'], captureIo({ billClients })),
    ).toBe(ExitCode.Ok);
    const before = await readFile(join(SET(out), 'report.json'));
    const unreachable = {
      costExplorer: () =>
        new CostExplorerClient({
          endpoint: 'http://127.0.0.1:9',
          region: 'us-east-1',
          credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
          maxAttempts: 1,
        }),
    };
    const io = captureIo({ billClients: unreachable });
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out], io)).toBe(ExitCode.Error);
    expect(io.stderrText()).toContain("the report set's earlier reconciliation");
    expect(io.stderrText()).toContain('is kept, nothing was written');
    expect(sha256(await readFile(join(SET(out), 'report.json')))).toBe(sha256(before));
    await expectManifestRight(SET(out));
  });

  it('refuses a set whose manifest lists a file missing from the folder, naming it (exit 2)', async () => {
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
    await rm(join(SET(out), 'keys.csv'));
    const io = captureIo({ billClients });
    expect(await runCli(['reconcile', '--month', '2026-10', '--out', out], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain(
      "keys.csv is listed in the report set's manifest but missing from the folder",
    );
  });
});
