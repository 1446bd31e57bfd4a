import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { demoSnapshot, demoUsageEvidence } from '../../../src/demo/sample.js';
import { KmsReportError, SnapshotError } from '../../../src/errors.js';
import { listOrganizationAccounts } from '../../../src/org/accounts.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { parseSnapshot, serializeSnapshot } from '../../../src/snapshot.js';
import { parseUsageEvidence, serializeUsageEvidence } from '../../../src/usage/evidence.js';
import { pathInside } from '../../../src/util/paths.js';
import { inventoryOnly } from '../../support/evidence.js';
import { captureIo } from '../../support/io.js';

/** A folder beside the output folder holding a report set an attacker wants replaced. */
async function victimBesideOut() {
  const root = await mkdtemp(join(tmpdir(), 'kms-report-victim-'));
  const out = join(root, 'out');
  await mkdir(out);
  await mkdir(join(root, 'victim', '2026-10'), { recursive: true });
  await writeFile(join(root, 'victim', '2026-10', 'report.md'), 'the real report');
  return { root, out };
}

async function victimIntact(root: string) {
  expect(await readdir(join(root, 'victim', '2026-10'))).toEqual(['report.md']);
  expect(await readFile(join(root, 'victim', '2026-10', 'report.md'), 'utf8')).toBe('the real report');
}

describe('an account id that is not 12 digits never becomes a folder', () => {
  it('refuses a snapshot whose account is "../victim" (exit 2, naming file and field), writing nothing', async () => {
    const { root, out } = await victimBesideOut();
    const snapshot = { ...demoSnapshot(), accounts: ['../victim'] };
    const file = join(root, 'snapshot.json');
    await writeFile(file, serializeSnapshot(snapshot));
    const io = captureIo({ now: () => new Date('2026-11-02T08:00:00Z') });

    const code = await runCli(['--month', '2026-10', '--snapshot', file, '--out', out, '--quiet'], io);

    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain(`${file}: accounts[0]: expected a 12-digit AWS account id`);
    await victimIntact(root);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a key, region or gap naming another account than 12 digits', () => {
    const base = demoSnapshot();
    const cases = [
      { ...base, keys: base.keys.map((k, i) => (i === 1 ? { ...k, account: '../x' } : k)) },
      { ...base, regions: base.regions.map((r) => ({ ...r, account: '11112222333' })) },
      {
        ...base,
        gaps: [
          {
            scope: 'account' as const,
            account: '1111/2222/33',
            region: null,
            keyArn: null,
            field: null,
            operation: 'ListKeys',
            errorCode: 'AccessDenied',
            message: 'no',
          },
        ],
      },
    ];
    const fields = cases.map((c) => {
      try {
        parseSnapshot(serializeSnapshot(c), 'evil.json');
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(SnapshotError);
        return (error as SnapshotError).field;
      }
    });
    expect(fields).toEqual(['keys[1].account', 'regions[0].account', 'gaps[0].account']);
  });

  it('refuses usage evidence whose accounts are not account ids, naming the field', () => {
    const evidence = { ...demoUsageEvidence(), accounts: ['..'] };
    expect(() => parseUsageEvidence(serializeUsageEvidence(evidence), 'usage.json')).toThrow(
      'usage.json: accounts[0]: expected a 12-digit AWS account id',
    );
  });

  it('refuses an STS answer that is not an account id, naming the call, and writes nothing', async () => {
    const { root, out } = await victimBesideOut();
    const running = runMonthlyReport({
      month: '2026-10',
      now: () => new Date('2026-11-01T02:00:00Z'),
      output: { dir: out },
      evidence: inventoryOnly('eu-west-1', {
        kms: () => {
          throw new Error('KMS must not be called');
        },
        sts: () =>
          ({ send: async () => ({ Account: '../victim', Arn: 'arn:aws:iam::000000000000:root' }) }) as never,
        account: () => ({}) as never,
      }),
    });
    await expect(running).rejects.toThrow(KmsReportError);
    await expect(running).rejects.toThrow('sts:GetCallerIdentity returned "../victim" as an account id');
    await victimIntact(root);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses an Organizations account id that is not 12 digits, naming ListAccounts', async () => {
    const org = mockClient(OrganizationsClient);
    try {
      org.on(ListAccountsCommand).resolves({
        Accounts: [
          { Id: '222222222222', Name: 'dev', State: 'ACTIVE' },
          { Id: '../../etc', Name: 'evil', State: 'ACTIVE' },
        ],
      });
      await expect(
        listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }), { ous: false }),
      ).rejects.toThrow('organizations:ListAccounts returned "../../etc" as an account id');
    } finally {
      org.restore();
    }
  });
});

describe('Function: pathInside', () => {
  it('joins plain names under the output folder and creates the folders above the last', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-inside-'));
    expect(await pathInside(out, '111122223333', '2026-10')).toBe(join(out, '111122223333', '2026-10'));
    expect(await readdir(out)).toEqual(['111122223333']);
  });

  it.each([['..'], ['.'], [''], ['a/../../b'], ['..\\x'], ['x\0']])(
    'refuses the segment %j',
    async (segment) => {
      const out = await mkdtemp(join(tmpdir(), 'kms-report-inside-'));
      await expect(pathInside(out, segment, '2026-10')).rejects.toThrow(
        'refusing to write outside the output folder',
      );
      expect(await readdir(out)).toEqual([]);
    },
  );

  it('refuses an account folder that is a symbolic link out of the output folder', async () => {
    const { root, out } = await victimBesideOut();
    await symlink(join(root, 'victim'), join(out, '111122223333'));
    await expect(pathInside(out, '111122223333', '2026-10')).rejects.toThrow('outside the output folder');
    const io = captureIo();
    const code = await runCli(['--demo', '--out', out, '--quiet'], io);
    expect(code).toBe(ExitCode.Error);
    expect(io.stderrText()).toContain('(a symbolic link)');
    await victimIntact(root);
  });
});
