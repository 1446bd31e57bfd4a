import type { AthenaClient } from '@aws-sdk/client-athena';
import {
  ATHENA_PRICE_PER_TB_USD,
  type AthenaPolling,
  type AthenaQueryOutcome,
  type AthenaTableName,
  athenaScanCost,
  formatScannedBytes,
  parseAthenaTable,
  runAthenaQuery,
  sqlTable,
} from '../collect/athena.js';
import type {
  CallerRequestCount,
  KeylessRequestCount,
  LifecycleEvent,
  RequestCount,
  UsageCoverage,
} from '../model/usage.js';
import { DELIVERY_MARGIN_DAYS } from '../model/usage-assumptions.js';
import { type Clock, systemClock } from '../util/clock.js';
import { compareBy, compareText, compositeKey } from '../util/compare.js';
import type { MonthWindow } from '../util/month.js';
import {
  type AggregateStats,
  emptyAggregateStats,
  MAX_CALLER_ENTRIES,
  UsageAggregator,
} from './aggregator.js';
import {
  CLOUDTRAIL_SQL_COLUMNS,
  type CloudTrailTableLayout,
  cloudTrailSqlWindow,
  cloudTrailUsageSql,
} from './athena-sql.js';
import { type CallerIdentity, callerOf, type S3CallContext, s3ContextOfCall } from './callers.js';
import { interpretKmsRecord, type KeyClass, KMS_EVENT_SOURCE } from './events.js';
import { coverageOf, type PerKeySourceResult } from './source.js';

/** Where and how the organisation trail's table is queried (`--usage-source athena`). */
export interface AthenaUsageOptions {
  /** `DB.TABLE` (or `TABLE` with `database`), or a checked name. */
  readonly table: string | AthenaTableName;
  readonly database?: string;
  /** The table's layout (README, "Athena"). Default `console`: correct for any table, reads all of it. */
  readonly layout?: CloudTrailTableLayout;
  readonly workgroup?: string;
  /** `s3://bucket/prefix/` for the results, when the workgroup sets none. */
  readonly outputLocation?: string;
  /** The region Athena (and the table's catalog) is in. Default: the first region read. */
  readonly region?: string;
  readonly polling?: AthenaPolling;
}

/** One query of a month: the accounts and regions it covers, and how to stop it. */
export interface AthenaMonthQuery extends AthenaUsageOptions {
  readonly window: MonthWindow;
  /** The trail accounts read (each one's slices are returned); all in the table when absent. */
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly deadline?: AbortSignal;
}

type Row = Readonly<Record<(typeof CLOUDTRAIL_SQL_COLUMNS)[number], string | null>>;

/** Successful and failed calls of one group of rows. */
export interface AthenaCount {
  ok: number;
  failed: number;
}

/** What one (trail account, region) got from the query's rows (counted as they came; read by {@link athenaSliceResult}). */
export class AthenaSlice {
  /**
   * The per-key requests and their callers, counted by the S3 reader's aggregator (the same
   * caller limit, {@link MAX_CALLER_ENTRIES}, and fold into `OTHER_CALLERS`).
   */
  private readonly counts: UsageAggregator;
  readonly keyless = new Map<
    string,
    { key: Omit<KeylessRequestCount, 'count' | 'failedCount'> } & AthenaCount
  >();
  readonly lifecycle = new Map<string, LifecycleEvent>();
  readonly after = new Map<string, LifecycleEvent>();
  /** Each key's class, from its earliest request that reveals one (rows come in no order). */
  readonly classes = new Map<string, KeyClass>();
  readonly classSince = new Map<string, string>();
  readonly stats: AggregateStats = emptyAggregateStats();
  rows = 0;

  constructor(limits: { readonly maxCallers?: number } = {}) {
    // The query applied the window: the aggregator is given counted rows only (`addCounted`).
    this.counts = new UsageAggregator('cloudtrail-athena', { start: new Date(0), end: new Date(0) }, limits);
  }

  /** Counts one row's requests on a key by one caller (the caller limit holds). */
  count(
    request: Pick<RequestCount, 'account' | 'region' | 'keyArn' | 'operation' | 'keyPairSpec'>,
    caller: CallerIdentity & S3CallContext,
    counts: AthenaCount,
  ): void {
    this.stats.requests += counts.ok + counts.failed;
    this.stats.failedRequests += counts.failed;
    this.counts.addCounted(request, caller, counts.ok, counts.failed);
  }

  /** The requests counted on keys, sorted (account, region, key, operation, pair spec). */
  requests(): RequestCount[] {
    return this.counts.requests();
  }

  /** The requests again by caller, sorted as the S3 reader's (the folded tail last in each count). */
  callers(): CallerRequestCount[] {
    return this.counts.callers();
  }
}

const bump = <T extends AthenaCount>(map: Map<string, T>, id: string, make: () => T, row: AthenaCount) => {
  let entry = map.get(id);
  if (!entry) {
    entry = make();
    map.set(id, entry);
  }
  entry.ok += row.ok;
  entry.failed += row.failed;
};

/** A lifecycle row as the record `interpretKmsRecord` reads, so its rules apply unchanged. */
function lifecycleRecord(r: Row): Record<string, unknown> {
  const number = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : v);
  const extra = r.lc_extra ? { arn: r.lc_extra } : undefined;
  return {
    eventSource: KMS_EVENT_SOURCE,
    eventName: r.operation,
    eventTime: r.lc_time,
    awsRegion: r.region,
    eventType: r.service_event === 'true' ? 'AwsServiceEvent' : 'AwsApiCall',
    resources: (r.lc_keys ?? '')
      .split(' ')
      .filter(Boolean)
      .map((ARN) => ({ ARN })),
    requestParameters: { pendingWindowInDays: number(r.lc_pending) },
    responseElements: {
      deletionDate: number(r.lc_deletion),
      pendingWindowInDays: number(r.lc_response_pending),
      ...(r.operation === 'CreateKey' ? { keyMetadata: extra } : {}),
      ...(r.operation === 'ReplicateKey' ? { replicaKeyMetadata: extra } : {}),
    },
  };
}

/**
 * The query's rows, counted into slices per (trail account, region): the same requests, requests
 * naming no key, callers, lifecycle events and key classes the S3 reader counts from one
 * account's folder of one region. Rows are never kept.
 */
export class AthenaUsageRows {
  readonly slices = new Map<string, AthenaSlice>();

  /** `maxCallers`: caller entries each slice tracks apart (default {@link MAX_CALLER_ENTRIES}). */
  constructor(private readonly limits: { readonly maxCallers?: number } = {}) {}

  /** Counts one page of rows (columns by name, as GetQueryResults gives them). */
  addPage(rows: readonly (readonly (string | null)[])[], columns: readonly string[]): void {
    const at = CLOUDTRAIL_SQL_COLUMNS.map((c) => columns.indexOf(c));
    for (const values of rows) {
      const row = Object.fromEntries(
        CLOUDTRAIL_SQL_COLUMNS.map((c, i) => [c, values[at[i] as number] ?? null]),
      ) as Row;
      this.add(row);
    }
  }

  private slice(account: string, region: string): AthenaSlice {
    const id = compositeKey(account, region);
    let s = this.slices.get(id);
    if (!s) {
      s = new AthenaSlice(this.limits);
      this.slices.set(id, s);
    }
    return s;
  }

  private add(r: Row): void {
    const counts = { ok: Number(r.ok ?? 0), failed: Number(r.failed ?? 0) };
    const n = counts.ok + counts.failed;
    const s = this.slice(r.trail_account ?? '', r.region ?? '');
    s.rows += 1;
    const inWindow = r.in_window === 'true';
    s.stats.records += n;
    if (r.lc_time !== null) {
      const read = interpretKmsRecord(lifecycleRecord(r));
      for (const e of read.kind === 'kms' ? read.facts.lifecycle : [])
        (inWindow ? s.lifecycle : s.after).set(compositeKey(e.keyArn, e.event, e.time), e);
    }
    if (!inWindow) return;
    s.stats.kmsEvents += n;
    if (r.service_event === 'true') return;
    const operation = r.operation ?? '';
    const region = r.region ?? '';
    if (r.key_arn === null || r.billed_account === null) {
      s.stats.keyless[operation] = (s.stats.keyless[operation] ?? 0) + n;
      if (r.key_arn === null && r.billed_account !== null) {
        const account = r.billed_account;
        const key = { account, region, operation, source: 'cloudtrail-athena' as const };
        bump(s.keyless, compositeKey(account, region, operation), () => ({ key, ok: 0, failed: 0 }), counts);
      }
      return;
    }
    this.request(s, r, counts);
  }

  private request(s: AthenaSlice, r: Row, counts: AthenaCount): void {
    const request = {
      account: r.billed_account as string,
      region: r.region ?? '',
      keyArn: r.key_arn as string,
      operation: r.operation ?? '',
      keyPairSpec: r.key_pair_spec,
    };
    const since = s.classSince.get(request.keyArn);
    const first = r.first_time ?? '';
    if (r.key_class !== null && (since === undefined || first < since)) {
      s.classes.set(request.keyArn, r.key_class as KeyClass);
      s.classSince.set(request.keyArn, first);
    }
    const identity = callerOfRow(r);
    const s3 = s3ContextOfCall(
      identity,
      r.s3_arn === null ? null : { encryptionContext: { 'aws:s3:arn': r.s3_arn } },
    );
    s.count(request, { ...identity, ...s3 }, counts);
  }
}

/** The row's caller, by the S3 reader's rules (`callerOf`) applied to the fields the SQL returned. */
function callerOfRow(r: Row): CallerIdentity {
  const field = (v: string | null) => v ?? undefined;
  return callerOf({
    type: field(r.id_type),
    accountId: field(r.id_account),
    invokedBy: field(r.invoked_by),
    arn: field(r.id_arn),
    userName: field(r.user_name),
    principalId: field(r.principal_id),
    ...(r.issuer_arn === null ? {} : { sessionContext: { sessionIssuer: { arn: r.issuer_arn } } }),
  });
}

const KEYLESS_ORDER = compareBy<KeylessRequestCount>(
  (r) => r.account,
  (r) => r.region,
  (r) => r.operation,
);
const LIFECYCLE_ORDER = compareBy<LifecycleEvent>(
  (e) => e.keyArn,
  (e) => e.time,
  (e) => e.event,
);
const counted = <K>({ key, ok, failed }: { key: K } & AthenaCount) => ({
  ...key,
  count: ok,
  failedCount: failed,
});

/** A per-key source result carrying callers too (Athena counts them with the requests). */
export interface AthenaSliceResult extends PerKeySourceResult {
  readonly callers: CallerRequestCount[];
}

/** The month's query: its SQL, how it ended, and its rows counted per (trail account, region). */
export interface AthenaCloudTrailMonth {
  readonly sql: string;
  readonly table: AthenaTableName;
  readonly layout: CloudTrailTableLayout;
  readonly window: MonthWindow;
  readonly outcome: AthenaQueryOutcome;
  /** When the query was started (ms): what a month not over yet was read up to. */
  readonly startedAt: number;
  readonly rows: AthenaUsageRows;
  /** How many trail accounts and regions the query was asked for (for the cost line). */
  readonly scope: string;
}

/**
 * Runs the month's query over the organisation trail's table: one query for every account and
 * region asked for (see `cloudTrailUsageSql` for the rules it applies), rows counted as they are
 * paged in. A query that fails, is cancelled or times out is in `outcome`; its slices are then
 * failed coverage, never zeros ({@link athenaSliceResult}).
 *
 * @example
 * ```ts
 * const month = await queryCloudTrailMonth(new AthenaClient({ region: 'us-east-1' }), {
 *   table: 'cloudtrail.org_trail',
 *   layout: 'projection',
 *   window: parseMonth('2026-10'),
 *   regions: ['us-east-1', 'eu-west-1'],
 * });
 * const usEast = athenaSliceResult(month, '111122223333', 'us-east-1');
 * ```
 */
export async function queryCloudTrailMonth(
  client: AthenaClient,
  options: AthenaMonthQuery,
): Promise<AthenaCloudTrailMonth> {
  const clock = options.clock ?? systemClock;
  const table =
    typeof options.table === 'string'
      ? parseAthenaTable(options.table, '--athena-table', options.database)
      : options.table;
  const layout = options.layout ?? 'console';
  const sql = cloudTrailUsageSql({
    table,
    layout,
    window: options.window,
    accounts: options.accounts,
    regions: options.regions,
  });
  const rows = new AthenaUsageRows();
  const startedAt = clock.now();
  const outcome = await runAthenaQuery(client, sql, {
    workgroup: options.workgroup,
    outputLocation: options.outputLocation,
    database: table.database,
    polling: options.polling,
    clock,
    signal: options.signal,
    deadline: options.deadline,
    onRows: (page, columns) => rows.addPage(page, columns),
  });
  const n = (list: readonly string[] | undefined, what: string) =>
    list ? `${list.length} ${what}${list.length === 1 ? '' : 's'}` : `every ${what}`;
  const scope = `${n(options.accounts, 'account')} and ${n(options.regions, 'region')}`;
  return { sql, table, layout, window: options.window, outcome, startedAt, rows, scope };
}

/** One sentence on what the query scanned and cost, shared by every slice it covered. */
export function athenaCostText(month: AthenaCloudTrailMonth): string {
  const o = month.outcome;
  return `query ${o.executionId ?? '(not started)'} scanned ${formatScannedBytes(o.scannedBytes)} for ${month.scope} ($${athenaScanCost(o.scannedBytes)} at $${ATHENA_PRICE_PER_TB_USD} per TB)${o.resultLocation ? `; results in ${o.resultLocation}` : ''}`;
}

const num = (v: number) => v.toLocaleString('en-US');

/**
 * The per-key result of one (trail account, region) of the month's query, as the S3 reader gives
 * for that account's folder of that region: `complete` (or `partial` with `readUntil` for a month
 * not over), `failed` when the query did not succeed or the table holds no KMS event of it (a
 * trail that does not cover it looks the same: not taken as zero). The query's scan and cost are
 * in every detail.
 */
export function athenaSliceResult(
  month: AthenaCloudTrailMonth,
  account: string,
  region: string,
  now = Date.now(),
): AthenaSliceResult {
  const coverage = coverageOf(account, region, 'cloudtrail-athena');
  const where = `${sqlTable(month.table)} (${month.layout} layout)`;
  const s = month.rows.slices.get(compositeKey(account, region)) ?? new AthenaSlice();
  const pages = month.outcome.pages;
  if (month.outcome.state !== 'succeeded')
    return sliceResult(
      new AthenaSlice(),
      coverage(
        'failed',
        `Athena ${month.outcome.state}: ${month.outcome.reason}; nothing counted from ${where}; ${athenaCostText(month)}`,
      ),
      pages,
      null,
    );
  if (s.stats.kmsEvents === 0)
    return sliceResult(
      s,
      coverage(
        'failed',
        `${where} holds no KMS event of this account and region in ${month.window.month} (a trail that does not cover them looks the same; not taken as zero); ${athenaCostText(month)}`,
      ),
      pages,
      null,
    );
  const st = s.stats;
  const keyless = Object.entries(st.keyless).sort(([a], [b]) => compareText(a, b));
  const counts = `${num(st.kmsEvents)} KMS events in the month (${num(st.requests)} requests on keys, ${num(st.failedRequests)} of them failed; ${num(s.lifecycle.size)} lifecycle events)${keyless.length > 0 ? `; ${num(keyless.reduce((a, [, c]) => a + c, 0))} requests name no key (${keyless.map(([op, c]) => `${op} ${num(c)}`).join(', ')})` : ''}`;
  const detail = `${counts} from ${where}; ${athenaCostText(month)}`;
  const end = month.window.end.getTime();
  const after =
    now > end
      ? {
          lifecycle: [...s.after.values()].sort(LIFECYCLE_ORDER),
          coverage: coverage(
            'partial',
            `only the ${DELIVERY_MARGIN_DAYS} day after the month was read: ${num(s.after.size)} lifecycle events`,
          ),
        }
      : null;
  if (month.startedAt < end)
    return sliceResult(
      s,
      {
        ...coverage(
          'partial',
          `the month is not over: read up to ${new Date(month.startedAt).toISOString()}, ${detail}`,
        ),
        readUntil: new Date(month.startedAt).toISOString(),
      },
      pages,
      after,
    );
  return sliceResult(s, coverage('complete', detail), pages, after);
}

function sliceResult(
  s: AthenaSlice,
  coverage: UsageCoverage,
  pages: number,
  afterMonth: PerKeySourceResult['afterMonth'],
): AthenaSliceResult {
  const stats = {
    ...s.stats,
    keyless: { ...s.stats.keyless },
    lifecycleEvents: s.lifecycle.size,
    afterLifecycleEvents: s.after.size,
    pages,
  };
  return {
    coverage,
    requests: s.requests(),
    keylessRequests: [...s.keyless.values()].map(counted).sort(KEYLESS_ORDER),
    callers: s.callers(),
    lifecycle: [...s.lifecycle.values()].sort(LIFECYCLE_ORDER),
    afterMonth,
    keyClasses: Object.fromEntries([...s.classes.entries()].sort(([a], [b]) => compareText(a, b))),
    stats,
  };
}

/**
 * The month's query run once for every account and region of a collection: the first slice
 * asked for starts it, the others wait for it (the organisation's accounts are read in parallel,
 * each taking its own slices).
 */
export class AthenaMonthReader {
  private running: Promise<AthenaCloudTrailMonth> | null = null;

  constructor(
    private readonly client: () => AthenaClient,
    private readonly query: AthenaMonthQuery,
  ) {}

  /** The slice of one trail account and region (the query runs on the first call). */
  async read(account: string, region: string): Promise<AthenaSliceResult> {
    this.running ??= queryCloudTrailMonth(this.client(), this.query);
    const month = await this.running;
    return athenaSliceResult(month, account, region, (this.query.clock ?? systemClock).now());
  }

  /** The query's window: counted `[start, end)`, lifecycle to `afterEnd`. */
  get window() {
    return cloudTrailSqlWindow(this.query.window);
  }
}

/**
 * The shared month query of a usage collection: the Athena client of `athena.region` (default the
 * first region) from the caller's clients, the accounts and regions of the run.
 */
export function athenaMonthReader(
  clients: { athena?(region: string): AthenaClient },
  options: {
    readonly athena?: AthenaUsageOptions;
    readonly regions: readonly string[];
    readonly accounts?: readonly string[];
    readonly window: MonthWindow;
    readonly clock?: Clock;
    readonly signal?: AbortSignal;
    readonly deadline?: AbortSignal;
  },
): AthenaMonthReader {
  const settings = options.athena;
  if (!settings) throw new Error('athenaMonthReader: no athena options');
  const region = settings.region ?? (options.regions[0] as string);
  const client = () => {
    if (!clients.athena)
      throw new Error("the usage clients have no athena(region): give one to read the trail's table");
    return clients.athena(region);
  };
  return new AthenaMonthReader(client, {
    ...settings,
    window: options.window,
    accounts: options.accounts,
    regions: [...new Set(options.regions)].sort(),
    clock: options.clock,
    signal: options.signal,
    deadline: options.deadline,
  });
}
