import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { captureIo } from '../support/io.js';
import { MOTO_ACCOUNT, seedScenario } from '../support/scenario.js';

const endpoint = inject('motoEndpoint');

/** Runs the CLI with the SDK pointed at moto, as a user with AWS_ENDPOINT_URL would. */
async function runAgainstMoto(argv: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  delete process.env.AWS_PROFILE;
  const io = captureIo();
  try {
    return { code: await runCli(argv, io), io };
  } finally {
    process.env = saved;
  }
}

const thisMonth = () => new Date().toISOString().slice(0, 7);
const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

describe('kms-report --month against moto (live collection)', () => {
  beforeEach(async () => {
    expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
  });

  it('collects, prices and judges the month to date, and never prices unknown requests at $0', async () => {
    const made = await seedScenario(endpoint);
    const out = await mkdtemp(join(tmpdir(), 'kms-report-live-'));
    const month = thisMonth();
    const { code, io } = await runAgainstMoto([
      '--month',
      month,
      '--regions',
      'us-east-1,eu-west-1',
      '--usage-source',
      'cloudwatch',
      '--no-last-usage',
      '--out',
      out,
    ]);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain(`${month} (month to date) for ${MOTO_ACCOUNT}:`);

    const set = join(out, MOTO_ACCOUNT, month);
    expect(await readdir(set)).toEqual(
      expect.arrayContaining(['report.md', 'report.json', 'usage.json', 'SHA256SUMS']),
    );
    const report = JSON.parse(await readFile(join(set, 'report.json'), 'utf8')) as MonthlyReport;
    expect(report.monthToDate).toBe(true);
    expect(report.keys).toHaveLength(made.length);
    // CloudWatch read what there is of the month so far; the per-key sources are named as not collected.
    expect(report.coverage.usage.map((u) => [u.region, u.source, u.status]).sort()).toEqual([
      ['eu-west-1', 'cloudtrail-lookup', 'not-collected'],
      ['eu-west-1', 'cloudtrail-s3', 'not-collected'],
      ['eu-west-1', 'cloudwatch', 'partial'],
      ['us-east-1', 'cloudtrail-lookup', 'not-collected'],
      ['us-east-1', 'cloudtrail-s3', 'not-collected'],
      ['us-east-1', 'cloudwatch', 'partial'],
    ]);
    expect(report.coverage.complete).toBe(false);
    // CloudWatch has no key dimension: per-key request costs are unknown, and the total says so.
    for (const key of report.keys) expect(key.requests).toBeNull();
    expect(report.summary.cost.total.complete).toBe(false);
    expect(await readFile(join(set, 'report.md'), 'utf8')).toMatch(
      /\*\*Estimated cost: at least \$\d+\.\d\d \(\d+ unknown\)\*\*/,
    );
    // Every key of the scenario is judged by every rule.
    expect(new Set(report.findings.map((f) => f.keyArn)).size).toBe(made.length);
    // moto leaves MultiRegion out of DescribeKey on single-Region keys: read from the configuration
    // and the key id, never a guess. Multi-Region keys (mrk-) fail (no allow-list), the others pass.
    const multiRegion = report.findings.filter((f) => f.ruleId === 'KMS-MR-01');
    expect(multiRegion.filter((f) => f.status !== 'NOT_APPLICABLE')).not.toHaveLength(0);
    for (const f of multiRegion.filter((f) => f.status !== 'NOT_APPLICABLE'))
      expect([f.keyId, f.status]).toEqual([f.keyId, f.keyId.startsWith('mrk-') ? 'FAIL' : 'PASS']);
    expect(multiRegion.some((f) => f.status === 'FAIL')).toBe(true);
  });

  it('leaves out keys created after the month it reports', async () => {
    const made = await seedScenario(endpoint);
    const out = await mkdtemp(join(tmpdir(), 'kms-report-live-'));
    const { code } = await runAgainstMoto([
      '--month',
      lastMonth(),
      '--regions',
      'us-east-1',
      '--usage-source',
      'none',
      '--no-last-usage',
      '--out',
      out,
      '--quiet',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(
      await readFile(join(out, MOTO_ACCOUNT, lastMonth(), 'report.json'), 'utf8'),
    ) as MonthlyReport;
    expect(report.keys).toEqual([]);
    expect(report.coverage.keysCreatedAfterMonth).toHaveLength(
      made.filter((m) => m.region === 'us-east-1').length,
    );
    expect(report.evidence.usageSources).toEqual([]);
  });
});
