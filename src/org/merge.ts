import { InputError } from '../errors.js';
import {
  type CallerRequestCount,
  type KeylessRequestCount,
  type LifecycleEvent,
  type MonthUsage,
  PER_KEY_SOURCES,
  type RequestCount,
  type UsageCoverage,
} from '../model/usage.js';
import { compareCallerRows } from '../usage/aggregator.js';
import { byKeyAndTime, lifecycleEventId } from '../usage/collect.js';
import { compareText, compositeKey } from '../util/compare.js';

/** One account's month, as {@link mergeAccountUsage} takes it. */
export interface AccountMonthUsage {
  /** The account whose trail (and CloudWatch) was read. */
  readonly account: string;
  readonly usage: MonthUsage;
}

/** The merged month and how many request rows the merge rule left out. */
export interface MergedUsage {
  readonly usage: MonthUsage;
  /** Request rows read from a key owner's trail that the caller's own trail also holds. */
  readonly duplicatesDropped: number;
}

/**
 * How far an account's own trail was read in a region: `whole` (complete, or read with nothing
 * missing up to its `readUntil` for a month not over), `partial` (stopped early, pages or files
 * missing) or `none` (failed, not collected, or not read at all).
 */
type TrailRead = 'whole' | 'partial' | 'none';

function trailReads(parts: readonly AccountMonthUsage[]): (account: string, region: string) => TrailRead {
  const reads = new Map<string, TrailRead>();
  for (const p of parts)
    for (const c of p.usage.coverage) {
      if (c.account !== p.account || !PER_KEY_SOURCES.has(c.source)) continue;
      const read: TrailRead =
        c.status === 'complete' || (c.status === 'partial' && c.readUntil !== undefined)
          ? 'whole'
          : c.status === 'partial'
            ? 'partial'
            : 'none';
      const id = compositeKey(c.account, c.region);
      const was = reads.get(id) ?? 'none';
      if (read === 'whole' || (read === 'partial' && was === 'none')) reads.set(id, read);
    }
  return (account, region) => reads.get(compositeKey(account, region)) ?? 'none';
}

/** The copies of one caller's calls on one key in one region, per trail they were read from. */
interface Copies {
  /** `compositeKey(account, region, keyArn)`. */
  readonly id: string;
  readonly caller: string;
  readonly region: string;
  readonly trails: Map<string, { rows: RequestCount[]; count: number }>;
}

function copiesOf(parts: readonly AccountMonthUsage[]): Iterable<Copies> {
  const copies = new Map<string, Copies>();
  for (const p of parts)
    for (const r of p.usage.requests) {
      const id = compositeKey(r.account, r.region, r.keyArn);
      let group = copies.get(id);
      if (!group) {
        group = { id, caller: r.account, region: r.region, trails: new Map() };
        copies.set(id, group);
      }
      const copy = group.trails.get(p.account);
      if (copy) {
        copy.rows.push(r);
        copy.count += r.count + r.failedCount;
      } else group.trails.set(p.account, { rows: [r], count: r.count + r.failedCount });
    }
  return copies.values();
}

/** The trail whose copy counts (rules 1 to 3 of {@link mergeAccountUsage}). */
function chosenTrail({ caller, region, trails }: Copies, read: ReturnType<typeof trailReads>): string | null {
  if (read(caller, region) === 'whole') return caller;
  const candidates = [...trails.entries()];
  return (
    candidates.find(([trail]) => trail !== caller && read(trail, region) === 'whole')?.[0] ??
    // No copy read whole: the larger (ties: the caller's own, then the first read).
    candidates.reduce<[string, number] | null>((best, [trail, copy]) => {
      if (best === null || copy.count > best[1] || (copy.count === best[1] && trail === caller))
        return [trail, copy.count];
      return best;
    }, null)?.[0] ??
    null
  );
}

const byPlace = <T extends { account: string; region: string }>(a: T, b: T) =>
  compareText(a.account, b.account) || compareText(a.region, b.region);
/** Coverage by account, region, then source: the order of a merged month's `coverage`. */
export const byPlaceAndSource = (a: UsageCoverage, b: UsageCoverage) =>
  byPlace(a, b) || compareText(a.source, b.source);

/**
 * Merges the months of several accounts into one.
 *
 * The merge rule: CloudTrail records a cross-account KMS call in the caller's trail and in the
 * key owner's trail, and both copies name the same billed account (the caller). Every request
 * is counted once, from one trail: for the calls account Y made on one key,
 *
 * 1. Y's own copy when Y's trail was read whole in that region (even if it holds none);
 * 2. else the copy of a trail read whole (the key owner's, which holds every call on its keys);
 * 3. else (no copy read whole) the larger copy: Y's partial read, or another trail's. Y's
 *    per-key coverage is then not complete, and the price says so ("at least").
 *
 * The other copies are dropped (`duplicatesDropped`). Calls an AWS service made on a key owner's
 * behalf are billed to the owner, whose trail holds them: they are kept there.
 *
 * Lifecycle events of one key seen in two trails are kept once; CloudWatch totals and coverage
 * are per account and simply joined.
 *
 * @example
 * ```ts
 * const { usage } = mergeAccountUsage([{ account: 'A', usage: a }, { account: 'B', usage: b }]);
 * ```
 */
export function mergeAccountUsage(parts: readonly AccountMonthUsage[]): MergedUsage {
  const first = parts[0];
  if (!first) throw new InputError('usage', 'no account to merge');
  const read = trailReads(parts);
  for (const p of parts)
    if (p.usage.month !== first.usage.month)
      throw new InputError('usage', `cannot merge ${p.usage.month} with ${first.usage.month}`);

  const requests: RequestCount[] = [];
  let duplicatesDropped = 0;
  const chosenOf = new Map<string, string | null>();
  for (const copies of copiesOf(parts)) {
    const chosen = chosenTrail(copies, read);
    chosenOf.set(copies.id, chosen);
    for (const [trail, copy] of copies.trails)
      if (trail === chosen) requests.push(...copy.rows);
      else duplicatesDropped += copy.rows.length;
  }
  requests.sort(
    (a, b) =>
      byPlace(a, b) ||
      compareText(a.keyArn, b.keyArn) ||
      compareText(a.operation, b.operation) ||
      compareText(a.keyPairSpec ?? '', b.keyPairSpec ?? ''),
  );
  const usage: MonthUsage = {
    month: first.usage.month,
    window: first.usage.window,
    requests,
    ...chosenCallers(parts, chosenOf),
    ...joinedEvidence(parts, read),
  };
  return { usage, duplicatesDropped };
}

/**
 * The caller rows of the copies chosen for the requests (each count's callers come from the trail
 * its count came from, so they still add up to it); unknown (absent) if one account's evidence
 * did not count callers.
 */
function chosenCallers(
  parts: readonly AccountMonthUsage[],
  chosenOf: ReadonlyMap<string, string | null>,
): Pick<MonthUsage, 'callers'> {
  if (!parts.every((p) => p.usage.callers !== undefined)) return {};
  const callers: CallerRequestCount[] = [];
  for (const p of parts)
    for (const c of p.usage.callers ?? [])
      if (chosenOf.get(compositeKey(c.account, c.region, c.keyArn)) === p.account) callers.push(c);
  return { callers: callers.sort(compareCallerRows) };
}

/** What is joined rather than chosen: keyless requests, totals, lifecycle (each event once), coverage. */
function joinedEvidence(
  parts: readonly AccountMonthUsage[],
  read: ReturnType<typeof trailReads>,
): Omit<MonthUsage, 'month' | 'window' | 'requests'> {
  const first = parts[0] as AccountMonthUsage;
  const lifecycle = new Map<string, LifecycleEvent>();
  const keyless: KeylessRequestCount[] = [];
  const after = new Map<string, LifecycleEvent>();
  const afterCoverage: UsageCoverage[] = [];
  let afterEnd: string | null = null;
  for (const p of parts) {
    for (const e of p.usage.lifecycle) lifecycle.set(lifecycleEventId(e), e);
    // Requests that name no key are recorded in the caller's trail only: another trail's copy is
    // kept only where the caller's own trail was not read there.
    for (const k of p.usage.keylessRequests ?? [])
      if (k.account === p.account || read(k.account, k.region) === 'none') keyless.push(k);
    if (p.usage.afterMonth) {
      const a = p.usage.afterMonth;
      for (const e of a.lifecycle) after.set(lifecycleEventId(e), e);
      afterCoverage.push(...a.coverage);
      if (afterEnd === null || a.window.end > afterEnd) afterEnd = a.window.end;
    }
  }
  return {
    // Unknown (absent) if one account's evidence did not count them.
    ...(parts.every((p) => p.usage.keylessRequests !== undefined)
      ? { keylessRequests: keyless.sort((a, b) => byPlace(a, b) || compareText(a.operation, b.operation)) }
      : {}),
    accountTotals: parts.flatMap((p) => p.usage.accountTotals).sort(byPlace),
    lifecycle: [...lifecycle.values()].sort(byKeyAndTime),
    ...(afterEnd !== null
      ? {
          afterMonth: {
            window: { start: first.usage.window.end, end: afterEnd },
            lifecycle: [...after.values()].sort(byKeyAndTime),
            coverage: afterCoverage.sort(byPlaceAndSource),
          },
        }
      : {}),
    coverage: parts.flatMap((p) => p.usage.coverage).sort(byPlaceAndSource),
  };
}
