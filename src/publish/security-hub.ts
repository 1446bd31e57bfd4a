import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type GetFindingsCommandInput,
  type GetFindingsCommandOutput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { classifyAwsError } from '../collect/aws-errors.js';
import { makeClient, type NetworkOptions } from '../collect/client-defaults.js';
import type { Finding } from '../model/findings.js';
import type { MonthlyReport } from '../model/report.js';
import {
  ASFF_LIMITS,
  type AsffFinding,
  asffFinding,
  asffIdPrefix,
  asffProductArn,
  asffText,
} from '../report/asff.js';
import { exportedFindings, keysByArn } from '../report/finding-formats.js';
import { compareText, compositeKey } from '../util/compare.js';

/**
 * `--security-hub`: the month's findings imported into AWS Security Hub with
 * `BatchImportFindings`, the only thing kms-report writes to AWS (its own IAM policy:
 * iam/kms-report-security-hub-policy.json). Each finding goes to the Security Hub of its key's
 * account and region, as that account's own finding (`product/<account>/default`), under an id
 * that is the same every month ({@link asffId}): a second month updates the findings of the
 * first. The findings kms-report imported before that are not in this month's set (the key is
 * gone, the rule no longer applies) are found with `GetFindings` (this product ARN, account and
 * region, ids starting `kms-report/<account>/<region>/`, `GeneratorId` starting `KMS-`, record
 * state ACTIVE) and imported again with `RecordState` ARCHIVED and `Workflow.Status` RESOLVED.
 */

/** `BatchImportFindings` takes at most 100 findings a call. */
export const IMPORT_BATCH_SIZE = 100;
/**
 * Time between two calls to one region's Security Hub: 5 calls a second, half the documented
 * rate of `BatchImportFindings` (10 a second, bursts of 30), so another importer has room.
 */
export const IMPORT_INTERVAL_MS = 200;
/** Throttled calls are retried this many times, after the SDK's own retries, waiting longer each time. */
export const IMPORT_THROTTLE_RETRIES = 4;
/**
 * Time between two pages of `GetFindings` in one region: a third of a second, the API's documented
 * rate (3 a second, bursts of 6).
 */
export const GET_FINDINGS_INTERVAL_MS = 334;
/** Past this many pages of earlier findings (100 each), the rest are not looked at: said, not resolved. */
const MAX_PREVIOUS_PAGES = 2_000;
/** Failures kept by name per region (all are counted). */
const MAX_FAILURES_LISTED = 100;

/** The Security Hub client of a region. */
export type SecurityHubClients = (region: string) => SecurityHubClient;

/** How `--security-hub` reaches Security Hub. */
export interface SecurityHubOptions {
  /** Default: a client per region on `profile` (or the default chain) with kms-report's retries and `network` timeouts. */
  readonly clients?: SecurityHubClients;
  readonly profile?: string;
  readonly network?: NetworkOptions;
  /** Time between calls to one region (default {@link IMPORT_INTERVAL_MS}, {@link GET_FINDINGS_INTERVAL_MS} between pages of `GetFindings`). */
  readonly intervalMs?: number;
  /** Waits (tests); default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** When archived findings are updated (tests); default now. */
  readonly now?: () => Date;
  /** Ctrl-C: no further call is made; what was not sent is counted as not taken (`Interrupted`). */
  readonly signal?: AbortSignal;
}

/** A finding Security Hub did not take, with its reason. */
export interface SecurityHubFailure {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** What one account and region's Security Hub took. */
export interface SecurityHubRegionImport {
  readonly account: string;
  readonly region: string;
  /** Findings of this month taken that were not there before. */
  readonly created: number;
  /** Findings of this month taken that updated one imported before (same id). */
  readonly updated: number;
  /** Findings imported before and absent this month, archived (resolved). */
  readonly archived: number;
  /** Findings not taken (this month's or archives), counted. */
  readonly failedCount: number;
  /** The first of them, by id, with the reason. */
  readonly failed: readonly SecurityHubFailure[];
  /** What went wrong for the region as a whole (Security Hub not enabled, access denied, ...); null when nothing did. */
  readonly problem: string | null;
}

/** What `--security-hub` did, per account and region. */
export interface SecurityHubImport {
  readonly regions: readonly SecurityHubRegionImport[];
  /** True when every finding and archive was taken and nothing went wrong. */
  readonly complete: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function defaultClients(options: SecurityHubOptions): SecurityHubClients {
  const made = new Map<string, SecurityHubClient>();
  return (region) => {
    let client = made.get(region);
    if (!client) {
      const base = options.profile ? { profile: options.profile } : {};
      client = makeClient(SecurityHubClient, { ...base, region }, options.network);
      made.set(region, client);
    }
    return client;
  };
}

/** A finding Security Hub holds from an earlier import, as much of it as an archive needs. */
type Previous = AwsSecurityFinding & { Id: string };

/** What was read of the region's earlier findings, and why not all of them when not. */
interface PreviousRead {
  readonly found: Map<string, Previous>;
  readonly truncated: boolean;
  /** A page could not be read (after retries): the findings of the pages before are kept. */
  readonly failure: { readonly code: string; readonly pages: number } | null;
}

/** One page of `GetFindings`, retried when throttled (as an import call is). */
async function getPage(run: RegionRun, input: GetFindingsCommandInput) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run.client.send(new GetFindingsCommand(input));
    } catch (error) {
      if (classifyAwsError(error).kind !== 'throttled' || attempt >= IMPORT_THROTTLE_RETRIES) throw error;
      await run.options.sleep(1_000 * 2 ** attempt);
    }
  }
}

/**
 * The region's ACTIVE findings kms-report imported before, by id, a page every
 * {@link GET_FINDINGS_INTERVAL_MS}; checked here too (emulators ignore filters).
 */
async function previousFindings(
  run: RegionRun,
  scope: { account: string; region: string; productArn: string },
): Promise<PreviousRead> {
  const prefix = asffIdPrefix(scope.account, scope.region);
  const eq = (Value: string) => [{ Value, Comparison: 'EQUALS' as const }];
  const Filters = {
    ProductArn: eq(scope.productArn),
    AwsAccountId: eq(scope.account),
    Region: eq(scope.region),
    RecordState: eq('ACTIVE'),
    Id: [{ Value: prefix, Comparison: 'PREFIX' as const }],
    GeneratorId: [{ Value: 'KMS-', Comparison: 'PREFIX' as const }],
  };
  const found = new Map<string, Previous>();
  let NextToken: string | undefined;
  for (let page = 0; page < MAX_PREVIOUS_PAGES; page++) {
    if (page > 0) await run.options.sleep(run.options.getIntervalMs);
    let out: GetFindingsCommandOutput;
    try {
      out = await getPage(run, { Filters, MaxResults: 100, NextToken });
    } catch (error) {
      return { found, truncated: false, failure: { code: classifyAwsError(error).code, pages: page } };
    }
    for (const f of out.Findings ?? [])
      if (
        typeof f.Id === 'string' &&
        f.Id.startsWith(prefix) &&
        f.ProductArn === scope.productArn &&
        f.RecordState !== 'ARCHIVED' &&
        typeof f.GeneratorId === 'string' &&
        f.GeneratorId.startsWith('KMS-')
      )
        found.set(f.Id, f as Previous);
    NextToken = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined;
    if (!NextToken) return { found, truncated: false, failure: null };
  }
  return { found, truncated: true, failure: null };
}

/**
 * An earlier finding, archived: its own identity, text and resources, `RecordState` ARCHIVED and
 * `Workflow.Status` RESOLVED; null when Security Hub's copy lacks what an import needs.
 */
export function archivedFinding(
  previous: Partial<AwsSecurityFinding>,
  updatedAt: string,
): AwsSecurityFinding | null {
  const p = previous;
  if (!p.Id || !p.ProductArn || !p.GeneratorId || !p.AwsAccountId || !p.CreatedAt) return null;
  if (!Array.isArray(p.Resources) || p.Resources.length === 0) return null;
  return {
    SchemaVersion: p.SchemaVersion ?? '2018-10-08',
    Id: p.Id,
    ProductArn: p.ProductArn,
    GeneratorId: p.GeneratorId,
    AwsAccountId: p.AwsAccountId,
    ...(p.Region ? { Region: p.Region } : {}),
    ...(p.Types ? { Types: p.Types } : {}),
    CreatedAt: p.CreatedAt,
    UpdatedAt: updatedAt,
    ...(p.Severity ? { Severity: p.Severity } : {}),
    Title: asffText(p.Title ?? '', ASFF_LIMITS.title, 'kms-report finding'),
    Description: asffText(
      `${p.Description ?? ''} Resolved: not found in the latest kms-report run.`,
      ASFF_LIMITS.description,
    ),
    Resources: p.Resources,
    ...(p.Compliance ? { Compliance: p.Compliance } : {}),
    Workflow: { Status: 'RESOLVED' },
    RecordState: 'ARCHIVED',
  };
}

/** One account and region's import in progress: where the calls go and what came back. */
interface RegionRun {
  readonly client: SecurityHubClient;
  readonly options: Required<Pick<SecurityHubOptions, 'sleep'>> & {
    intervalMs: number;
    getIntervalMs: number;
    signal: AbortSignal | undefined;
  };
  calls: number;
  failedIds: Set<string>;
  failed: SecurityHubFailure[];
  failedCount: number;
  /** Set by a call that failed for every finding (not throttling): the rest are not sent. */
  stop: string | null;
}

function fail(run: RegionRun, ids: readonly string[], code: string, message: string): void {
  for (const id of ids) {
    run.failedIds.add(id);
    run.failedCount += 1;
    if (run.failed.length < MAX_FAILURES_LISTED) run.failed.push({ id, code, message });
  }
}

/** One `BatchImportFindings` call: paced, retried when throttled, its FailedFindings recorded. */
async function sendBatch(run: RegionRun, findings: readonly AwsSecurityFinding[]): Promise<void> {
  const ids = findings.map((f) => f.Id as string);
  if (run.options.signal?.aborted) run.stop ??= 'stopped (Ctrl-C or SIGTERM) before it was sent';
  if (run.stop) return fail(run, ids, 'NotSent', run.stop);
  for (let attempt = 0; ; attempt++) {
    if (run.calls > 0) await run.options.sleep(run.options.intervalMs);
    run.calls += 1;
    try {
      const out = await run.client.send(new BatchImportFindingsCommand({ Findings: [...findings] }));
      for (const f of out.FailedFindings ?? [])
        fail(
          run,
          [String(f.Id ?? '')],
          String(f.ErrorCode ?? 'Failed'),
          asffText(String(f.ErrorMessage ?? ''), 300, ''),
        );
      return;
    } catch (error) {
      const e = classifyAwsError(error);
      if (e.kind === 'throttled' && attempt < IMPORT_THROTTLE_RETRIES) {
        await run.options.sleep(1_000 * 2 ** attempt);
        continue;
      }
      const message = asffText(e.message, 300, '');
      run.stop = `an earlier call failed (${e.code}${message ? `: ${message}` : ''})`;
      return fail(run, ids, e.code, message);
    }
  }
}

/** Sends `findings` in calls of at most {@link IMPORT_BATCH_SIZE}. */
async function sendAll(run: RegionRun, findings: Iterable<AwsSecurityFinding>): Promise<void> {
  let batch: AwsSecurityFinding[] = [];
  for (const f of findings) {
    batch.push(f);
    if (batch.length === IMPORT_BATCH_SIZE) {
      await sendBatch(run, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sendBatch(run, batch);
}

/** The ASFF type as the SDK takes it (its lists are not read-only). */
const toSdk = (f: AsffFinding): AwsSecurityFinding => f as unknown as AwsSecurityFinding;

interface RegionInput {
  readonly account: string;
  readonly region: string;
  readonly findings: readonly Finding[];
  /** Why no earlier finding of the region is archived (its keys were not all read); null when they may be. */
  readonly noArchive: string | null;
  /** Keys whose earlier findings are kept whatever this month says (a gap on them). */
  readonly keep: ReadonlySet<string>;
}

/**
 * Whether the region's earlier findings may be archived: only where its keys were listed. A region
 * (or account) not read would archive every earlier finding as fixed; in a region read in part,
 * the findings of a key with a gap (not described, evidence unread) are kept as they are.
 */
function archiveScope(report: MonthlyReport, account: string, region: string): Omit<RegionInput, 'findings'> {
  const listed = report.coverage.regions.find((r) => r.account === account && r.region === region);
  const here = report.coverage.gaps.filter(
    (g) => (g.account === null || g.account === account) && (g.region === null || g.region === region),
  );
  const wide = here.find((g) => (g.scope === 'account' || g.scope === 'region') && g.field === null);
  const why =
    listed === undefined || listed.status === 'failed'
      ? `the keys of ${account} ${region} could not be listed`
      : wide
        ? `${wide.scope} ${wide.scope === 'account' ? account : region} was not read in full (${wide.operation} ${wide.errorCode})`
        : null;
  return {
    account,
    region,
    noArchive: why ? `${why}: no earlier finding was archived` : null,
    // Keys made after the month are left out of its report, not gone.
    keep: new Set([
      ...here.map((g) => g.keyArn).filter((k): k is string => k !== null),
      ...report.coverage.keysCreatedAfterMonth,
    ]),
  };
}

/** Imports one account and region's findings, and archives the earlier ones now absent. */
async function importRegion(
  report: MonthlyReport,
  input: RegionInput,
  run: RegionRun,
  updatedAt: string,
): Promise<SecurityHubRegionImport> {
  const productArn = asffProductArn(report.scope.partition, input.region, input.account);
  const read = await previousFindings(run, { ...input, productArn });
  const previous = read.found;
  let problem: string | null = null;
  if (read.truncated)
    problem = `more than ${MAX_PREVIOUS_PAGES * 100} earlier findings: only those were compared, the others were not resolved`;
  if (read.failure)
    problem = `could not read the findings imported before (securityhub:GetFindings, ${read.failure.code}${read.failure.pages > 0 ? `, after ${read.failure.pages} of their pages` : ''}): none was resolved`;
  const keys = keysByArn(report);
  const current = new Set<string>();
  function* thisMonth(): Generator<AwsSecurityFinding> {
    for (const f of input.findings) {
      const asff = asffFinding(report, f, keys.get(f.keyArn));
      current.add(asff.Id);
      // A finding keeps the time it was first imported.
      const createdAt = previous.get(asff.Id)?.CreatedAt;
      yield toSdk(createdAt ? { ...asff, CreatedAt: createdAt } : asff);
    }
  }
  await sendAll(run, thisMonth());
  // A page not read: any earlier finding may be on it, so none is archived.
  const gone =
    input.noArchive || read.failure
      ? []
      : [...previous.values()].filter((p) => !current.has(p.Id) && !input.keep.has(resourceOf(p)));
  const archives = gone.map((p) => archivedFinding(p, updatedAt));
  const unusable = gone.filter((_, i) => archives[i] === null).map((p) => p.Id);
  fail(run, unusable, 'NotArchived', 'Security Hub holds too little of the finding to archive it');
  await sendAll(
    run,
    archives.filter((a): a is AwsSecurityFinding => a !== null),
  );
  const taken = (ids: Iterable<string>) => [...ids].filter((id) => !run.failedIds.has(id)).length;
  const created = [...current].filter((id) => !previous.has(id));
  return {
    account: input.account,
    region: input.region,
    created: taken(created),
    updated: taken([...current].filter((id) => previous.has(id))),
    archived: taken(gone.map((p) => p.Id)),
    failedCount: run.failedCount,
    failed: run.failed,
    problem: [problem, input.noArchive, run.stop].filter((p) => p !== null).join('; ') || null,
  };
}

/** The key an earlier finding is on (its first resource's id). */
const resourceOf = (p: Previous): string => String(p.Resources?.[0]?.Id ?? '');

/** Every account and region of the report, with its findings (none: only earlier ones to resolve). */
function regionsOf(report: MonthlyReport): RegionInput[] {
  const groups = new Map<string, RegionInput & { findings: Finding[] }>();
  const add = (account: string, region: string) => {
    const k = compositeKey(account, region);
    let g = groups.get(k);
    if (!g) {
      g = { ...archiveScope(report, account, region), findings: [] };
      groups.set(k, g);
    }
    return g;
  };
  for (const account of report.scope.accounts)
    for (const region of report.scope.regions) add(account, region);
  for (const f of exportedFindings(report)) add(f.account, f.region).findings.push(f);
  return [...groups.values()].sort(
    (a, b) => compareText(a.account, b.account) || compareText(a.region, b.region),
  );
}

/**
 * Imports the report's findings into Security Hub, region by region (see the module comment).
 * A failure is recorded, never thrown: the report is written whatever Security Hub says.
 *
 * @example
 * ```ts
 * const result = await importToSecurityHub(report, { profile: 'security' });
 * if (!result.complete) console.error(result.regions.filter((r) => r.failedCount > 0 || r.problem));
 * ```
 */
export async function importToSecurityHub(
  report: MonthlyReport,
  options: SecurityHubOptions = {},
): Promise<SecurityHubImport> {
  const clients = options.clients ?? defaultClients(options);
  const updatedAt = (options.now?.() ?? new Date()).toISOString();
  const regions: SecurityHubRegionImport[] = [];
  for (const input of regionsOf(report)) {
    const run: RegionRun = {
      client: clients(input.region),
      options: {
        sleep: options.sleep ?? defaultSleep,
        intervalMs: options.intervalMs ?? IMPORT_INTERVAL_MS,
        getIntervalMs: Math.max(options.intervalMs ?? 0, GET_FINDINGS_INTERVAL_MS),
        signal: options.signal,
      },
      calls: 0,
      failedIds: new Set(),
      failed: [],
      failedCount: 0,
      stop: null,
    };
    regions.push(await importRegion(report, input, run, updatedAt));
  }
  return { regions, complete: regions.every((r) => r.failedCount === 0 && r.problem === null) };
}
