import {
  AthenaClient,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { runAthenaQuery } from '../../src/collect/athena.js';
import { athenaSliceResult, queryCloudTrailMonth } from '../../src/usage/athena.js';
import { CLOUDTRAIL_SQL_COLUMNS } from '../../src/usage/athena-sql.js';
import { systemClock } from '../../src/util/clock.js';
import { parseMonth } from '../../src/util/month.js';

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';
const OWNER = '111122223333';
const KEY = `arn:aws:kms:${REGION}:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OCTOBER = parseMonth('2026-10');

const athena = new AthenaClient({
  region: REGION,
  endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
});
/** Fast polls: moto answers at once. */
const polling = { initialMs: 5, maxMs: 20 };

async function moto(path: string, body: unknown) {
  const response = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.ok).toBe(true);
}

/** Queues the next query's rows (header first, as Athena writes a SELECT's first page). */
async function queueResults(rows: Partial<Record<(typeof CLOUDTRAIL_SQL_COLUMNS)[number], string>>[]) {
  const data = (values: (string | undefined)[]) => ({
    Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
  });
  await moto('/moto-api/static/athena/query-results', {
    account_id: '123456789012',
    region: REGION,
    results: [
      {
        rows: [
          data([...CLOUDTRAIL_SQL_COLUMNS]),
          ...rows.map((r) => data(CLOUDTRAIL_SQL_COLUMNS.map((c) => r[c]))),
        ],
        column_info: CLOUDTRAIL_SQL_COLUMNS.map((c) => ({
          Name: c,
          Label: c,
          Type: 'varchar',
          Nullable: 'UNKNOWN',
          CaseSensitive: true,
        })),
      },
    ],
  });
}

/** Queries stay QUEUED until polled `times` times (moto's state manager). */
const holdQueries = (times: number) =>
  moto('/moto-api/state-manager/set-transition', {
    model_name: 'athena::execution',
    transition: { progression: 'manual', times },
  });

beforeEach(async () => {
  await moto('/moto-api/reset', {});
});
afterEach(async () => {
  await moto('/moto-api/state-manager/unset-transition', { model_name: 'athena::execution' });
});

const base = {
  trail_account: OWNER,
  region: REGION,
  service_event: 'false',
  billed_account: OWNER,
  key_arn: KEY,
  key_class: 'symmetric',
  id_type: 'AssumedRole',
  id_account: OWNER,
  failed: '0',
};

describe('the Athena usage source against moto', () => {
  it('counts the rows of the month query into the usage model, with the lifecycle', async () => {
    await queueResults([
      {
        ...base,
        in_window: 'true',
        operation: 'Decrypt',
        issuer_arn: `arn:aws:iam::${OWNER}:role/orders-app`,
        ok: '1204',
        failed: '3',
      },
      {
        ...base,
        in_window: 'true',
        operation: 'GenerateDataKeyPair',
        key_pair_spec: 'RSA_2048',
        id_type: 'IAMUser',
        id_arn: `arn:aws:iam::${OWNER}:user/Alice`,
        ok: '2',
      },
      {
        trail_account: OWNER,
        region: REGION,
        in_window: 'true',
        service_event: 'false',
        billed_account: OWNER,
        operation: 'GenerateRandom',
        id_type: 'IAMUser',
        id_account: OWNER,
        id_arn: `arn:aws:iam::${OWNER}:user/Alice`,
        ok: '5',
        failed: '0',
      },
      {
        ...base,
        in_window: 'false',
        operation: 'ScheduleKeyDeletion',
        id_type: 'IAMUser',
        id_arn: `arn:aws:iam::${OWNER}:user/Alice`,
        lc_time: '2026-11-01T10:00:00Z',
        lc_keys: KEY,
        lc_pending: '7',
        lc_deletion: 'Nov 8, 2026 10:00:00 AM',
        ok: '1',
      },
    ]);
    const month = await queryCloudTrailMonth(athena, {
      table: 'cloudtrail.org_trail',
      layout: 'projection',
      workgroup: 'primary',
      outputLocation: 's3://athena-results/kms-report/',
      window: OCTOBER,
      accounts: [OWNER],
      regions: [REGION],
      polling,
    });
    expect(month.outcome).toMatchObject({ state: 'succeeded', pages: 1, rows: 4 });
    const result = athenaSliceResult(month, OWNER, REGION, Date.parse('2026-11-20T00:00:00Z'));
    expect(result.coverage.status).toBe('complete');
    expect(result.coverage.detail).toContain('s3://athena-results/kms-report/');
    expect(result.requests.map((r) => [r.operation, r.keyPairSpec, r.count, r.failedCount])).toEqual([
      ['Decrypt', null, 1204, 3],
      ['GenerateDataKeyPair', 'RSA_2048', 2, 0],
    ]);
    expect(result.keylessRequests).toEqual([
      expect.objectContaining({ operation: 'GenerateRandom', count: 5 }),
    ]);
    expect(result.afterMonth?.lifecycle).toEqual([
      expect.objectContaining({
        event: 'ScheduleKeyDeletion',
        pendingWindowInDays: 7,
        deletionDate: '2026-11-08T10:00:00.000Z',
      }),
    ]);
    // What was asked of Athena: the SQL with the month's partitions only.
    const run = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: month.outcome.executionId ?? '' }),
    );
    expect(run.QueryExecution?.Query).toContain(`"timestamp" BETWEEN '2026/09/30' AND '2026/11/01'`);
    // Another account of the query with no row: not zero, a gap.
    expect(athenaSliceResult(month, '444455556666', REGION).coverage.status).toBe('failed');
  });

  it('Ctrl-C stops the running query (StopQueryExecution): a gap, not zeros', async () => {
    await holdQueries(1000);
    const controller = new AbortController();
    let polls = 0;
    const clock = {
      now: systemClock.now,
      sleep: async (ms: number) => {
        polls += 1;
        if (polls === 2) controller.abort();
        await systemClock.sleep(ms);
      },
    };
    const month = await queryCloudTrailMonth(athena, {
      table: 'cloudtrail.t',
      window: OCTOBER,
      polling,
      clock,
      signal: controller.signal,
    });
    expect(month.outcome.state).toBe('cancelled');
    const state = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: month.outcome.executionId ?? '' }),
    );
    expect(state.QueryExecution?.Status?.State).toBe('CANCELLED');
    const result = athenaSliceResult(month, OWNER, REGION);
    expect(result.coverage).toMatchObject({ status: 'failed' });
    expect(result.requests).toEqual([]);
  });

  it('a query cancelled by someone else ends the wait as cancelled', async () => {
    await holdQueries(1000);
    let stopped = false;
    const otherUser = async () => {
      const listed = await athena.send(new ListQueryExecutionsCommand({}));
      for (const QueryExecutionId of listed.QueryExecutionIds ?? [])
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId }));
    };
    const outcome = await runAthenaQuery(athena, 'SELECT 1', {
      polling,
      clock: {
        now: systemClock.now,
        sleep: async (ms) => {
          if (!stopped) {
            stopped = true;
            await otherUser();
          }
          await systemClock.sleep(ms);
        },
      },
      onRows: () => {},
    });
    expect(outcome.state).toBe('cancelled');
    expect(outcome.reason).toContain('was cancelled');
  });

  it('a query that outlasts the wait is stopped and times out', async () => {
    await holdQueries(1000);
    const outcome = await runAthenaQuery(athena, 'SELECT 1', {
      polling: { ...polling, maxWaitMs: 200 },
      onRows: () => {},
    });
    expect(outcome).toMatchObject({ state: 'timed-out' });
    const state = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: outcome.executionId ?? '' }),
    );
    expect(state.QueryExecution?.Status?.State).toBe('CANCELLED');
  });
});
