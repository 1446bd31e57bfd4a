import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { InputError } from '../errors.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason } from '../util/deadline.js';
import { classifyAwsError } from './aws-errors.js';

/**
 * Running one query in Amazon Athena: start it, wait for it with bounded backoff, read its rows
 * page by page, stop it when asked to. Used by the CloudTrail usage source (`--usage-source
 * athena`) and the CUR bill (`--bill cur-athena`). The SQL is built by the caller; this module
 * only checks the names it is given and never interpolates user text.
 */

/**
 * Athena's price for SQL queries: USD 5.00 per terabyte scanned, billed by the megabyte rounded
 * up with a 10 MB minimum per query (https://aws.amazon.com/athena/pricing/, "SQL queries",
 * us-east-1 and most regions). A terabyte is read as 10^12 bytes.
 */
export const ATHENA_PRICE_PER_TB_USD = '5.00';
/** The smallest scan Athena bills per query (10 MB), and its unit (a megabyte, rounded up). */
export const ATHENA_MIN_BILLED_BYTES = 10_000_000;
const MEGABYTE = 1_000_000;
const TERABYTE = 1_000_000_000_000n;

/**
 * What a scan of `bytes` costs at {@link ATHENA_PRICE_PER_TB_USD}, as a decimal string of dollars
 * (six decimals): rounded up to the megabyte, at least {@link ATHENA_MIN_BILLED_BYTES}. A query
 * that failed is billed for what it scanned before failing; a query that scanned nothing (moto)
 * is still billed the minimum.
 *
 * @example
 * ```ts
 * athenaScanCost(1_000_000_000_000); // '5.000000'
 * athenaScanCost(0); // '0.000050' (the 10 MB minimum)
 * ```
 */
export function athenaScanCost(bytes: number): string {
  const billed = Math.max(ATHENA_MIN_BILLED_BYTES, Math.ceil(Math.max(0, bytes) / MEGABYTE) * MEGABYTE);
  const [whole, cents = ''] = ATHENA_PRICE_PER_TB_USD.split('.');
  const pricePerTbMicro = BigInt(whole as string) * 1_000_000n + BigInt(cents.padEnd(6, '0').slice(0, 6));
  // Micro-dollars, rounded up.
  const micro = (BigInt(billed) * pricePerTbMicro + TERABYTE - 1n) / TERABYTE;
  return `${micro / 1_000_000n}.${String(micro % 1_000_000n).padStart(6, '0')}`;
}

/** A scan size for people: `1.23 GB` (decimal units, as Athena's console shows them). */
export function formatScannedBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(2)} ${units[unit]}`;
}

/** A Glue/Athena table: `database.table`, both checked against {@link ATHENA_NAME}. */
export interface AthenaTableName {
  readonly database: string;
  readonly table: string;
}

/**
 * The names kms-report accepts for an Athena database or table: letters, digits, underscore and
 * hyphen, 1-255 characters, starting with a letter, digit or underscore (Glue's catalog names;
 * Athena folds them to lower case). Nothing else, so a name written into the SQL (always double
 * quoted) can never close its quotes or add a clause.
 */
export const ATHENA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$/;

/**
 * Reads `DB.TABLE` (or `TABLE` with `database`) into a checked {@link AthenaTableName}; anything
 * else is an {@link InputError} naming `flag`.
 *
 * @example
 * ```ts
 * parseAthenaTable('cloudtrail.org_trail'); // { database: 'cloudtrail', table: 'org_trail' }
 * parseAthenaTable('org_trail', '--athena-table', 'cloudtrail'); // the same
 * ```
 */
export function parseAthenaTable(text: string, flag: string, database?: string): AthenaTableName {
  const parts = text.trim().split('.');
  const [db, table] = parts.length === 2 ? parts : parts.length === 1 ? [database, parts[0]] : [];
  if (db === undefined || table === undefined)
    throw new InputError(
      flag,
      parts.length === 1
        ? `"${text}" names no database: give DB.TABLE (or the database with --athena-database)`
        : `expected DB.TABLE, got "${text}"`,
    );
  for (const name of [db, table])
    if (!ATHENA_NAME.test(name))
      throw new InputError(
        flag,
        `"${name}" is not an Athena name (letters, digits, _ and -, at most 255 characters)`,
      );
  return { database: db.toLowerCase(), table: table.toLowerCase() };
}

/** A checked table as SQL: `"database"."table"`. */
export const sqlTable = (t: AthenaTableName): string => `"${t.database}"."${t.table}"`;

/** Where Athena writes results: an `s3://bucket/prefix/` URI, checked. */
export function parseAthenaOutput(text: string, flag = '--athena-output'): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/.test(text))
    throw new InputError(flag, `expected an s3://bucket/prefix/ location, got "${text}"`);
  return text.endsWith('/') ? text : `${text}/`;
}

/** Bounds of the wait for a query: backoff between GetQueryExecution calls, and the longest wait. */
export interface AthenaPolling {
  /** First pause (ms); default 500. */
  readonly initialMs?: number;
  /** Longest pause (ms); default 10 s. Each pause is 1.5 times the last. */
  readonly maxMs?: number;
  /** Give up (stop the query, a `timed-out` outcome) after this long (ms); default {@link DEFAULT_ATHENA_WAIT_MS}. */
  readonly maxWaitMs?: number;
}

/** How long kms-report waits for one query by default: 30 minutes (Athena's own DML limit is 30 minutes by default too). */
export const DEFAULT_ATHENA_WAIT_MS = 30 * 60_000;

export interface AthenaQueryOptions {
  /** The workgroup (default: Athena's `primary`). */
  readonly workgroup?: string;
  /** The result location, when the workgroup does not set one. */
  readonly outputLocation?: string;
  /** The default database of the query (tables are always qualified). */
  readonly database?: string;
  readonly polling?: AthenaPolling;
  readonly clock?: Clock;
  /** Ctrl-C: the query is stopped (StopQueryExecution) and the outcome is `cancelled`. */
  readonly signal?: AbortSignal;
  /** The run's deadline: as `signal`, and the outcome says the deadline passed. */
  readonly deadline?: AbortSignal;
  /** Each page of rows as read (the header row left out): values are strings, null for SQL NULL. */
  readonly onRows: (rows: readonly (readonly (string | null)[])[], columns: readonly string[]) => void;
}

/** How a query ended. Anything but `succeeded` means its rows are not the answer. */
export interface AthenaQueryOutcome {
  readonly state: 'succeeded' | 'failed' | 'cancelled' | 'timed-out';
  /** The query's id (null when it could not be started). */
  readonly executionId: string | null;
  /** What went wrong, in words (empty when it succeeded). */
  readonly reason: string;
  /** Bytes Athena scanned (billed), as it reported them; 0 when unknown. */
  readonly scannedBytes: number;
  /** The result object Athena wrote (`s3://.../<id>.csv`), when it said. */
  readonly resultLocation: string | null;
  /** Rows read (header left out) and GetQueryResults pages. */
  readonly rows: number;
  readonly pages: number;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Runs one query to the end: StartQueryExecution, GetQueryExecution with growing pauses (bounded:
 * {@link AthenaPolling}), then every page of GetQueryResults, each handed to `onRows` and dropped.
 * A query that fails, is cancelled (by someone else too), outlasts `maxWaitMs`, or is stopped by
 * `signal`/`deadline` is an outcome, never an exception, and a query left running is stopped
 * (StopQueryExecution). Only credentials that fail are thrown.
 *
 * @example
 * ```ts
 * const outcome = await runAthenaQuery(new AthenaClient({ region: 'us-east-1' }), sql, {
 *   workgroup: 'primary',
 *   onRows: (rows) => rows.forEach((r) => console.log(r)),
 * });
 * if (outcome.state !== 'succeeded') console.error(outcome.reason);
 * ```
 */
export async function runAthenaQuery(
  client: AthenaClient,
  sql: string,
  options: AthenaQueryOptions,
): Promise<AthenaQueryOutcome> {
  const clock = options.clock ?? systemClock;
  const abortSignal = options.deadline;
  const empty = { scannedBytes: 0, resultLocation: null, rows: 0, pages: 0 };
  let executionId: string;
  try {
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        ...(options.workgroup ? { WorkGroup: options.workgroup } : {}),
        ...(options.outputLocation
          ? { ResultConfiguration: { OutputLocation: options.outputLocation } }
          : {}),
        ...(options.database ? { QueryExecutionContext: { Database: options.database } } : {}),
      }),
      abortSignal ? { abortSignal } : undefined,
    );
    if (!started.QueryExecutionId) throw new Error('StartQueryExecution returned no QueryExecutionId');
    executionId = started.QueryExecutionId;
  } catch (error) {
    const e = classifyAwsError(error, options.deadline);
    if (e.kind === 'credentials') throw error;
    return {
      state: 'failed',
      executionId: null,
      reason: `StartQueryExecution failed: ${e.code}${e.message ? ` (${e.message})` : ''}`,
      ...empty,
    };
  }
  const waited = await waitForQuery(client, executionId, options, clock);
  const base = { executionId, scannedBytes: waited.scannedBytes, resultLocation: waited.resultLocation };
  if (waited.state !== 'SUCCEEDED') return { ...base, ...waited.outcome, rows: 0, pages: 0 };
  return readResults(client, executionId, options, base);
}

interface Waited {
  readonly state: string;
  readonly scannedBytes: number;
  readonly resultLocation: string | null;
  readonly outcome: Pick<AthenaQueryOutcome, 'state' | 'reason'>;
}

/** Polls until the query ends, the wait is too long, or the run is stopped (then stops the query). */
async function waitForQuery(
  client: AthenaClient,
  executionId: string,
  options: AthenaQueryOptions,
  clock: Clock,
): Promise<Waited> {
  const initial = Math.max(1, options.polling?.initialMs ?? 500);
  const maxPause = Math.max(initial, options.polling?.maxMs ?? 10_000);
  const maxWait = options.polling?.maxWaitMs ?? DEFAULT_ATHENA_WAIT_MS;
  const began = clock.now();
  let pause = initial;
  let last: QueryExecution | undefined;
  for (;;) {
    const stopped = stopReason(options, clock.now() - began, maxWait);
    if (stopped) {
      await stopQuery(client, executionId);
      return { ...statsOf(last), state: 'STOPPED', outcome: stopped };
    }
    try {
      last = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId })))
        .QueryExecution;
    } catch (error) {
      const e = classifyAwsError(error, options.deadline);
      if (e.kind === 'credentials') throw error;
      await stopQuery(client, executionId);
      return {
        ...statsOf(last),
        state: 'ERROR',
        outcome: { state: 'failed', reason: `GetQueryExecution ${executionId} failed: ${e.code}` },
      };
    }
    const state = last?.Status?.State ?? 'UNKNOWN';
    if (TERMINAL.has(state)) return { ...statsOf(last), state, outcome: terminalOutcome(executionId, last) };
    await clock.sleep(Math.min(pause, Math.max(1, maxWait - (clock.now() - began))));
    pause = Math.min(maxPause, Math.ceil(pause * 1.5));
  }
}

/** Why the wait must end now (Ctrl-C, the deadline, too long), or null. */
function stopReason(
  options: AthenaQueryOptions,
  elapsed: number,
  maxWait: number,
): Pick<AthenaQueryOutcome, 'state' | 'reason'> | null {
  if (options.signal?.aborted)
    return { state: 'cancelled', reason: 'stopped on request (the query was stopped)' };
  if (options.deadline?.aborted)
    return { state: 'timed-out', reason: `${deadlineReason(options.deadline)} (the query was stopped)` };
  if (elapsed >= maxWait)
    return {
      state: 'timed-out',
      reason: `still running after ${Math.round(maxWait / 1000)} s (the query was stopped)`,
    };
  return null;
}

function statsOf(e: QueryExecution | undefined): Pick<Waited, 'scannedBytes' | 'resultLocation'> {
  return {
    scannedBytes: e?.Statistics?.DataScannedInBytes ?? 0,
    resultLocation: e?.ResultConfiguration?.OutputLocation ?? null,
  };
}

function terminalOutcome(
  id: string,
  e: QueryExecution | undefined,
): Pick<AthenaQueryOutcome, 'state' | 'reason'> {
  const status = e?.Status;
  const why = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? '';
  if (status?.State === 'SUCCEEDED') return { state: 'succeeded', reason: '' };
  if (status?.State === 'CANCELLED')
    return { state: 'cancelled', reason: `query ${id} was cancelled${why ? `: ${why}` : ''}` };
  const type = status?.AthenaError?.ErrorType ? ` (${status.AthenaError.ErrorType})` : '';
  return { state: 'failed', reason: `query ${id} failed${type}${why ? `: ${why}` : ''}` };
}

/** Best effort: a query left running costs money; a failure to stop it changes nothing else. */
async function stopQuery(client: AthenaClient, executionId: string): Promise<void> {
  try {
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: executionId }), {
      abortSignal: AbortSignal.timeout(10_000),
    });
  } catch {
    // The query ends on its own at the workgroup's limit.
  }
}

/** Every page of the results, each handed over and dropped; the header row is left out. */
async function readResults(
  client: AthenaClient,
  executionId: string,
  options: AthenaQueryOptions,
  base: Pick<AthenaQueryOutcome, 'executionId' | 'scannedBytes' | 'resultLocation'>,
): Promise<AthenaQueryOutcome> {
  let token: string | undefined;
  let rows = 0;
  let pages = 0;
  let columns: string[] | null = null;
  do {
    const stopped = options.signal?.aborted || options.deadline?.aborted;
    if (stopped) {
      const why = stopReason(options, 0, Number.POSITIVE_INFINITY);
      return {
        ...base,
        rows,
        pages,
        state: why?.state ?? 'cancelled',
        reason: `${why?.reason ?? 'stopped'} while reading results`,
      };
    }
    let page: GetQueryResultsCommandOutput;
    try {
      page = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: executionId, NextToken: token, MaxResults: 1000 }),
        options.deadline ? { abortSignal: options.deadline } : undefined,
      );
    } catch (error) {
      const e = classifyAwsError(error, options.deadline);
      if (e.kind === 'credentials') throw error;
      return {
        ...base,
        rows,
        pages,
        state: 'failed',
        reason: `GetQueryResults ${executionId} failed after ${pages} pages: ${e.code}`,
      };
    }
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
    let values = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
    // A SELECT's first page starts with the column names.
    if (pages === 0 && values[0] && columns.length > 0 && values[0].every((v, i) => v === columns?.[i]))
      values = values.slice(1);
    pages += 1;
    rows += values.length;
    options.onRows(values, columns);
    token = page.NextToken;
  } while (token);
  return { ...base, rows, pages, state: 'succeeded', reason: '' };
}
