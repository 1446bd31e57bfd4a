import type { CostLine, MonthCost } from '../model/pricing.js';
import { accountLevelLines } from '../model/pricing.js';
import type { CallerRequestCount, MonthUsage } from '../model/usage.js';
import { Dec, dec, lineAmount } from '../pricing/money.js';
import { compositeKey } from '../util/compare.js';

/**
 * Each caller's dollars, from the month's priced request lines: nothing is priced again here.
 *
 * A request line is one (billed account, region, key, operation, pair spec); the callers of the
 * same five add up to its count. A caller's gross dollars are the line's amount times its share
 * of the line's billed requests. The free tier is shared pro rata: in each (account, region,
 * tier) the credit is the fraction `credit ÷ priced volume` of every dollar, so a caller's net
 * dollars are its gross less that fraction, and the callers' net dollars with the
 * unattributed volume's add up to the account's request bill after the free tier.
 */
export const ATTRIBUTION_METHOD =
  "Each caller's dollars are its share of the billed requests of its request line (one per billed account, region, key, operation and pair spec) times the line's amount; the free tier is shared pro rata: in each account, region and tier every dollar of request volume is reduced by the same fraction (the credit over the priced volume).";

/** One caller's requests on one request line, with their dollars. */
export interface CallerCost {
  /** The counted caller; null for the part of a line no caller count covers (callers unknown). */
  readonly row: CallerRequestCount | null;
  /** The request line's subject (also for `row` null). */
  readonly account: string;
  readonly region: string;
  readonly keyArn: string;
  readonly operation: string;
  readonly keyPairSpec: string | null;
  /** The line's price per 10,000 requests; null when unknown. */
  readonly unitPrice: string | null;
  /** Billed requests. */
  readonly requests: number;
  /** Before the free tier; null when the line is unknown. */
  readonly gross: Dec | null;
  /** After the free tier's pro-rata share; null when the line is unknown. */
  readonly net: Dec | null;
  /** Whether the billed account is one of the report's. */
  readonly inTotal: boolean;
}

/** The accounts whose bill makes the month's figure (`MonthCost.total`). */
export function accountsInTotal(cost: Pick<MonthCost, 'byBilledAccount'>): ReadonlySet<string> {
  return new Set(cost.byBilledAccount.filter((a) => a.inTotal).map((a) => a.account));
}

const lineId = (account: string, region: string, keyArn: string, operation: string, spec: string | null) =>
  compositeKey(account, region, keyArn, operation, spec ?? '');

/** Per (account, region, tier): the fraction of each request dollar the free tier takes. */
function freeTierFractions(cost: MonthCost): Map<string, Dec> {
  const gross = new Map<string, Dec>();
  const credit = new Map<string, Dec>();
  const lines = [...cost.keys.flatMap((k) => k.lines), ...accountLevelLines(cost)];
  for (const l of lines) {
    if (l.amount === null || l.tier === null) continue;
    const id = compositeKey(l.account, l.region, l.tier);
    const into = l.kind === 'free-tier-credit' ? credit : gross;
    if (l.kind !== 'free-tier-credit' && l.kind !== 'requests' && l.kind !== 'unattributed-requests')
      continue;
    into.set(id, (into.get(id) ?? dec(0)).plus(l.amount));
  }
  const fractions = new Map<string, Dec>();
  for (const [id, c] of credit) {
    const g = gross.get(id);
    if (g?.greaterThan(0)) fractions.set(id, Dec.min(c.neg().dividedBy(g), 1));
  }
  return fractions;
}

interface LineGroup {
  readonly line: CostLine & { keyArn: string; operation: string };
  readonly callers: CallerRequestCount[];
}

/** The counted request lines (operation known) of every key, each with its callers. */
function lineGroups(cost: MonthCost, callers: readonly CallerRequestCount[]): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  for (const k of cost.keys)
    for (const l of k.lines) {
      if (l.kind !== 'requests' || l.operation === null || l.keyArn === null) continue;
      const line = l as LineGroup['line'];
      groups.set(lineId(l.account, l.region, l.keyArn, l.operation, l.keyPairSpec), { line, callers: [] });
    }
  for (const c of callers)
    groups.get(lineId(c.account, c.region, c.keyArn, c.operation, c.keyPairSpec))?.callers.push(c);
  return [...groups.values()];
}

/**
 * Whether the line counts failed requests: its quantity is the callers' successful and failed
 * requests together (the pricing assumption `FAILED_REQUESTS_BILLED`, read off the line).
 */
function failedBilled(quantity: number, callers: readonly CallerRequestCount[]): boolean {
  let ok = 0;
  let failed = 0;
  for (const c of callers) {
    ok += c.count;
    failed += c.failedCount;
  }
  return failed > 0 && quantity === ok + failed;
}

/** The callers of one line with their dollars, and the part of the line no caller covers. */
function lineCosts(group: LineGroup, fraction: Dec, inTotal: boolean): CallerCost[] {
  const { line, callers } = group;
  const quantity = Number(line.quantity ?? 0);
  const withFailed = failedBilled(quantity, callers);
  const billed = callers.map((c) => c.count + (withFailed ? c.failedCount : 0));
  const counted = billed.reduce((n, b) => n + b, 0);
  // Inconsistent evidence (callers above the line) is shared over the callers, never above the line.
  const whole = Math.max(quantity, counted);
  const base = {
    account: line.account,
    region: line.region,
    keyArn: line.keyArn,
    operation: line.operation,
    keyPairSpec: line.keyPairSpec,
    unitPrice: line.unitPrice,
    inTotal,
  };
  const priced = (requests: number) => {
    if (line.amount === null || whole === 0) return { gross: null, net: null };
    const gross = lineAmount(dec(line.amount).times(requests).dividedBy(whole));
    return { gross, net: lineAmount(gross.times(dec(1).minus(fraction))) };
  };
  const out: CallerCost[] = callers
    .map((row, i) => ({ ...base, row, requests: billed[i] as number, ...priced(billed[i] as number) }))
    .filter((c) => c.requests > 0);
  if (quantity > counted)
    out.push({ ...base, row: null, requests: quantity - counted, ...priced(quantity - counted) });
  return out;
}

/** Every counted request line split by caller, with dollars (see {@link ATTRIBUTION_METHOD}). */
export function callerCosts(usage: MonthUsage | null, cost: MonthCost): CallerCost[] {
  const fractions = freeTierFractions(cost);
  const inTotal = accountsInTotal(cost);
  return lineGroups(cost, usage?.callers ?? []).flatMap((g) =>
    lineCosts(
      g,
      fractions.get(compositeKey(g.line.account, g.line.region, g.line.tier ?? '')) ?? dec(0),
      inTotal.has(g.line.account),
    ),
  );
}
