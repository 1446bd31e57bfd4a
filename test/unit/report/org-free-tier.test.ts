import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import type { ClientFactory } from '../../../src/collect/clients.js';
import { demoSnapshot, demoUsageEvidence } from '../../../src/demo/sample.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { captureIo } from '../../support/io.js';

const CALLER = '111122223333';
const MEMBER = '222233334444';
const ORG = 'o-abc123def4';
const CREDENTIALS = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };
const NOW = () => new Date('2026-11-02T08:00:00Z');

const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
const organizations = mockClient(OrganizationsClient);
afterAll(() => {
  sts.restore();
  kms.restore();
  organizations.restore();
});

function fakeClients(): ClientFactory {
  const unused = () => {
    throw new Error('no usage in this test');
  };
  return (credentials) => ({
    organizations: () => new OrganizationsClient({ region: 'us-east-1', credentials: CREDENTIALS }),
    kms: (region) => new KMSClient({ region, credentials: credentials ?? CREDENTIALS }),
    sts: (region) => new STSClient({ region, credentials: credentials ?? CREDENTIALS }),
    account: () => {
      throw new Error('regions are named');
    },
    cloudTrail: unused,
    cloudWatch: unused,
    s3: unused,
    costExplorer: unused,
  });
}

async function rerender(set: string, extra: string[] = []): Promise<MonthlyReport> {
  const out = await mkdtemp(join(tmpdir(), 'kms-report-free-tier-again-'));
  const io = captureIo({ now: NOW });
  const code = await runCli(
    ['--month', '2026-10', '--snapshot', join(set, 'snapshot.json'), ...extra, '--out', out, '--quiet'],
    io,
  );
  expect(io.stderrText()).toBe('');
  expect(code).toBe(ExitCode.Ok);
  return JSON.parse(await readFile(join(out, 'organization', '2026-10', 'report.json'), 'utf8'));
}

describe('the free tier of an organisation report, live and from its saved evidence', () => {
  beforeEach(() => {
    sts.reset();
    kms.reset();
    organizations.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/audit` });
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [CALLER, MEMBER].map((id) => ({
        Id: id,
        Name: `name-${id}`,
        Status: 'ACTIVE',
        Arn: `arn:aws:organizations::${CALLER}:account/${ORG}/${id}`,
      })),
    });
    organizations.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] });
    kms.on(ListKeysCommand).resolves({ Keys: [], Truncated: false });
    kms.on(ListAliasesCommand).resolves({ Aliases: [], Truncated: false });
  });

  it('--org applies it once for the organisation, and so does a report rendered again from the snapshot', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-free-tier-'));
    const live = await runMonthlyReport({
      month: '2026-10',
      output: { dir: out, formats: ['json', 'md'] },
      evidence: {
        kind: 'organization',
        fromOrganization: true,
        roleName: 'KmsReportReader',
        clients: fakeClients(),
        regions: ['us-east-1'],
        usageSources: [],
        lastUsage: false,
      },
      now: NOW,
    });
    expect(live.report.cost.settings.freeTierScope).toBe('organization');
    const again = await rerender(live.dir);
    expect(again.cost.settings.freeTierScope).toBe('organization');
  });

  it('from saved evidence: one free tier for accounts listed from Organizations, one each for accounts named by id', async () => {
    // Two accounts of an organisation, each with 30,000 requests in the month.
    const demo = demoSnapshot();
    const evidence = demoUsageEvidence();
    const organization = (id: string | null): InventorySnapshot['organization'] => ({
      id,
      callerAccount: CALLER,
      accounts: [CALLER, MEMBER].map((a) => ({
        id: a,
        name: null,
        ou: null,
        roleArn: null,
        status: 'collected' as const,
      })),
    });
    const keyArn = demo.keys.find((k) => k.region === 'us-east-1')?.arn as string;
    const usage = {
      ...evidence,
      accounts: [CALLER, MEMBER],
      regions: ['us-east-1'],
      usage: {
        ...evidence.usage,
        requests: [CALLER, MEMBER].map((account) => ({
          account,
          region: 'us-east-1',
          keyArn,
          operation: 'Decrypt',
          keyPairSpec: null,
          count: 30_000,
          failedCount: 0,
          source: 'sample' as const,
        })),
        keylessRequests: [],
        // No caller breakdown (evidence written before callers were counted).
        callers: undefined,
        accountTotals: [],
        lifecycle: [],
        coverage: [CALLER, MEMBER].map((account) => ({
          account,
          region: 'us-east-1',
          source: 'sample' as const,
          status: 'complete' as const,
          detail: '',
        })),
      },
      reconciliation: [],
    };
    const credits = async (id: string | null) => {
      const dir = await mkdtemp(join(tmpdir(), 'kms-report-free-tier-saved-'));
      const snapshot: InventorySnapshot = {
        ...demo,
        accounts: [CALLER, MEMBER],
        keys: demo.keys.filter((k) => k.arn === keyArn),
        regions: [CALLER, MEMBER].map((account) => ({
          account,
          region: 'us-east-1',
          status: 'complete' as const,
          keysListed: account === CALLER ? 1 : 0,
        })),
        gaps: [],
        organization: organization(id),
      };
      await writeFile(join(dir, 'snapshot.json'), JSON.stringify(snapshot));
      await writeFile(join(dir, 'usage.json'), JSON.stringify(usage));
      const report = await rerender(dir, ['--usage', join(dir, 'usage.json')]);
      return {
        scope: report.cost.settings.freeTierScope,
        credits: report.cost.credits.map((c) => [c.account, c.quantity]),
      };
    };
    // Listed from AWS Organizations (--org): the organisation's 20,000 free requests, once.
    expect(await credits(ORG)).toEqual({ scope: 'organization', credits: [[CALLER, '-20000']] });
    // Named with --accounts (no organisation id): 20,000 each.
    expect(await credits(null)).toEqual({
      scope: 'account',
      credits: [
        [CALLER, '-20000'],
        [MEMBER, '-20000'],
      ],
    });
  });
});
