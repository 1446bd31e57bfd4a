import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { reportExitCode } from '../../../src/cli/commands/report.js';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import type { InventoryClients, UsageClients } from '../../../src/collect/clients.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import { collectMonthUsage } from '../../../src/org/usage.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { DeadlinePassed, formatDuration, parseDuration } from '../../../src/util/deadline.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const arnOf = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
const KEYS = Array.from({ length: 40 }, (_, i) => idOf(i));
/** Keys described before the endpoint stops answering. */
const ANSWERED = 3;
/**
 * The deadline is short, but nothing here depends on timing: the fakes hang until the deadline
 * cuts them, however late that is on a loaded machine.
 */
const DEADLINE_MS = 300;

type CallOptions = { abortSignal?: AbortSignal } | undefined;

/** A request that never answers: only the deadline's abort (the SDK's AbortError) ends it. */
function hang(options: CallOptions): Promise<never> {
  return new Promise((_, reject) => {
    options?.abortSignal?.addEventListener(
      'abort',
      () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
      { once: true },
    );
  });
}

/** A KMS that describes `answered` keys, then stops answering. */
function fakeKms(answered: number) {
  let described = 0;
  return {
    send: async (command: unknown, options: CallOptions) => {
      if (command instanceof ListKeysCommand)
        return { Keys: KEYS.map((id) => ({ KeyId: id, KeyArn: arnOf(id) })), Truncated: false };
      if (command instanceof ListAliasesCommand) return { Aliases: [], Truncated: false };
      if (command instanceof DescribeKeyCommand) {
        described += 1;
        if (described > answered) return hang(options);
        const id = String(command.input.KeyId).split('/').pop() as string;
        return {
          KeyMetadata: {
            AWSAccountId: ACCOUNT,
            KeyId: id,
            Arn: arnOf(id),
            CreationDate: new Date('2025-03-14T09:26:53Z'),
            Enabled: true,
            KeyState: 'Enabled',
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            KeyManager: 'CUSTOMER',
            Origin: 'AWS_KMS',
          },
        };
      }
      if (command instanceof ListResourceTagsCommand) return { Tags: [], Truncated: false };
      if (command instanceof GetKeyRotationStatusCommand) return { KeyRotationEnabled: true };
      if (command instanceof ListKeyRotationsCommand) return { Rotations: [], Truncated: false };
      if (command instanceof GetKeyPolicyCommand) return { Policy: '{"Statement":[]}' };
      throw new Error(`unexpected ${String(command)}`);
    },
  };
}

function clientsWith(kms: ReturnType<typeof fakeKms>): InventoryClients {
  return {
    kms: () => kms as never,
    sts: () => ({ send: async () => ({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` }) }) as never,
    account: () => ({}) as never,
  };
}

/** CloudTrail answers one page (then `afterFirstPage`), then hangs; CloudWatch never answers. */
function usageClients(afterFirstPage: () => void = () => {}): UsageClients {
  let pages = 0;
  const cloudTrail = {
    send: async (_command: unknown, options: CallOptions) => {
      pages += 1;
      if (pages > 1) return hang(options);
      setImmediate(afterFirstPage);
      return { Events: [], NextToken: 'page-2' };
    },
  };
  const cloudWatch = {
    send: async (command: unknown, options: CallOptions) => {
      if (command instanceof ListMetricsCommand || command instanceof GetMetricDataCommand)
        return hang(options);
      throw new Error('unexpected');
    },
  };
  return {
    cloudTrail: () => cloudTrail as never,
    cloudWatch: () => cloudWatch as never,
    s3: () => ({}) as never,
    sts: () => ({}) as never,
  };
}

async function withOut<T>(run: (out: string) => Promise<T>): Promise<T> {
  const out = await mkdtemp(join(tmpdir(), 'kms-report-deadline-'));
  try {
    return await run(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const reason = `the run's deadline of ${formatDuration(DEADLINE_MS)} passed`;
const common = {
  month: '2026-10',
  now: () => new Date('2026-11-01T02:00:00Z'),
  deadlineMs: DEADLINE_MS,
} as const;

/** The vitest timeout only guards against a hang (a request the deadline failed to cut). */
const HANG_GUARD_MS = 60_000;

describe('runMonthlyReport with a deadline', () => {
  it(
    'passed while reading keys: writes the report, keys not described are gaps, usage not read',
    async () => {
      await withOut(async (out) => {
        const { report, dir } = await runMonthlyReport({
          ...common,
          evidence: {
            kind: 'live',
            regions: [REGION],
            usageSources: ['lookup', 'cloudwatch'],
            lastUsage: false,
            // The inventory's STS (the caller's identity) over the usage set's placeholder.
            clients: { ...usageClients(), ...clientsWith(fakeKms(ANSWERED)) },
          },
          output: { dir: out },
        });
        // Written, with the evidence, and marked incomplete (exit 4 with --fail-on-gaps).
        expect(await readdir(dir)).toEqual(
          expect.arrayContaining(['report.json', 'snapshot.json', 'usage.json']),
        );
        expect(report.coverage.complete).toBe(false);
        expect(reportExitCode(report, undefined, true)).toBe(ExitCode.Gaps);

        // Every listed key is in the snapshot; those not described are gaps saying why.
        const snapshot = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as InventorySnapshot;
        expect(snapshot.keys).toHaveLength(KEYS.length);
        expect(snapshot.keys.filter((k) => k.metadata.status === 'collected')).toHaveLength(ANSWERED);
        // (On a slow machine the answered keys' other calls may be cut too: fields, not keys.)
        const cut = snapshot.gaps.filter((g) => g.errorCode === 'DeadlinePassed' && g.scope === 'key');
        expect(cut).toHaveLength(KEYS.length - ANSWERED);
        for (const gap of cut) {
          expect(gap).toMatchObject({ scope: 'key', operation: 'DescribeKey', region: REGION });
          expect(gap.message).toBe(`not read: ${reason}`);
        }
        expect(snapshot.regions).toEqual([
          { account: ACCOUNT, region: REGION, status: 'partial', keysListed: KEYS.length },
        ]);
        // The usage sources started after the deadline: nothing read, and said.
        for (const source of ['cloudtrail-lookup', 'cloudwatch'])
          expect(report.coverage.usage.find((u) => u.source === source)).toMatchObject({
            status: 'failed',
            detail: `not read: ${reason}`,
          });
      });
    },
    HANG_GUARD_MS,
  );
});

describe('collectMonthUsage with a deadline', () => {
  it(
    'passed while reading usage: the page read is kept as partial coverage, not marked interrupted',
    async () => {
      // The deadline is aborted by the fake itself once the first page is answered: no timing.
      const deadline = new AbortController();
      const clients = usageClients(() => deadline.abort(new DeadlinePassed('30m')));
      const result = await collectMonthUsage({
        month: '2026-10',
        regions: [REGION],
        sources: ['lookup', 'cloudwatch'],
        account: ACCOUNT,
        clients,
        clock: { now: () => Date.parse('2026-11-01T02:00:00Z'), sleep: async () => {} },
        deadline: deadline.signal,
      });
      const lookup = result.usage.coverage.find((u) => u.source === 'cloudtrail-lookup');
      expect(lookup?.status).toBe('partial');
      expect(lookup?.detail).toContain("stopped after 1 pages: the run's deadline of 30m passed");
      expect(result.usage.coverage.find((u) => u.source === 'cloudwatch')).toMatchObject({
        status: 'failed',
        detail: "not read: the run's deadline of 30m passed",
      });
      // A deadline is not Ctrl-C.
      expect(result.interrupted).toBe(false);
    },
    HANG_GUARD_MS,
  );
});

describe('parseDuration', () => {
  it('reads hours, minutes and seconds', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_800_000)).toBe('30m');
  });

  it.each(['', '30', 'm', '0m', '-5m', '25h', '30 minutes'])('refuses "%s", naming the flag', (bad) => {
    expect(() => parseDuration(bad)).toThrow('--deadline');
  });
});
