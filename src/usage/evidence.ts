import { z } from 'zod';
import { SnapshotError } from '../errors.js';
import { accountIdSchema } from '../model/account-id.js';
import type { IsoDate } from '../model/inventory.js';
import { keyArnSchema } from '../model/key-arn.js';
import {
  type CallerType,
  LIFECYCLE_EVENT_NAMES,
  type MonthUsage,
  OTHER_CALLERS,
  type UsageSource,
} from '../model/usage.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { jsonFileChunks } from '../util/json-chunks.js';
import {
  type MAX_EVIDENCE_FILE_BYTES,
  parseVersionedFile,
  readEvidenceText,
  refuseDuplicates,
} from '../util/versioned-file.js';
import type { KeyClass } from './events.js';
import type { ReconciliationRow } from './reconcile.js';

export const USAGE_KIND = 'kms-report/usage';
/**
 * 3: adds `usage.callers` (the per-key requests by caller). Files of version 2 are still read:
 * who called is then unknown (absent), not zero.
 *
 * 2: adds `usage.keylessRequests` (requests that name no key), `usage.afterMonth` (lifecycle
 * events after the month) and `coverage[].readUntil`. Files of version 1 are still read: their
 * requests that name no key are then unknown, and pending deletions are dated as before.
 */
export const USAGE_SCHEMA_VERSION = 3;
/** The first schema version with `usage.callers`. */
const CALLERS_SINCE_VERSION = 3;

/** The usage evidence file: one month's request volumes and lifecycle, with where each came from. */
export interface UsageEvidence {
  readonly kind: typeof USAGE_KIND;
  /** {@link USAGE_SCHEMA_VERSION} when written by this version; 1 or 2 in older files it reads. */
  readonly schemaVersion: 1 | 2 | typeof USAGE_SCHEMA_VERSION;
  readonly tool: { readonly name: 'kms-report'; readonly version: string };
  readonly collection: {
    readonly startedAt: IsoDate;
    readonly finishedAt: IsoDate;
    /** True when the run was stopped (Ctrl-C): the coverage says what is missing. */
    readonly interrupted: boolean;
  };
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly usage: MonthUsage;
  /** The key class each key's requests revealed (by the algorithm used), by key ARN. */
  readonly keyClasses: Readonly<Record<string, KeyClass>>;
  readonly reconciliation: readonly ReconciliationRow[];
}

const isoDate = z.iso.datetime({ offset: false });
const source = z.enum([
  'cloudtrail-lookup',
  'cloudtrail-s3',
  'cloudtrail-athena',
  'cloudwatch',
  'sample',
]) satisfies z.ZodType<UsageSource>;
const count = z.number().int().nonnegative();
const callerType = z.enum([
  'role',
  'user',
  'root',
  'federated',
  'service',
  'anonymous',
  'other-callers',
  'unknown',
]) satisfies z.ZodType<CallerType>;
const keyClass = z.enum(['symmetric', 'hmac', 'rsa', 'ecc', 'sm2', 'ml-dsa']) satisfies z.ZodType<KeyClass>;

const lifecycleEvent = z
  .object({
    account: accountIdSchema,
    region: z.string(),
    keyArn: keyArnSchema,
    event: z.enum(LIFECYCLE_EVENT_NAMES),
    time: isoDate,
    pendingWindowInDays: z.number().int().positive().optional(),
    deletionDate: isoDate.optional(),
  })
  .strict();

const coverageEntry = z
  .object({
    account: accountIdSchema,
    region: z.string(),
    source,
    status: z.enum(['complete', 'partial', 'failed', 'not-collected']),
    detail: z.string(),
    readUntil: isoDate.optional(),
  })
  .strict();

const monthUsage = z
  .object({
    month: z.string().regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM'),
    window: z.object({ start: isoDate, end: isoDate }).strict(),
    requests: z.array(
      z
        .object({
          // The billed account as CloudTrail names it (not always an account id); never a path.
          account: z.string(),
          region: z.string(),
          keyArn: keyArnSchema,
          operation: z.string(),
          keyPairSpec: z.string().nullable(),
          count,
          failedCount: count,
          source,
        })
        .strict(),
    ),
    keylessRequests: z
      .array(
        z
          .object({
            account: z.string(),
            region: z.string(),
            operation: z.string(),
            count,
            failedCount: count,
            source,
          })
          .strict(),
      )
      .optional(),
    callers: z
      .array(
        z
          .object({
            account: z.string(),
            region: z.string(),
            keyArn: keyArnSchema,
            operation: z.string(),
            keyPairSpec: z.string().nullable(),
            caller: z.string().min(1),
            callerType: callerType,
            callerAccount: z.string().nullable(),
            invokedBy: z.string().nullable(),
            bucketArn: z.string().nullable(),
            s3ContextScope: z.enum(['bucket', 'object']).nullable(),
            count,
            failedCount: count,
            source,
          })
          .strict(),
      )
      .optional(),
    accountTotals: z.array(
      z
        .object({
          account: accountIdSchema,
          region: z.string(),
          resource: z.string(),
          count,
          source: z.enum(['cloudwatch', 'sample']),
        })
        .strict(),
    ),
    lifecycle: z.array(lifecycleEvent),
    afterMonth: z
      .object({
        window: z.object({ start: isoDate, end: isoDate }).strict(),
        lifecycle: z.array(lifecycleEvent),
        coverage: z.array(coverageEntry),
      })
      .strict()
      .optional(),
    coverage: z.array(coverageEntry),
  })
  .strict();

/** The zod schema of the usage evidence file. */
export const usageEvidenceSchema = z
  .object({
    kind: z.literal(USAGE_KIND),
    schemaVersion: z.union([z.literal(1), z.literal(2), z.literal(USAGE_SCHEMA_VERSION)]),
    tool: z.object({ name: z.literal('kms-report'), version: z.string() }).strict(),
    collection: z.object({ startedAt: isoDate, finishedAt: isoDate, interrupted: z.boolean() }).strict(),
    accounts: z.array(accountIdSchema),
    regions: z.array(z.string()),
    usage: monthUsage,
    keyClasses: z.record(z.string(), keyClass),
    reconciliation: z.array(
      z
        .object({
          account: accountIdSchema,
          region: z.string(),
          resource: z.string(),
          cloudWatch: count,
          perKey: count,
          attributed: count,
          unattributed: count,
          attributedPercent: z.number().min(0).max(100).nullable(),
          unknownClass: count,
        })
        .strict(),
    ),
  })
  .strict();

/**
 * The published JSON Schema of the usage evidence file (`schema/usage.schema.json`, written by
 * `npm run schema`; a test keeps the two in step), for tools that read the evidence.
 */
export function usageJsonSchema(): string {
  const schema = z.toJSONSchema(usageEvidenceSchema, { target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: `kms-report usage evidence, schema version ${USAGE_SCHEMA_VERSION}` }, null, 2)}\n`;
}

/** The evidence as written to disk: two-space indentation, final newline. */
export function serializeUsageEvidence(evidence: UsageEvidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

/**
 * Writes the usage evidence atomically: the file is either the previous one or the complete new one.
 *
 * @example
 * ```ts
 * import { collectMonthUsage, writeUsageEvidence } from 'kms-report';
 *
 * const result = await collectMonthUsage({ month: '2026-10', regions: ['us-east-1'], sources: ['lookup'] });
 * await writeUsageEvidence('reports/usage-2026-10.json', result.evidence);
 * ```
 */
export async function writeUsageEvidence(path: string, evidence: UsageEvidence): Promise<void> {
  // In pieces (same text as serializeUsageEvidence).
  await writeFileAtomic(path, jsonFileChunks(evidence));
}

/**
 * Parses and validates usage evidence text; `source` names it in errors. A document of another
 * kind, of a newer schema version, with a field out of shape, or with a row repeated (see
 * {@link refuseRepeatedRows}) is rejected with a {@link SnapshotError} naming the field.
 *
 * @example
 * ```ts
 * const evidence = parseUsageEvidence(text, 'reports/usage-2026-10.json');
 * console.log(evidence.usage.coverage);
 * ```
 */
export function parseUsageEvidence(text: string, source = 'usage evidence'): UsageEvidence {
  const evidence = parseVersionedFile(text, source, {
    kind: USAGE_KIND,
    schemaVersion: USAGE_SCHEMA_VERSION,
    schema: usageEvidenceSchema,
    what: 'a kms-report usage evidence file',
  }) as UsageEvidence;
  if (evidence.usage.callers !== undefined && evidence.schemaVersion < CALLERS_SINCE_VERSION)
    throw new SnapshotError(
      source,
      'usage.callers',
      `appears from schema version ${CALLERS_SINCE_VERSION}; this file says ${evidence.schemaVersion}`,
    );
  refuseRepeatedRows(evidence.usage, source);
  refuseCallersThatDoNotAddUp(evidence.usage, source);
  return evidence;
}

/** A request count's identity: (billed account, region, key ARN, operation, key pair spec). */
const requestId = (r: {
  account: string;
  region: string;
  keyArn: string;
  operation: string;
  keyPairSpec: string | null;
}) => JSON.stringify([r.account, r.region, r.keyArn, r.operation, r.keyPairSpec]);

/**
 * Refuses callers that do not add up to their request count: every caller row names a row of
 * `usage.requests`, and the callers of each row (its folded tail, {@link OTHER_CALLERS},
 * included) add up to its `count` and `failedCount`. Anything else means the file was edited, and
 * the report would name callers for requests that were not billed, or miss some.
 */
function refuseCallersThatDoNotAddUp(usage: MonthUsage, source: string): void {
  if (usage.callers === undefined) return;
  const sums = new Map<string, { count: number; failedCount: number; first: number }>();
  for (const [i, c] of usage.callers.entries()) {
    if ((c.caller === OTHER_CALLERS) !== (c.callerType === 'other-callers'))
      throw new SnapshotError(
        source,
        `usage.callers[${i}]`,
        `the caller "${OTHER_CALLERS}" and the type "other-callers" go together`,
      );
    const id = requestId(c);
    const sum = sums.get(id);
    if (sum) {
      sum.count += c.count;
      sum.failedCount += c.failedCount;
    } else sums.set(id, { count: c.count, failedCount: c.failedCount, first: i });
  }
  for (const [i, r] of usage.requests.entries()) {
    const id = requestId(r);
    const sum = sums.get(id) ?? { count: 0, failedCount: 0, first: -1 };
    sums.delete(id);
    if (sum.count !== r.count || sum.failedCount !== r.failedCount)
      throw new SnapshotError(
        source,
        `usage.requests[${i}]`,
        `its callers (usage.callers) add up to ${sum.count} requests and ${sum.failedCount} failed, not ${r.count} and ${r.failedCount}`,
      );
  }
  for (const sum of sums.values())
    throw new SnapshotError(
      source,
      `usage.callers[${sum.first}]`,
      'names a count (account, region, keyArn, operation, keyPairSpec) that usage.requests does not have',
    );
}

/**
 * Refuses usage in which a row is repeated, so nothing is counted twice. A row's identity is
 * what the collectors add up by: a request count by (billed account, region, key ARN,
 * operation, key pair spec), whatever its source; a request that names no key by (billed account,
 * region, operation) (the pricing engine adds every row, so two
 * sources for the same requests would bill them twice); a caller row by its count's identity and
 * every caller field; an account total by (account, region,
 * CloudWatch resource); a lifecycle event by (key ARN, event, time). Refused, not merged: the
 * collectors add up by this identity within a region, so a repeat means the file was edited or
 * concatenated, or one event was read in two regions' logs; adding the two rows would double
 * real usage, and keeping one would guess.
 */
function refuseRepeatedRows(usage: MonthUsage, source: string): void {
  refuseDuplicates(
    usage.requests,
    'usage.requests',
    (r) => JSON.stringify([r.account, r.region, r.keyArn, r.operation, r.keyPairSpec]),
    source,
    '[account, region, keyArn, operation, keyPairSpec]',
  );
  refuseDuplicates(
    usage.keylessRequests ?? [],
    'usage.keylessRequests',
    (r) => JSON.stringify([r.account, r.region, r.operation]),
    source,
    '[account, region, operation]',
  );
  refuseDuplicates(
    usage.callers ?? [],
    'usage.callers',
    (c) =>
      JSON.stringify([
        c.account,
        c.region,
        c.keyArn,
        c.operation,
        c.keyPairSpec,
        c.caller,
        c.callerType,
        c.callerAccount,
        c.invokedBy,
        c.bucketArn,
        c.s3ContextScope,
      ]),
    source,
    '[account, region, keyArn, operation, keyPairSpec, caller, callerType, callerAccount, invokedBy, bucketArn, s3ContextScope]',
  );
  refuseDuplicates(
    usage.accountTotals,
    'usage.accountTotals',
    (t) => JSON.stringify([t.account, t.region, t.resource]),
    source,
    '[account, region, resource]',
  );
  refuseDuplicates(
    usage.lifecycle,
    'usage.lifecycle',
    (e) => JSON.stringify([e.keyArn, e.event, e.time]),
    source,
    '[keyArn, event, time]',
  );
}

/** Reads and validates a usage evidence file (at most {@link MAX_EVIDENCE_FILE_BYTES}). */
export async function readUsageEvidence(path: string): Promise<UsageEvidence> {
  return parseUsageEvidence(await readEvidenceText(path), path);
}
