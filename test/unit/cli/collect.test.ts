import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountClient } from '@aws-sdk/client-account';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { readSnapshot } from '../../../src/snapshot.js';
import { withUnusedClients } from '../../support/evidence.js';
import { captureIo } from '../../support/io.js';

const ACCOUNT = '111122223333';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY}`;
const kms = mockClient(KMSClient);
const sts = mockClient(STSClient);
const clients = withUnusedClients({
  kms: (region) => new KMSClient({ region }),
  sts: (region) => new STSClient({ region }),
  account: () => new AccountClient({ region: 'us-east-1' }),
});

beforeEach(() => {
  kms.reset();
  sts.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/auditor` });
  kms.on(ListKeysCommand).resolves({ Keys: [{ KeyId: KEY, KeyArn: ARN }] });
  kms.on(ListAliasesCommand).resolves({ Aliases: [] });
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: KEY,
      Arn: ARN,
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
    },
  });
  kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
  kms.on(ListKeyRotationsCommand).resolves({ Rotations: [] });
  kms
    .on(GetKeyPolicyCommand)
    .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
});

async function outDir() {
  return mkdtemp(join(tmpdir(), 'kms-report-cli-'));
}

describe('kms-report collect', () => {
  it('writes the snapshot, prints a summary with the gaps, and exits 0', async () => {
    const dir = await outDir();
    const io = captureIo({ clients });
    const code = await runCli(
      ['collect', '--regions', 'eu-west-1', '--no-last-usage', '--output-file', join(dir, 'inv.json')],
      io,
    );
    expect(code).toBe(ExitCode.Ok);
    expect(io.stdoutText()).toContain(
      'Collected 1 key (1 customer managed, 0 AWS managed) in account 111122223333.',
    );
    expect(io.stdoutText()).toContain(`eu-west-1 ${KEY} policy: GetKeyPolicy AccessDeniedException`);
    expect((await readSnapshot(join(dir, 'inv.json'))).gaps).toHaveLength(1);
    // Not a terminal: no progress line on stderr, so cron mail stays clean.
    expect(io.stderrText()).toBe('');
  });

  it('exits 4 with --fail-on-gaps when something could not be seen', async () => {
    const dir = await outDir();
    const io = captureIo({ clients });
    const code = await runCli(
      [
        'collect',
        '--regions',
        'eu-west-1',
        '--no-last-usage',
        '--fail-on-gaps',
        '--quiet',
        '--output-file',
        join(dir, 'inv.json'),
      ],
      io,
    );
    expect(code).toBe(ExitCode.Gaps);
    expect(io.stdoutText()).toBe('');
    // --quiet still says, on one line, why the job exits 4.
    expect(io.stderrText()).toBe(
      'kms-report: exit 4 (--fail-on-gaps): 1 gap (what could not be seen is listed in the snapshot)\n',
    );
  });

  it.each([
    [['collect', '--regions', 'eu-west-1,mars-1'], '--regions: "mars-1" is not a region name'],
    [['collect', '--quota-share', '0'], '--quota-share: expected a number in (0, 1], got "0"'],
    [['collect', '--bogus'], "unknown option '--bogus'"],
  ])(
    'refuses bad input %j with exit code 2, a message naming it, and no file written',
    async (argv, message) => {
      const dir = await outDir();
      const io = captureIo({ clients });
      const code = await runCli([...argv, '--output-file', join(dir, 'inv.json')], io);
      expect(code).toBe(ExitCode.BadInput);
      expect(io.stderrText()).toContain(message);
      expect(await readdir(dir)).toEqual([]);
      expect(kms.calls()).toHaveLength(0);
    },
  );

  it('exits 1 with one clear line, and writes nothing, when the credentials have expired', async () => {
    const dir = await outDir();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException',
      }),
    );
    const io = captureIo({ clients });
    const code = await runCli(
      ['collect', '--regions', 'eu-west-1', '--profile', 'audit', '--output-file', join(dir, 'inv.json')],
      io,
    );
    expect(code).toBe(ExitCode.Error);
    expect(io.stderrText()).toMatch(
      /^kms-report: AWS credentials \(profile "audit"\): ExpiredTokenException/,
    );
    expect(io.stderrText().trim().split('\n')).toHaveLength(1);
    expect(io.stderrText()).toContain('Refresh them (for SSO: aws sso login --profile audit) and run again.');
    expect(io.stderrText()).not.toContain('--demo');
    expect(await readdir(dir)).toEqual([]);
  });

  it('with no credentials at all, says so and suggests --demo, aws configure and aws sso login, not a refresh', async () => {
    // Prepare: the SDK's default chain found nothing anywhere.
    const dir = await outDir();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const io = captureIo({ clients, env: {} });
    // Act
    const code = await runCli(['collect', '--regions', 'eu-west-1', '--out', dir], io);
    // Assess: one line, exit 1, what to do next.
    expect(code).toBe(ExitCode.Error);
    const stderr = io.stderrText();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^kms-report: AWS credentials \([^)]*\): no AWS credentials were found/);
    expect(stderr).toContain('aws configure');
    expect(stderr).toContain('aws sso login');
    expect(stderr).toContain('kms-report --demo');
    expect(stderr).not.toMatch(/refresh/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it('--out is a folder: the snapshot is written in it as inventory-<time>.json', async () => {
    const dir = await outDir();
    const io = captureIo({ clients, now: () => new Date('2026-11-02T03:04:05.678Z') });
    expect(await runCli(['collect', '--regions', 'eu-west-1', '--out', dir], io)).toBe(ExitCode.Ok);
    expect(await readdir(dir)).toEqual(['inventory-20261102T030405Z.json']);
    expect(io.stderrText()).toBe('');
  });

  it('the old --out <file.json> still writes that file, with a one-line notice naming --output-file', async () => {
    const dir = await outDir();
    const io = captureIo({ clients });
    const file = join(dir, 'inv.json');
    expect(await runCli(['collect', '--regions', 'eu-west-1', '-o', file, '--quiet'], io)).toBe(ExitCode.Ok);
    expect((await readSnapshot(file)).accounts).toEqual([ACCOUNT]);
    expect(io.stderrText()).toBe(
      `kms-report: --out ${file}: --out is now a folder on every command; a file is --output-file (read as --output-file ${file} this time)\n`,
    );
  });
});

describe('kms-report (the monthly report) when no key listing succeeds', () => {
  it('writes the report with the gaps and collects no usage, instead of failing for want of a region', async () => {
    // Prepare: ListKeys is denied in every region asked for.
    kms.on(ListKeysCommand).rejects(
      Object.assign(new Error('not authorized to perform: kms:ListKeys'), {
        name: 'AccessDeniedException',
      }),
    );
    const argv = ['--month', '2026-10', '--regions', 'eu-west-1,us-east-1', '--no-last-usage', '--quiet'];
    const now = () => new Date('2026-11-05T10:00:00Z');
    // Act
    const dir = await outDir();
    const code = await runCli([...argv, '--out', dir], captureIo({ clients, now }));
    const gapsDir = await outDir();
    const gapsIo = captureIo({ clients, now });
    const gapsCode = await runCli([...argv, '--fail-on-gaps', '--out', gapsDir], gapsIo);
    // Assess: a report set with the regions as gaps; exit 4 only with --fail-on-gaps.
    expect(code).toBe(ExitCode.Ok);
    expect(gapsCode).toBe(ExitCode.Gaps);
    expect(gapsIo.stderrText()).toMatch(/^kms-report: exit 4 \(--fail-on-gaps\): coverage is incomplete/);
    const snapshot = await readSnapshot(join(dir, ACCOUNT, '2026-10', 'snapshot.json'));
    expect(snapshot.regions.map((r) => [r.region, r.status])).toEqual([
      ['eu-west-1', 'failed'],
      ['us-east-1', 'failed'],
    ]);
    expect(snapshot.gaps.map((g) => [g.region, g.operation, g.errorCode])).toEqual([
      ['eu-west-1', 'ListKeys', 'AccessDeniedException'],
      ['us-east-1', 'ListKeys', 'AccessDeniedException'],
    ]);
    expect(await readdir(join(dir, ACCOUNT, '2026-10'))).not.toContain('usage.json');
  });
});
