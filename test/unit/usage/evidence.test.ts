import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../../src/errors.js';
import { UsageAggregator } from '../../../src/usage/aggregator.js';
import {
  parseUsageEvidence,
  readUsageEvidence,
  serializeUsageEvidence,
  USAGE_SCHEMA_VERSION,
  type UsageEvidence,
  usageJsonSchema,
  writeUsageEvidence,
} from '../../../src/usage/evidence.js';
import { parseMonth } from '../../../src/util/month.js';
import { CALLER_RECORDS, KMS_RECORDS, OWNER, REGION } from './fixtures.js';

function sampleEvidence(): UsageEvidence {
  const window = parseMonth('2026-10');
  const agg = new UsageAggregator('cloudtrail-lookup', window);
  for (const r of KMS_RECORDS) agg.add(r);
  return {
    kind: 'kms-report/usage',
    schemaVersion: 1,
    tool: { name: 'kms-report', version: '0.1.0' },
    collection: {
      startedAt: '2026-11-05T10:00:00.000Z',
      finishedAt: '2026-11-05T10:04:00.000Z',
      interrupted: false,
    },
    accounts: [OWNER],
    regions: [REGION],
    usage: {
      month: '2026-10',
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      requests: agg.requests(),
      accountTotals: [
        {
          account: OWNER,
          region: REGION,
          resource: 'CryptographicOperationsSymmetric',
          count: 12,
          source: 'cloudwatch',
        },
      ],
      lifecycle: agg.lifecycleEvents(),
      coverage: [
        {
          account: OWNER,
          region: REGION,
          source: 'cloudtrail-lookup',
          status: 'complete',
          detail: 'read the whole month',
        },
      ],
    },
    keyClasses: agg.keyClasses(),
    reconciliation: [],
  };
}

/** Evidence of the current version, with the requests by caller (the fixtures' callers included). */
function callerEvidence(): UsageEvidence {
  const window = parseMonth('2026-10');
  const agg = new UsageAggregator('cloudtrail-lookup', window);
  for (const r of [...KMS_RECORDS, ...CALLER_RECORDS]) agg.add(r);
  const evidence = sampleEvidence();
  return {
    ...evidence,
    schemaVersion: USAGE_SCHEMA_VERSION,
    usage: {
      ...evidence.usage,
      requests: agg.requests(),
      keylessRequests: agg.keylessRequests(),
      callers: agg.callers(),
    },
  };
}

/** The i-th item (the test fails if there is none). */
function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

/** The error parsing the evidence gives (the test fails if it is accepted). */
function refused(evidence: UsageEvidence): SnapshotError {
  try {
    parseUsageEvidence(JSON.stringify(evidence), 'usage.json');
  } catch (error) {
    if (error instanceof SnapshotError) return error;
    throw error;
  }
  throw new Error('parseUsageEvidence accepted it');
}

async function tempFile(name: string) {
  return join(await mkdtemp(join(tmpdir(), 'kms-usage-')), name);
}

describe('usage evidence file', () => {
  it('writes and reads back the same evidence', async () => {
    const path = await tempFile('usage.json');
    const evidence = sampleEvidence();
    await writeUsageEvidence(path, evidence);
    expect(await readUsageEvidence(path)).toEqual(evidence);
    expect((await readFile(path, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('publishes a JSON Schema that matches the zod schema (run `npm run schema` after changing it)', async () => {
    const published = await readFile(new URL('../../../schema/usage.schema.json', import.meta.url), 'utf8');
    expect(published).toBe(usageJsonSchema());
    const schema = JSON.parse(published);
    expect(schema.required).toEqual(
      expect.arrayContaining(['kind', 'schemaVersion', 'collection', 'usage', 'reconciliation']),
    );
    expect(schema.properties.usage.properties.requests.items.required).toContain('keyArn');
  });

  it('names the field that is out of shape', () => {
    const bad = sampleEvidence() as unknown as { usage: { requests: { count: unknown }[] } };
    (bad.usage.requests[1] as { count: unknown }).count = -3;
    expect(() => parseUsageEvidence(JSON.stringify(bad), 'usage.json')).toThrow(
      /^usage\.json: usage\.requests\[1\]\.count: /,
    );
  });

  it('refuses counts that are negative or not whole', () => {
    const fractional = sampleEvidence() as unknown as { usage: { requests: { failedCount: unknown }[] } };
    (fractional.usage.requests[0] as { failedCount: unknown }).failedCount = 1.5;
    expect(() => parseUsageEvidence(JSON.stringify(fractional), 'usage.json')).toThrow(
      /^usage\.json: usage\.requests\[0\]\.failedCount: /,
    );
    const negative = sampleEvidence() as unknown as { usage: { accountTotals: { count: unknown }[] } };
    (negative.usage.accountTotals[0] as { count: unknown }).count = -12;
    expect(() => parseUsageEvidence(JSON.stringify(negative), 'usage.json')).toThrow(
      /^usage\.json: usage\.accountTotals\[0\]\.count: /,
    );
  });

  describe('refuses a row repeated (it would be counted twice), naming the file, the row and what repeats', () => {
    it('a request count of the same key, operation, billed account, region and pair spec', () => {
      const evidence = sampleEvidence();
      const requests = evidence.usage.requests;
      const first = requests[0];
      if (!first) throw new Error('no request');
      // Even from another source: the pricing engine adds every row.
      const copy = { ...first, count: 1, source: 'cloudtrail-s3' as const };
      const error = refused({ ...evidence, usage: { ...evidence.usage, requests: [...requests, copy] } });
      expect(error.field).toBe(`usage.requests[${requests.length}]`);
      expect(error.message).toBe(
        `usage.json: usage.requests[${requests.length}]: repeats usage.requests[0]: the same [account, region, keyArn, operation, keyPairSpec] ${JSON.stringify([first.account, first.region, first.keyArn, first.operation, first.keyPairSpec])} would be counted twice`,
      );
      // Another operation on the same key is another row.
      const other = { ...first, operation: `${first.operation}X` };
      expect(
        parseUsageEvidence(
          JSON.stringify({ ...evidence, usage: { ...evidence.usage, requests: [...requests, other] } }),
        ).usage.requests,
      ).toHaveLength(requests.length + 1);
    });

    it('a request that names no key, of the same billed account, region and operation', () => {
      const evidence = sampleEvidence();
      const listKeys = {
        account: OWNER,
        region: REGION,
        operation: 'ListKeys',
        count: 5_000_000,
        failedCount: 0,
        source: 'cloudtrail-lookup' as const,
      };
      const twice = {
        ...evidence,
        schemaVersion: USAGE_SCHEMA_VERSION,
        usage: { ...evidence.usage, keylessRequests: [listKeys, { ...listKeys, count: 1 }] },
      };
      const error = refused(twice as UsageEvidence);
      expect(error.field).toBe('usage.keylessRequests[1]');
      expect(error.message).toContain(
        `repeats usage.keylessRequests[0]: the same [account, region, operation] ${JSON.stringify([OWNER, REGION, 'ListKeys'])} would be counted twice`,
      );
    });

    it('an account total of the same account, region and resource', () => {
      const evidence = sampleEvidence();
      const totals = evidence.usage.accountTotals;
      const error = refused({
        ...evidence,
        usage: { ...evidence.usage, accountTotals: [...totals, ...totals] },
      });
      expect(error.field).toBe('usage.accountTotals[1]');
      expect(error.message).toContain('repeats usage.accountTotals[0]: the same [account, region, resource]');
    });

    it('a lifecycle event of the same key, event and time', () => {
      const evidence = sampleEvidence();
      const lifecycle = evidence.usage.lifecycle;
      expect(lifecycle.length).toBeGreaterThan(0);
      const error = refused({
        ...evidence,
        usage: { ...evidence.usage, lifecycle: [...lifecycle, ...lifecycle.slice(0, 1)] },
      });
      expect(error.field).toBe(`usage.lifecycle[${lifecycle.length}]`);
      expect(error.message).toContain('repeats usage.lifecycle[0]: the same [keyArn, event, time]');
    });
  });

  it('reads a schema version 1 file (no requests that name no key: unknown, not zero) and a version 2 one', () => {
    const v1 = parseUsageEvidence(serializeUsageEvidence(sampleEvidence()), 'usage.json');
    expect(v1.schemaVersion).toBe(1);
    expect(v1.usage.keylessRequests).toBeUndefined();
    const v2: UsageEvidence = {
      ...sampleEvidence(),
      schemaVersion: 2,
      usage: {
        ...sampleEvidence().usage,
        keylessRequests: [
          {
            account: OWNER,
            region: REGION,
            operation: 'ListKeys',
            count: 3,
            failedCount: 0,
            source: 'cloudtrail-lookup' as const,
          },
        ],
        afterMonth: {
          window: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-05T10:04:00.000Z' },
          lifecycle: [],
          coverage: [
            {
              account: OWNER,
              region: REGION,
              source: 'cloudtrail-lookup' as const,
              status: 'complete' as const,
              detail: 'ScheduleKeyDeletion read',
              readUntil: '2026-11-05T10:03:00.000Z',
            },
          ],
        },
      },
    };
    expect(parseUsageEvidence(serializeUsageEvidence(v2), 'usage.json')).toEqual(v2);
  });

  describe('requests by caller (schema version 3)', () => {
    it('writes and reads them back', async () => {
      const path = await tempFile('usage.json');
      const evidence = callerEvidence();
      expect(evidence.usage.callers?.length).toBeGreaterThan(10);
      await writeUsageEvidence(path, evidence);
      expect(await readUsageEvidence(path)).toEqual(evidence);
    });

    it('reads a version 2 file: who called is unknown (absent), not zero', () => {
      const { callers: _none, ...usage } = callerEvidence().usage;
      const v2 = { ...callerEvidence(), schemaVersion: 2 as const, usage };
      const read = parseUsageEvidence(serializeUsageEvidence(v2), 'usage.json');
      expect(read.schemaVersion).toBe(2);
      expect(read.usage.callers).toBeUndefined();
      expect(read.usage.requests).toEqual(usage.requests);
    });

    it('refuses callers in a file of an older version', () => {
      expect(() =>
        parseUsageEvidence(JSON.stringify({ ...callerEvidence(), schemaVersion: 2 }), 'usage.json'),
      ).toThrow(/usage\.json: usage\.callers: appears from schema version 3; this file says 2/);
    });

    it('refuses a caller row repeated', () => {
      const evidence = callerEvidence();
      const callers = evidence.usage.callers ?? [];
      const error = refused({
        ...evidence,
        usage: { ...evidence.usage, callers: [...callers, nth(callers, 2)] },
      });
      expect(error.field).toBe(`usage.callers[${callers.length}]`);
      expect(error.message).toContain(
        'repeats usage.callers[2]: the same [account, region, keyArn, operation',
      );
    });

    it('refuses callers that do not add up to their request count', () => {
      const evidence = callerEvidence();
      const callers = [...(evidence.usage.callers ?? [])];
      const i = callers.findIndex((c) => c.count > 1);
      const edited = { ...nth(callers, i), count: nth(callers, i).count - 1 };
      callers[i] = edited;
      const error = refused({ ...evidence, usage: { ...evidence.usage, callers } });
      const row = evidence.usage.requests.findIndex(
        (r) => r.keyArn === edited.keyArn && r.operation === edited.operation && r.account === edited.account,
      );
      expect(error.field).toBe(`usage.requests[${row}]`);
      expect(error.message).toMatch(/its callers \(usage\.callers\) add up to \d+ requests/);
    });

    it('refuses a caller of a count the file does not have, and a mislabelled tail', () => {
      const evidence = callerEvidence();
      const callers = evidence.usage.callers ?? [];
      const stray = { ...nth(callers, 0), operation: 'ReEncrypt', count: 0, failedCount: 0 };
      expect(
        refused({ ...evidence, usage: { ...evidence.usage, callers: [...callers, stray] } }).message,
      ).toContain(
        'names a count (account, region, keyArn, operation, keyPairSpec) that usage.requests does not have',
      );
      const mislabelled = [{ ...nth(callers, 0), caller: '(other callers)' }, ...callers.slice(1)];
      expect(refused({ ...evidence, usage: { ...evidence.usage, callers: mislabelled } }).field).toBe(
        'usage.callers[0]',
      );
    });
  });

  it('refuses a file written by a newer kms-report', () => {
    const newer = { ...sampleEvidence(), schemaVersion: USAGE_SCHEMA_VERSION + 1 };
    expect(() => parseUsageEvidence(JSON.stringify(newer), 'usage.json')).toThrow(
      /schemaVersion: written by a newer kms-report/,
    );
  });

  it('refuses another kind of file, such as an inventory snapshot', async () => {
    const path = await tempFile('inventory.json');
    await writeFile(path, JSON.stringify({ kind: 'kms-report/inventory', schemaVersion: 1 }));
    await expect(readUsageEvidence(path)).rejects.toThrow(SnapshotError);
    await expect(readUsageEvidence(path)).rejects.toThrow(/kind: expected "kms-report\/usage"/);
  });

  it('says so when the file is missing or not JSON', async () => {
    await expect(readUsageEvidence(await tempFile('none.json'))).rejects.toThrow(/no such file/);
    expect(() => parseUsageEvidence('{"kind":', 'usage.json')).toThrow(/usage\.json: not valid JSON/);
  });
});
