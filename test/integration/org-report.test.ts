import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/program.js';
import type { InventorySnapshot } from '../../src/model/inventory.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { captureIo } from '../support/io.js';
import { MEMBER_ROLE, motoOrganizationClients, seedOrganization } from '../support/org-scenario.js';

const endpoint = inject('motoEndpoint');

const thisMonth = () => new Date().toISOString().slice(0, 7);
const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

async function run(argv: string[]) {
  const io = captureIo({ clients: motoOrganizationClients(endpoint) });
  const code = await runCli(argv, io);
  return { code, io };
}

describe('kms-report --org against moto (an organisation of five accounts)', () => {
  beforeEach(async () => {
    expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
  });

  it('reports every key under its account, and the account whose role does not exist as a gap', async () => {
    // Prepare
    const org = await seedOrganization(endpoint);
    const legacy = org.accounts.find((a) => a.name === 'legacy');
    const out = await mkdtemp(join(tmpdir(), 'kms-report-org-'));
    const month = thisMonth();
    // Act
    const { code, io } = await run([
      '--month',
      month,
      '--org',
      '--role-name',
      MEMBER_ROLE,
      '--regions',
      'us-east-1,eu-west-1',
      '--usage-source',
      'cloudwatch',
      '--no-last-usage',
      '--free-tier',
      'organization',
      '--fail-on-gaps',
      '--out',
      out,
    ]);
    // Assess: stderr holds only the line that says why it exits 4.
    expect(io.stderrText()).toBe(
      'kms-report: exit 4 (--fail-on-gaps): coverage is incomplete (1 gap, usage sources incomplete)\n',
    );
    expect(code).toBe(ExitCode.Gaps);
    expect(io.stdoutText()).toContain(`${month} (month to date) for 5 accounts of ${org.id}:`);
    expect(io.stdoutText()).toContain(`1 account could not be read: ${legacy?.id}`);

    const set = join(out, 'organization', month);
    const report = JSON.parse(await readFile(join(set, 'report.json'), 'utf8')) as MonthlyReport;
    const seen = org.keys.filter((k) => k.account !== legacy?.id);
    expect(report.scope.accounts).toEqual(org.accounts.map((a) => a.id).sort());
    expect(report.keys.map((k) => [k.account, k.arn]).sort()).toEqual(
      seen.map((k) => [k.account, k.arn]).sort(),
    );
    for (const key of report.keys) {
      const account = org.accounts.find((a) => a.id === key.account);
      expect(key.accountName).toBe(account?.name);
      expect(key.arn.split(':')[4]).toBe(key.account);
    }

    // The account that could not be entered: a gap with the error, listed in the coverage.
    expect(report.coverage.complete).toBe(false);
    expect(report.coverage.gaps).toContainEqual(
      expect.objectContaining({
        scope: 'account',
        account: legacy?.id,
        operation: 'AssumeRole',
        errorCode: 'AccessDenied',
      }),
    );
    expect(report.coverage.regions.filter((r) => r.account === legacy?.id).map((r) => r.status)).toEqual([
      'failed',
      'failed',
    ]);

    // The organisation view: every account with its name, OU and coverage; OU totals.
    const view = report.organization;
    expect(view?.id).toBe(org.id);
    expect(
      view?.accounts.map((a) => [
        a.name,
        a.ou?.name ?? null,
        a.coverage,
        a.coverage === 'failed' ? null : a.keys,
      ]),
    ).toEqual(
      org.accounts
        .map((a) => [
          a.name,
          a.ou,
          a.id === legacy?.id ? 'failed' : 'partial',
          a.id === legacy?.id ? null : org.keys.filter((k) => k.account === a.id).length,
        ])
        .sort((x, y) =>
          String(org.accounts.find((a) => a.name === x[0])?.id).localeCompare(
            String(org.accounts.find((a) => a.name === y[0])?.id),
          ),
        ),
    );
    expect(view?.ous.map((o) => [o.ou?.name, o.accounts])).toEqual([
      ['Root', 3],
      ['Workloads', 2],
    ]);
    expect(report.cost.settings.freeTierScope).toBe('organization');

    const md = await readFile(join(set, 'report.md'), 'utf8');
    expect(md).toContain('## Accounts');
    expect(md).toContain('### By organizational unit');
    expect(md).toContain(`legacy (${legacy?.id})`);
    expect(md).toMatch(/could not assume arn:aws:iam::\d{12}:role\/KmsReportReader/);

    const keysCsv = await readFile(join(set, 'keys.csv'), 'utf8');
    expect(keysCsv.split('\r\n')[0]).toMatch(/^MONTH,ACCOUNT_ID,ACCOUNT_NAME,REGION,/);
    expect(keysCsv).toContain(`,${org.accounts.find((a) => a.name === 'payments')?.id},payments,`);

    // Sessions stay in memory: no temporary credentials in the evidence.
    const snapshotText = await readFile(join(set, 'snapshot.json'), 'utf8');
    expect(snapshotText).not.toMatch(/ASIA[A-Z0-9]{8,}|SecretAccessKey|sessionToken/i);
    const snapshot = JSON.parse(snapshotText) as InventorySnapshot;
    expect(snapshot.organization?.accounts.find((a) => a.id === legacy?.id)?.status).toBe('failed');
  });

  it('narrows to --accounts: only those accounts, each read in full', async () => {
    const org = await seedOrganization(endpoint);
    const members = org.accounts.filter((a) => a.hasRole).map((a) => a.id);
    const out = await mkdtemp(join(tmpdir(), 'kms-report-org-'));
    const { code, io } = await run([
      '--month',
      lastMonth(),
      '--org',
      '--accounts',
      members.join(','),
      '--role-name',
      MEMBER_ROLE,
      '--regions',
      'us-east-1,eu-west-1',
      '--usage-source',
      'cloudwatch',
      '--no-last-usage',
      '--quiet',
      '--out',
      out,
    ]);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const report = JSON.parse(
      await readFile(join(out, 'organization', lastMonth(), 'report.json'), 'utf8'),
    ) as MonthlyReport;
    expect(report.scope.accounts).toEqual([...members].sort());
    expect(report.coverage.gaps).toEqual([]);
    expect(report.coverage.usage.filter((u) => u.source === 'cloudwatch').map((u) => u.status)).toEqual(
      Array(members.length * 2).fill('complete'),
    );
    expect(report.organization?.accounts.map((a) => a.coverage)).not.toContain('failed');
    // --org without --free-tier: one free tier for the organisation (consolidated billing), said in the report.
    expect(report.cost.settings.freeTierScope).toBe('organization');
    expect(await readFile(join(out, 'organization', lastMonth(), 'report.md'), 'utf8')).toContain(
      '| Free tier | once for all the accounts, as consolidated billing does (`--free-tier organization`) |',
    );
  });

  it('reads explicit role ARNs without Organizations access', async () => {
    const org = await seedOrganization(endpoint);
    const payments = org.accounts.find((a) => a.name === 'payments');
    const out = await mkdtemp(join(tmpdir(), 'kms-report-org-'));
    const { code } = await run([
      '--month',
      thisMonth(),
      '--accounts',
      `arn:aws:iam::${payments?.id}:role/${MEMBER_ROLE}`,
      '--regions',
      'us-east-1,eu-west-1',
      '--usage-source',
      'none',
      '--no-last-usage',
      '--quiet',
      '--out',
      out,
    ]);
    expect(code).toBe(ExitCode.Ok);
    const report = JSON.parse(
      await readFile(join(out, 'organization', thisMonth(), 'report.json'), 'utf8'),
    ) as MonthlyReport;
    expect(report.keys.map((k) => k.account)).toEqual([payments?.id, payments?.id]);
    // Accounts named without --org may not share a bill: one free tier each unless told otherwise.
    expect(report.cost.settings.freeTierScope).toBe('account');
    expect(report.organization?.accounts.map((a) => [a.account, a.name, a.ou])).toEqual([
      [payments?.id, null, null],
    ]);
  });
});
