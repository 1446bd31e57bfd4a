import { describe, expect, it } from 'vitest';
import { parseAthenaTable } from '../../../src/collect/athena.js';
import { UsageAggregator } from '../../../src/usage/aggregator.js';
import { type AthenaCloudTrailMonth, AthenaUsageRows, athenaSliceResult } from '../../../src/usage/athena.js';
import { type CloudTrailTableLayout, cloudTrailUsageSql } from '../../../src/usage/athena-sql.js';
import { parseKeyArn } from '../../../src/usage/events.js';
import { compositeKey } from '../../../src/util/compare.js';
import { DAY_MS, parseMonth } from '../../../src/util/month.js';
import { cloudTrailTableRow, runOnDuckDb } from '../../support/athena-local.js';
import { CALLER_RECORDS, KEYS, KMS_RECORDS, OTHER, OWNER, recordNamed, S3_RECORD } from './fixtures.js';

const OCTOBER = parseMonth('2026-10');
const TABLE = 'cloudtrail.org_trail';

type Rec = Record<string, unknown>;
const at = (r: Rec, eventTime: string, more: Rec = {}): Rec => ({ ...r, eventTime, ...more });

/**
 * The S3 reader's fixture (October's KMS records and another service's), and the cases a month of
 * an organisation trail brings: the month's edges, the day after it, another region, another
 * account's trail, records with odd resources, no region, no account, failed lifecycle calls.
 */
function organisationRecords(): Rec[] {
  const encrypt = recordNamed('Encrypt');
  const schedule = recordNamed('ScheduleKeyDeletion');
  const decryptOther = recordNamed('Decrypt', 2);
  return [
    ...KMS_RECORDS,
    S3_RECORD,
    at(encrypt, '2026-09-30T23:58:00Z'),
    at(encrypt, '2026-10-01T00:00:00Z'),
    at(encrypt, '2026-10-31T23:59:59Z'),
    at(encrypt, '2026-11-01T00:05:00Z'),
    at(schedule, '2026-11-01T10:00:00Z', {
      requestParameters: { keyId: KEYS.RSA, pendingWindowInDays: 7 },
      responseElements: { keyId: KEYS.RSA, deletionDate: 'Nov 8, 2026 10:00:00 AM' },
      resources: [{ accountId: OWNER, type: 'AWS::KMS::Key', ARN: KEYS.RSA }],
    }),
    at(schedule, '2026-11-03T10:00:00Z'),
    at(encrypt, '2026-10-05T10:00:00Z', { awsRegion: 'eu-west-1' }),
    at(encrypt, '2026-10-06T10:00:00Z', { awsRegion: undefined }),
    at(encrypt, '2026-10-07T10:00:00Z', { errorCode: 'DisabledException' }),
    at(recordNamed('ScheduleKeyDeletion'), '2026-10-08T10:00:00Z', { errorCode: 'KMSInvalidStateException' }),
    // ReEncrypt names two keys: counted on the first; an untyped and an empty-typed entry.
    at(encrypt, '2026-10-09T10:00:00Z', {
      eventName: 'ReEncrypt',
      resources: [
        { accountId: OWNER, ARN: KEYS.ECC, type: '' },
        { accountId: OWNER, type: 'AWS::KMS::Key', ARN: KEYS.SYM },
      ],
    }),
    // A resource that is not a key, then a key.
    at(encrypt, '2026-10-10T10:00:00Z', {
      resources: [
        { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::bucket' },
        { accountId: OWNER, type: 'AWS::KMS::Key', ARN: KEYS.OLD },
      ],
    }),
    // The cross-account Decrypt as the caller's own trail logs it too (another trail account).
    at(decryptOther, '2026-10-11T10:00:00Z', { recipientAccountId: OTHER }),
    // S3 with the uploader's credentials, an object in the encryption context.
    at(recordNamed('GenerateDataKey', 1), '2026-10-12T10:00:00Z', {
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:batch-23',
        arn: `arn:aws:sts::${OTHER}:assumed-role/uploader/batch-23`,
        accountId: OTHER,
        invokedBy: 's3.amazonaws.com',
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${OTHER}:role/uploader`, accountId: OTHER },
        },
      },
      requestParameters: {
        keySpec: 'AES_256',
        encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::uploads/2026/10/a.csv' },
      },
    }),
    // A service as itself with no account, a keyless call with no account at all.
    at(encrypt, '2026-10-13T10:00:00Z', {
      userIdentity: { type: 'AWSService', invokedBy: 'dynamodb.amazonaws.com' },
    }),
    at(recordNamed('GenerateRandom'), '2026-10-14T10:00:00Z', {
      userIdentity: { type: 'AWSService', invokedBy: 'x.amazonaws.com' },
      recipientAccountId: '',
    }),
    at(encrypt, 'not a time'),
    ...CALLER_RECORDS,
    ...identityRecords(),
  ];
}

/** One Encrypt of October by each kind of caller `callerOf` tells apart (and a few that do not read). */
function identityRecords(): Rec[] {
  const encrypt = recordNamed('Encrypt');
  const by = (day: number, userIdentity: unknown, more: Rec = {}) =>
    at(encrypt, `2026-10-${String(day).padStart(2, '0')}T12:00:00Z`, { userIdentity, ...more });
  const s3Context = (arn: string) => ({
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:s3:arn': arn } },
  });
  return [
    by(2, { type: 'Root', accountId: OWNER, arn: `arn:aws:iam::${OWNER}:root`, principalId: OWNER }),
    by(3, { type: 'IAMUser', accountId: OWNER, userName: 'Bob', principalId: 'AIDAEXAMPLEBOB' }),
    by(4, {
      type: 'FederatedUser',
      accountId: OWNER,
      arn: `arn:aws:sts::${OWNER}:federated-user/Carol`,
      sessionContext: { sessionIssuer: { type: 'IAMUser', arn: `arn:aws:iam::${OWNER}:user/fed-broker` } },
    }),
    by(5, { type: 'Anonymous', principalId: 'ANONYMOUS_PRINCIPAL', accountId: 'anonymous' }),
    // Two sessions of a role with a path, named by the issuer; one with no issuer (the role from its session ARN).
    ...['s-1', 's-2'].map((session, i) =>
      by(6 + i, {
        type: 'AssumedRole',
        accountId: OWNER,
        arn: `arn:aws:sts::${OWNER}:assumed-role/deployer/${session}`,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${OWNER}:role/ci/deployer` } },
      }),
    ),
    by(8, { type: 'AssumedRole', accountId: OWNER, arn: `arn:aws:sts::${OWNER}:assumed-role/batch/job-7` }),
    // A principal of another account by its id, a session's and a user's.
    by(9, { type: 'AWSAccount', accountId: OTHER, principalId: 'AROAOTHERROLE:night-run' }),
    by(10, { type: 'AWSAccount', accountId: OTHER, principalId: 'AIDAOTHERUSER' }),
    // S3 as itself with a Bucket Key (the bucket's ARN); a user whose context names S3 but S3 did not call.
    by(11, { type: 'AWSService', invokedBy: 's3.amazonaws.com' }, s3Context('arn:aws:s3:::shared-logs')),
    by(
      12,
      { type: 'IAMUser', accountId: OWNER, arn: `arn:aws:iam::${OWNER}:user/Alice` },
      s3Context('arn:aws:s3:::private/a.txt'),
    ),
    // What does not read: an unknown type, no identity at all, a role ARN that is not one.
    by(13, { type: 'SomethingNew', accountId: OWNER, arn: 'arn:aws:iam::111122223333:thing/x' }),
    by(14, undefined),
    by(15, { type: 'AssumedRole', accountId: OWNER, arn: 'not-an-arn' }),
  ];
}

/** The folder an event would be in: its trail account and region (the S3 reader's unit). */
function folderOf(r: Rec): { account: string; region: string } {
  const resources = (r.resources ?? []) as { ARN?: string }[];
  const keyRegion = resources.map((x) => parseKeyArn(x.ARN ?? '')).find(Boolean)?.region ?? '';
  return {
    account: String(r.recipientAccountId ?? ''),
    region: (r.awsRegion as string | undefined) || keyRegion,
  };
}

/** The S3 reader's counting of each folder: one aggregator per (trail account, region). */
function aggregatorsByFolder(records: readonly Rec[]): Map<string, UsageAggregator> {
  const afterEnd = new Date(OCTOBER.end.getTime() + DAY_MS);
  const byFolder = new Map<string, UsageAggregator>();
  for (const r of records) {
    const { account, region } = folderOf(r);
    const id = compositeKey(account, region);
    if (!byFolder.has(id)) byFolder.set(id, new UsageAggregator('cloudtrail-s3', { ...OCTOBER, afterEnd }));
    byFolder.get(id)?.add(r);
  }
  return byFolder;
}

function athenaMonth(
  records: readonly Rec[],
  layout: CloudTrailTableLayout,
  accounts?: string[],
  regions?: string[],
) {
  const sql = cloudTrailUsageSql({
    table: parseAthenaTable(TABLE, '--athena-table'),
    layout,
    window: OCTOBER,
    accounts,
    regions,
  });
  const rows = records.map((r) => {
    const { account, region } = folderOf(r);
    const day = String(r.eventTime).slice(0, 10).replaceAll('-', '/');
    return { ...cloudTrailTableRow(r, day), account, region };
  });
  const ddl = `sql/athena/cloudtrail-${layout}.sql`;
  const answer = runOnDuckDb(ddl, TABLE, rows, sql);
  const counted = new AthenaUsageRows();
  counted.addPage(answer.rows, answer.columns);
  const month: AthenaCloudTrailMonth = {
    sql,
    table: parseAthenaTable(TABLE, '--athena-table'),
    layout,
    window: OCTOBER,
    outcome: {
      state: 'succeeded',
      executionId: 'q-1',
      reason: '',
      scannedBytes: 1,
      resultLocation: null,
      rows: answer.rows.length,
      pages: 1,
    },
    startedAt: Date.parse('2026-11-20T00:00:00Z'),
    rows: counted,
    scope: 'every account and every region',
  };
  return { month, answer };
}

const withSource = <T extends { source: string }>(rows: readonly T[]) =>
  rows.map((r) => ({ ...r, source: 'same' }));

describe('the Athena CloudTrail SQL, run on DuckDB over the S3 reader fixture', () => {
  const records = organisationRecords();
  const expected = aggregatorsByFolder(records);

  for (const layout of ['console', 'projection'] as const)
    it(`counts every (trail account, region) exactly as the S3 reader (${layout} layout)`, () => {
      const { month } = athenaMonth(records, layout);
      const now = Date.parse('2026-11-20T00:00:00Z');
      const folders = [...expected.keys()].filter((id) => (expected.get(id)?.stats.kmsEvents ?? 0) > 0);
      // Both readers find the same folders with KMS events of the month.
      expect(folders.length).toBeGreaterThanOrEqual(3);
      for (const id of folders) {
        const agg = expected.get(id) as UsageAggregator;
        const [account, region] = JSON.parse(id) as [string, string];
        expect([...month.rows.slices.keys()]).toContain(id);
        const result = athenaSliceResult(month, account, region, now);
        expect(result.coverage.status).toBe('complete');
        expect(withSource(result.requests)).toEqual(withSource(agg.requests()));
        expect(withSource(result.keylessRequests)).toEqual(withSource(agg.keylessRequests()));
        expect(result.lifecycle).toEqual(agg.lifecycleEvents());
        expect(result.afterMonth?.lifecycle).toEqual(agg.afterLifecycleEvents());
        expect(result.keyClasses).toEqual(agg.keyClasses());
        expect(result.stats.kmsEvents).toBe(agg.stats.kmsEvents);
        expect(result.stats.keyless).toEqual(agg.stats.keyless);
        // Every request by the same caller, as the S3 reader names them (callerOf).
        expect(withSource(result.callers)).toEqual(withSource(agg.callers()));
        // Callers add up to the requests, key by key.
        const byKey = new Map<string, number>();
        for (const c of result.callers)
          byKey.set(
            compositeKey(c.account, c.keyArn, c.operation, c.keyPairSpec ?? ''),
            (byKey.get(compositeKey(c.account, c.keyArn, c.operation, c.keyPairSpec ?? '')) ?? 0) +
              c.count +
              c.failedCount,
          );
        for (const r of result.requests)
          expect(byKey.get(compositeKey(r.account, r.keyArn, r.operation, r.keyPairSpec ?? ''))).toBe(
            r.count + r.failedCount,
          );
      }
    });

  it('normalises callers: a role session to its role, a service to its principal, S3 objects to their bucket', () => {
    const { month } = athenaMonth(records, 'projection');
    const result = athenaSliceResult(month, OWNER, 'us-east-1', Date.parse('2026-11-20T00:00:00Z'));
    const callers = result.callers;
    expect(
      callers.find(
        (c) => c.caller === `arn:aws:iam::${OTHER}:role/uploader` && c.bucketArn === 'arn:aws:s3:::uploads',
      ),
    ).toMatchObject({
      callerType: 'role',
      callerAccount: OTHER,
      bucketArn: 'arn:aws:s3:::uploads',
      s3ContextScope: 'object',
      count: 1,
    });
    expect(callers.find((c) => c.caller === 'cloudtrail.amazonaws.com')).toMatchObject({
      callerType: 'service',
      callerAccount: null,
    });
    expect(
      callers.find((c) => c.caller === 'arn:aws:iam::111122223333:user/Alice' && c.operation === 'Encrypt'),
    ).toMatchObject({ callerType: 'user' });
  });

  it('keeps callers bounded as the S3 reader does: the smallest folded into other callers, the sums exact', () => {
    const sql = cloudTrailUsageSql({
      table: parseAthenaTable(TABLE, '--athena-table'),
      layout: 'console',
      window: OCTOBER,
    });
    const rows = records.map((r) =>
      cloudTrailTableRow(r, String(r.eventTime).slice(0, 10).replaceAll('-', '/')),
    );
    const answer = runOnDuckDb('sql/athena/cloudtrail-console.sql', TABLE, rows, sql);
    const counted = new AthenaUsageRows({ maxCallers: 4 });
    counted.addPage(answer.rows, answer.columns);
    const slice = counted.slices.get(compositeKey(OWNER, 'us-east-1'));
    const callers = slice?.callers() ?? [];
    const named = callers.filter((c) => c.callerType !== 'other-callers');
    expect(named.length).toBeLessThanOrEqual(4);
    expect(callers.some((c) => c.callerType === 'other-callers')).toBe(true);
    const sums = new Map<string, number>();
    const id = (c: { keyArn: string; operation: string; keyPairSpec: string | null; account: string }) =>
      compositeKey(c.account, c.keyArn, c.operation, c.keyPairSpec ?? '');
    for (const c of callers) sums.set(id(c), (sums.get(id(c)) ?? 0) + c.count + c.failedCount);
    for (const r of slice?.requests() ?? []) expect(sums.get(id(r))).toBe(r.count + r.failedCount);
  });

  it('reads only the accounts and regions asked for', () => {
    const { month, answer } = athenaMonth(records, 'projection', [OWNER], ['us-east-1']);
    expect(answer.duckdb_sql).toContain('BETWEEN');
    expect([...month.rows.slices.keys()]).toEqual([compositeKey(OWNER, 'us-east-1')]);
  });

  it('builds SQL from checked names only', () => {
    expect(() => parseAthenaTable('db.t"; DROP TABLE x; --', '--athena-table')).toThrow(/not an Athena name/);
    expect(() => parseAthenaTable('a.b.c', '--athena-table')).toThrow(/DB.TABLE/);
    expect(() => parseAthenaTable('t', '--athena-table')).toThrow(/names no database/);
    const table = parseAthenaTable('t', '--athena-table', 'Trails');
    expect(() =>
      cloudTrailUsageSql({ table, layout: 'console', window: OCTOBER, regions: ["us-east-1' OR 1=1"] }),
    ).toThrow(/not a region/);
    expect(cloudTrailUsageSql({ table, layout: 'projection', window: OCTOBER })).toContain(
      `FROM "trails"."t"`,
    );
  });
});
