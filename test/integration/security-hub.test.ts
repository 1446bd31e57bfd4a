import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AwsSecurityFinding,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { Finding } from '../../src/model/findings.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { importToSecurityHub } from '../../src/publish/security-hub.js';
import { asffId } from '../../src/report/asff.js';
import { demoMonthlyReport } from '../support/demo-report.js';
import { captureIo } from '../support/io.js';
import { MOTO_ACCOUNT, SCENARIO_REGIONS, seedScenario } from '../support/scenario.js';

const endpoint = inject('motoEndpoint');
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const clients = (region: string) => new SecurityHubClient({ endpoint, region, credentials, maxAttempts: 2 });
const noWait = async () => {};

async function enable(regions: readonly string[]) {
  for (const region of regions) await clients(region).send(new EnableSecurityHubCommand({}));
}

/** Everything Security Hub holds in a region, every page. */
async function held(region: string): Promise<Map<string, AwsSecurityFinding>> {
  const all = new Map<string, AwsSecurityFinding>();
  let NextToken: string | undefined;
  do {
    const out = await clients(region).send(new GetFindingsCommand({ MaxResults: 100, NextToken }));
    for (const f of out.Findings ?? []) all.set(f.Id as string, f);
    NextToken = out.NextToken || undefined;
  } while (NextToken);
  return all;
}

const exported = (report: MonthlyReport, region: string) =>
  report.findings.filter((f) => f.region === region && f.status !== 'NOT_APPLICABLE');

/** November: one failing finding fixed, one key gone (deleted in between), a day later. */
function nextMonth(report: MonthlyReport): { report: MonthlyReport; fixed: Finding; gone: string } {
  const fixed = report.findings.find((f) => f.status === 'FAIL' && f.ruleId === 'KMS-ROT-01') as Finding;
  const gone = report.findings.find(
    (f) => f.region === fixed.region && f.keyArn !== fixed.keyArn && f.status !== 'NOT_APPLICABLE',
  )?.keyArn as string;
  const findings = report.findings
    .filter((f) => f.keyArn !== gone)
    .map((f) => (f === fixed ? { ...f, status: 'PASS' as const, reason: 'automatic rotation is on' } : f));
  return {
    report: { ...report, month: '2026-11', generatedAt: '2026-12-01T02:05:00.000Z', findings },
    fixed,
    gone,
  };
}

/** The command line with the SDK pointed at moto, as a user with AWS_ENDPOINT_URL would run it. */
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

/** A live report of this month (to date) of the moto account, with `extra` flags. */
const liveRun = (out: string, extra: string[]) =>
  runAgainstMoto([
    '--month',
    new Date().toISOString().slice(0, 7),
    '--regions',
    SCENARIO_REGIONS.join(','),
    '--usage-source',
    'none',
    '--no-last-usage',
    '--out',
    out,
    '--quiet',
    ...extra,
  ]);

const active = async (region: string) =>
  [...(await held(region)).values()].filter((f) => f.RecordState === 'ACTIVE');

beforeEach(async () => {
  expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
});

describe('--security-hub against moto (BatchImportFindings, GetFindings)', () => {
  it('imports each region its own findings, once per key and rule', async () => {
    const report = await demoMonthlyReport();
    await enable(report.scope.regions);

    const result = await importToSecurityHub(report, { clients, sleep: noWait });

    expect(result.complete).toBe(true);
    for (const r of result.regions) {
      expect(r).toMatchObject({ updated: 0, archived: 0, failedCount: 0, problem: null });
      expect(r.created).toBe(exported(report, r.region).length);
      const inHub = await held(r.region);
      expect([...inHub.keys()].sort()).toEqual(exported(report, r.region).map(asffId).sort());
    }
    const [region] = report.scope.regions as [string];
    const failing = exported(report, region).find((f) => f.status === 'FAIL') as Finding;
    expect((await held(region)).get(asffId(failing))).toMatchObject({
      GeneratorId: failing.ruleId,
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'AwsKmsKey', Id: failing.keyArn }],
    });
  });

  it('a second month updates the same findings, and resolves the fixed and the gone', async () => {
    const october = await demoMonthlyReport();
    await enable(october.scope.regions);
    await importToSecurityHub(october, { clients, sleep: noWait });
    const { report: november, fixed, gone } = nextMonth(october);

    const result = await importToSecurityHub(november, {
      clients,
      sleep: noWait,
      now: () => new Date('2026-12-01T02:06:00Z'),
    });

    expect(result.complete).toBe(true);
    const region = result.regions.find((r) => r.region === fixed.region);
    const goneIds = exported(october, fixed.region)
      .filter((f) => f.keyArn === gone)
      .map(asffId);
    expect(goneIds.length).toBeGreaterThan(0);
    expect(region).toMatchObject({ created: 0, archived: goneIds.length, failedCount: 0 });
    expect(region?.updated).toBe(exported(november, fixed.region).length);
    const inHub = await held(fixed.region);
    // Updated, not duplicated: the same ids as October's.
    expect(inHub.size).toBe(exported(october, fixed.region).length);
    expect(inHub.get(asffId(fixed))).toMatchObject({
      Compliance: { Status: 'PASSED' },
      RecordState: 'ACTIVE',
      CreatedAt: october.evidence.collectedAt.finishedAt,
      UpdatedAt: november.generatedAt,
    });
    for (const id of goneIds)
      expect(inHub.get(id)).toMatchObject({
        RecordState: 'ARCHIVED',
        Workflow: { Status: 'RESOLVED' },
        UpdatedAt: '2026-12-01T02:06:00.000Z',
      });
  });

  it('the command line refuses the demo and a saved snapshot (exit 2, nothing imported)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-sh-'));
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(0);
    const snapshot = join(out, '111122223333', '2026-10', 'snapshot.json');
    await enable(['us-east-1', 'eu-west-1']);

    const demo = await runAgainstMoto(['--demo', '--security-hub', '--out', out]);
    expect(demo.code).toBe(2);
    expect(demo.io.stderrText()).toContain('--security-hub');
    const saved = await runAgainstMoto([
      '--snapshot',
      snapshot,
      '--month',
      '2026-10',
      '--security-hub',
      '--out',
      join(out, 'saved'),
    ]);
    expect(saved.code).toBe(2);
    expect(saved.io.stderrText()).toMatch(/--security-hub: .*cannot be combined with --snapshot/);
    expect((await held('eu-west-1')).size).toBe(0);
  });

  it('the command line imports a live month into each region', async () => {
    const made = await seedScenario(endpoint);
    await enable(SCENARIO_REGIONS);
    const out = await mkdtemp(join(tmpdir(), 'kms-report-sh-'));

    const { code, io } = await liveRun(out, ['--security-hub']);

    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    const keys = new Set((await active('eu-west-1')).map((f) => f.Resources?.[0]?.Id));
    expect(keys).toEqual(new Set(made.filter((m) => m.region === 'eu-west-1').map((m) => m.arn)));
  });

  it('a filtered report still imports every finding: nothing still failing is archived', async () => {
    await seedScenario(endpoint);
    await enable(SCENARIO_REGIONS);
    const out = await mkdtemp(join(tmpdir(), 'kms-report-sh-'));
    const first = await liveRun(out, ['--security-hub']);
    expect(first.io.stderrText()).toBe('');
    expect(first.code).toBe(0);
    const failing = (await active('us-east-1')).filter((f) => f.Compliance?.Status === 'FAILED');
    expect(failing.length).toBeGreaterThan(0);

    const { code, io } = await liveRun(join(out, 'passing'), ['--status', 'pass', '--security-hub']);

    expect(code).toBe(0);
    // The report shows only the passing checks; Security Hub still holds every failing one, active.
    expect(io.stderrText()).not.toMatch(/[1-9]\d* resolved/);
    const after = new Map((await active('us-east-1')).map((f) => [f.Id, f]));
    for (const f of failing) expect(after.get(f.Id)?.Compliance?.Status).toBe('FAILED');
    expect(MOTO_ACCOUNT).toBe(failing[0]?.AwsAccountId);
  });
});
