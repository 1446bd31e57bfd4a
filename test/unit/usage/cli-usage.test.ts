import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import { INTERRUPTED_EXIT_CODE, type UsageCliExtras, usageCommand } from '../../../src/cli/commands/usage.js';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import type { InventoryClients, UsageClients } from '../../../src/collect/clients.js';
import { InputError } from '../../../src/errors.js';
import { readUsageEvidence } from '../../../src/usage/evidence.js';
import { withUnusedClients } from '../../support/evidence.js';
import { captureIo } from '../../support/io.js';
import { asLookupEvent, decrypts, manualClock, OWNER, REGION } from './fixtures.js';

const cloudTrail = mockClient(CloudTrailClient);
const sts = mockClient(STSClient);
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const usageClients: UsageClients = {
  cloudTrail: (region) => new CloudTrailClient({ region, credentials }),
  cloudWatch: (region) => new CloudWatchClient({ region, credentials }),
  s3: (region) => new S3Client({ region, credentials }),
  sts: (region) => new STSClient({ region, credentials }),
};
const history = decrypts(150, new Date('2026-10-31T23:00:00Z'), 3_600_000).map(asLookupEvent);

beforeEach(() => {
  cloudTrail.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: OWNER, Arn: `arn:aws:iam::${OWNER}:user/auditor` });
  cloudTrail.on(LookupEventsCommand).callsFake(({ NextToken }: { NextToken?: string }) => {
    const start = NextToken ? Number(NextToken) : 0;
    return {
      Events: history.slice(start, start + 50),
      NextToken: start + 50 < history.length ? String(start + 50) : undefined,
    };
  });
});

/** Runs `kms-report usage ...` in-process, as the program will once the command is wired. */
async function run(
  args: string[],
  extras: UsageCliExtras & { tty?: boolean; clients?: InventoryClients } = {},
) {
  const io = captureIo();
  if (extras.tty) (io.stderr as { isTTY?: boolean }).isTTY = true;
  let code: number | undefined;
  const program = new Command('kms-report').exitOverride();
  program.addCommand(
    usageCommand(
      {
        ...io,
        clock: manualClock(new Date('2026-11-05T10:00:00Z')),
        ...extras,
        clients: withUnusedClients({ ...usageClients, ...extras.clients }),
      },
      (c) => {
        code = c;
      },
    ).exitOverride(),
  );
  await program.parseAsync(['usage', ...args], { from: 'user' });
  return { io, code };
}

async function outFile() {
  return join(await mkdtemp(join(tmpdir(), 'kms-usage-cli-')), 'usage.json');
}

describe('kms-report usage', () => {
  it('writes the usage evidence file and prints what was read, with no progress when stderr is not a terminal', async () => {
    const out = await outFile();
    const { io, code } = await run([
      '--month',
      '2026-10',
      '--regions',
      'us-east-1',
      '--usage-source',
      'lookup',
      '--output-file',
      out,
    ]);

    expect(code).toBe(ExitCode.Ok);
    const evidence = await readUsageEvidence(out);
    expect(evidence.usage.month).toBe('2026-10');
    expect(evidence.usage.requests).toEqual([expect.objectContaining({ operation: 'Decrypt', count: 150 })]);
    expect(evidence.usage.coverage.find((c) => c.source === 'cloudtrail-lookup')?.status).toBe('complete');
    expect(io.stdoutText()).toContain(`2026-10 in account ${OWNER}: 150 requests on 1 key`);
    expect(io.stdoutText()).toContain('us-east-1 cloudwatch: not-collected');
    expect(io.stdoutText()).toContain(`Usage evidence written to ${out}`);
    expect(io.stderrText()).toBe('');
  });

  it('the old spelling -s/--source still chooses the sources, with a one-line notice on stderr', async () => {
    const out = await outFile();
    const { io, code } = await run([
      '--month',
      '2026-10',
      '--regions',
      'us-east-1',
      '-s',
      'lookup',
      '--output-file',
      out,
      '--quiet',
    ]);
    expect(code).toBe(ExitCode.Ok);
    const coverage = (await readUsageEvidence(out)).usage.coverage;
    expect(coverage.find((c) => c.source === 'cloudtrail-lookup')?.status).toBe('complete');
    // cloudwatch, in the default, was not chosen: -s replaced the default.
    expect(coverage.find((c) => c.source === 'cloudwatch')?.status).toBe('not-collected');
    expect(io.stderrText()).toBe(
      'kms-report: --source is deprecated and will be removed: use --usage-source (same meaning)\n',
    );
  });

  it('shows progress on a terminal: events, rate and how much of the month is read', async () => {
    const { io } = await run(
      [
        '--month',
        '2026-10',
        '--regions',
        'us-east-1',
        '--usage-source',
        'lookup',
        '--output-file',
        await outFile(),
      ],
      {
        tty: true,
      },
    );
    expect(io.stderrText()).toMatch(/us-east-1 lookup: 150 events, \d+\/s, 100%/);
  });

  it('on Ctrl-C writes what it read, marked partial, and exits 130', async () => {
    const controller = new AbortController();
    cloudTrail.on(LookupEventsCommand).callsFakeOnce(() => {
      controller.abort();
      return { Events: history.slice(0, 50), NextToken: '50' };
    });
    const out = await outFile();
    const { io, code } = await run(['--month', '2026-10', '--regions', 'us-east-1', '--output-file', out], {
      signal: controller.signal,
    });

    expect(code).toBe(INTERRUPTED_EXIT_CODE);
    const evidence = await readUsageEvidence(out);
    expect(evidence.collection.interrupted).toBe(true);
    expect(evidence.usage.coverage.find((c) => c.source === 'cloudtrail-lookup')?.status).toBe('partial');
    expect(evidence.usage.requests).toEqual([expect.objectContaining({ count: 50 })]);
    expect(io.stdoutText()).toContain('Stopped before the end (Ctrl-C)');
  });

  it('exits with the gaps code under --fail-on-gaps when a source was partial or failed', async () => {
    cloudTrail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { code } = await run([
      '--month',
      '2026-10',
      '--regions',
      'us-east-1',
      '--usage-source',
      'lookup',
      '--output-file',
      await outFile(),
      '--fail-on-gaps',
    ]);
    expect(code).toBe(ExitCode.Gaps);
  });

  it('reads every region enabled for the account with --regions all', async () => {
    const account = mockClient(AccountClient);
    account.on(ListRegionsCommand).resolves({
      Regions: [{ RegionName: 'us-east-1' }, { RegionName: 'eu-west-1' }],
    });
    // Event history is per region: eu-west-1's holds none of the fixture's us-east-1 events
    // (the same events in both would be the same requests twice, which reading the file refuses).
    cloudTrail.on(LookupEventsCommand).callsFake(async ({ NextToken }: { NextToken?: string }, getClient) => {
      if ((await getClient().config.region()) !== REGION) return { Events: [] };
      const start = NextToken ? Number(NextToken) : 0;
      return {
        Events: history.slice(start, start + 50),
        NextToken: start + 50 < history.length ? String(start + 50) : undefined,
      };
    });
    try {
      const out = await outFile();
      const { code } = await run(
        ['--month', '2026-10', '--regions', 'all', '--usage-source', 'lookup', '--output-file', out],
        {
          clients: {
            kms: () => ({}) as never,
            sts: (region) => new STSClient({ region, credentials }),
            account: () => new AccountClient({ region: 'us-east-1', credentials }),
          },
        },
      );
      expect(code).toBe(ExitCode.Ok);
      const evidence = await readUsageEvidence(out);
      expect([...new Set(evidence.usage.coverage.map((c) => c.region))].sort()).toEqual([
        'eu-west-1',
        'us-east-1',
      ]);
      expect(evidence.regions).toEqual(['eu-west-1', 'us-east-1']);
      expect(cloudTrail.commandCalls(LookupEventsCommand).length).toBeGreaterThan(0);
    } finally {
      account.restore();
    }
  });

  it.each([
    [['--month', '2026-13', '--regions', 'us-east-1'], /^--month: /],
    [
      ['--month', '2026-10', '--regions', 'us-east-1', '--usage-source', 'lookup,lake'],
      /^--usage-source: unknown source "lake"/,
    ],
    [['--month', '2026-10', '--regions', 'us-east-1', '--usage-source', 'athena'], /^--athena-table: /],
    [
      [
        '--month',
        '2026-10',
        '--regions',
        'us-east-1',
        '--usage-source',
        's3,athena',
        '--bucket',
        'b',
        '--athena-table',
        'd.t',
      ],
      /^--source: s3 and athena read the same CloudTrail events/,
    ],
    [
      [
        '--month',
        '2026-10',
        '--regions',
        'us-east-1',
        '--usage-source',
        'athena',
        '--athena-table',
        'd.t;drop',
      ],
      /^--athena-table: "t;drop" is not an Athena name/,
    ],
    [['--month', '2026-10', '--regions', 'us-east-1', '--usage-source', 's3'], /^--bucket: /],
  ])('refuses bad input %j naming the flag', async (args, message) => {
    const running = run([...args, '--output-file', await outFile()]);
    await expect(running).rejects.toBeInstanceOf(InputError);
    await expect(running).rejects.toThrow(message);
  });
});
