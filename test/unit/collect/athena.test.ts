import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { athenaScanCost, parseAthenaOutput, runAthenaQuery } from '../../../src/collect/athena.js';
import { athenaSliceResult, queryCloudTrailMonth } from '../../../src/usage/athena.js';
import { CLOUDTRAIL_SQL_COLUMNS } from '../../../src/usage/athena-sql.js';
import { parseMonth } from '../../../src/util/month.js';
import { manualClock } from '../usage/fixtures.js';

const athena = mockClient(AthenaClient);
const client = new AthenaClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const ID = '3a2b1c0d-1111-4222-8333-944445555666';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A result row of the CloudTrail query, as GetQueryResults gives it (text, NULL left out). */
function row(values: Partial<Record<(typeof CLOUDTRAIL_SQL_COLUMNS)[number], string>>) {
  return {
    Data: CLOUDTRAIL_SQL_COLUMNS.map((c) => (values[c] === undefined ? {} : { VarCharValue: values[c] })),
  };
}
const header = { Data: CLOUDTRAIL_SQL_COLUMNS.map((c) => ({ VarCharValue: c })) };
const columnInfo = CLOUDTRAIL_SQL_COLUMNS.map((c) => ({
  Name: c,
  Label: c,
  Type: 'varchar',
  CatalogName: 'hive',
  SchemaName: '',
  TableName: '',
  Nullable: 'UNKNOWN' as const,
}));
const decrypts = (caller: string, ok: string) =>
  row({
    trail_account: '111122223333',
    region: 'us-east-1',
    in_window: 'true',
    service_event: 'false',
    billed_account: '111122223333',
    key_arn: KEY,
    operation: 'Decrypt',
    key_class: 'symmetric',
    id_type: 'AssumedRole',
    id_account: '111122223333',
    issuer_arn: caller,
    ok,
    failed: '0',
  });

const execution = (State: QueryExecutionState, more: object = {}) => ({
  QueryExecution: {
    QueryExecutionId: ID,
    Status: { State, ...more },
    Statistics: { DataScannedInBytes: 52_428_800_000, EngineExecutionTimeInMillis: 41_000 },
    ResultConfiguration: { OutputLocation: `s3://athena-results-111122223333/kms-report/${ID}.csv` },
  },
});

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
  athena.on(StopQueryExecutionCommand).resolves({});
});

describe('runAthenaQuery', () => {
  it('waits with growing pauses, then reads every page and leaves the header row out', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand, { NextToken: undefined }).resolves({
      ResultSet: {
        Rows: [header, decrypts('arn:aws:iam::111122223333:role/a', '700')],
        ResultSetMetadata: { ColumnInfo: columnInfo },
      },
      NextToken: 'page-2',
    });
    athena.on(GetQueryResultsCommand, { NextToken: 'page-2' }).resolves({
      ResultSet: {
        Rows: [decrypts('arn:aws:iam::111122223333:role/b', '300')],
        ResultSetMetadata: { ColumnInfo: columnInfo },
      },
    });
    const clock = manualClock(new Date('2026-11-02T00:00:00Z'));
    const slept: number[] = [];
    const month = await queryCloudTrailMonth(client, {
      table: 'cloudtrail.org_trail',
      layout: 'projection',
      window: parseMonth('2026-10'),
      regions: ['us-east-1'],
      clock: {
        now: clock.now,
        sleep: async (ms) => {
          slept.push(ms);
          await clock.sleep(ms);
        },
      },
    });
    expect(month.outcome).toMatchObject({
      state: 'succeeded',
      pages: 2,
      rows: 2,
      scannedBytes: 52_428_800_000,
    });
    expect(slept).toEqual([500, 750]);
    const result = athenaSliceResult(month, '111122223333', 'us-east-1', clock.now());
    expect(result.coverage.status).toBe('complete');
    expect(result.requests).toEqual([
      expect.objectContaining({
        keyArn: KEY,
        operation: 'Decrypt',
        count: 1000,
        source: 'cloudtrail-athena',
      }),
    ]);
    expect(result.callers.map((c) => c.count)).toEqual([700, 300]);
    // The scan and its cost are in the coverage: 52.43 GB, billed by the megabyte rounded up, at $5 per TB.
    expect(result.coverage.detail).toContain(
      'scanned 52.43 GB for every account and 1 region ($0.262145 at $5.00 per TB)',
    );
    const sql = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input.QueryString ?? '';
    expect(sql).toContain(`"timestamp" BETWEEN '2026/09/30' AND '2026/11/01'`);
  });

  it("a failed query is a failed coverage with Athena's reason, never zero requests", async () => {
    athena.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        StateChangeReason: "COLUMN_NOT_FOUND: line 24:5: Column 'timestamp' cannot be resolved",
        AthenaError: {
          ErrorCategory: 2,
          ErrorType: 1006,
          Retryable: false,
          ErrorMessage: "COLUMN_NOT_FOUND: line 24:5: Column 'timestamp' cannot be resolved",
        },
      }),
    );
    const clock = manualClock(new Date('2026-11-02T00:00:00Z'));
    const month = await queryCloudTrailMonth(client, {
      table: 'cloudtrail.t',
      layout: 'projection',
      window: parseMonth('2026-10'),
      clock,
    });
    expect(month.outcome.state).toBe('failed');
    const result = athenaSliceResult(month, '111122223333', 'us-east-1', clock.now());
    expect(result.coverage).toMatchObject({ status: 'failed', source: 'cloudtrail-athena' });
    expect(result.coverage.detail).toContain("Column 'timestamp' cannot be resolved");
    expect(result.requests).toEqual([]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('a query still running at the wait limit is stopped and timed out', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    const clock = manualClock(new Date('2026-11-02T00:00:00Z'));
    const outcome = await runAthenaQuery(client, 'SELECT 1', {
      clock,
      polling: { maxWaitMs: 60_000 },
      onRows: () => {},
    });
    expect(outcome).toMatchObject({ state: 'timed-out', executionId: ID });
    expect(outcome.reason).toContain('still running after 60 s');
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
    // Bounded backoff: at most 10 s between polls.
    expect(athena.commandCalls(GetQueryExecutionCommand).length).toBeGreaterThan(6);
  });

  it('prices a scan by the megabyte with the 10 MB minimum', () => {
    expect(athenaScanCost(1_000_000_000_000)).toBe('5.000000');
    expect(athenaScanCost(0)).toBe('0.000050');
    expect(athenaScanCost(10_000_001)).toBe('0.000055');
    expect(() => parseAthenaOutput('https://bucket/x')).toThrow(/s3:\/\//);
  });
});
