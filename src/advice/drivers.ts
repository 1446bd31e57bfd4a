import type { CallerDriver, CallersKnown, CostDrivers } from '../model/advice.js';
import type { Money } from '../model/pricing.js';
import type { PreviousDrivers } from '../model/report-schema.js';
import type { MonthUsage } from '../model/usage.js';
import { type Dec, dec, toMoney } from '../pricing/money.js';
import { compareText, compositeKey } from '../util/compare.js';
import { ATTRIBUTION_METHOD, type CallerCost } from './attribute.js';
import { DRIVER_KEYS, DRIVERS_OVERALL, DRIVERS_PER_KEY } from './constants.js';

/** One caller's sum over its request lines (overall, or on one key). */
interface Sum {
  readonly first: CallerCost & { row: NonNullable<CallerCost['row']> };
  readonly keyArn: string | null;
  requests: number;
  cost: Dec | null;
}

/** The identity of a driver, the same this month and last: caller, service, bucket, billed account, key. */
const driverId = (d: {
  caller: string;
  invokedBy: string | null;
  bucketArn: string | null;
  billedAccount: string;
  keyArn: string | null;
}) => compositeKey(d.caller, d.invokedBy ?? '', d.bucketArn ?? '', d.billedAccount, d.keyArn ?? '');

function sums(costs: readonly CallerCost[], perKey: boolean): Sum[] {
  const out = new Map<string, Sum>();
  for (const c of costs) {
    const row = c.row;
    if (row === null) continue;
    const keyArn = perKey ? c.keyArn : null;
    const id = driverId({ ...row, billedAccount: c.account, keyArn });
    const s = out.get(id);
    if (s) {
      s.requests += c.requests;
      s.cost = s.cost === null || c.net === null ? null : s.cost.plus(c.net);
    } else out.set(id, { first: { ...c, row }, keyArn, requests: c.requests, cost: c.net });
  }
  return [...out.values()];
}

/** Most costly first (unknown cost after known), then most requests, then by caller. */
function byCost(a: Sum, b: Sum): number {
  if (a.cost !== null && b.cost !== null) {
    const order = b.cost.comparedTo(a.cost);
    if (order !== 0) return order;
  } else if (a.cost !== b.cost) return a.cost === null ? 1 : -1;
  return b.requests - a.requests || compareText(a.first.row.caller, b.first.row.caller);
}

function driverOf(
  s: Sum,
  previous: ReadonlyMap<string, { requests: number; cost: Money | null }> | null,
): CallerDriver {
  const { row } = s.first;
  const base = {
    caller: row.caller,
    callerType: row.callerType,
    callerAccount: row.callerAccount,
    invokedBy: row.invokedBy,
    bucketArn: row.bucketArn,
    keyArn: s.keyArn,
    billedAccount: s.first.account,
    billedToReport: s.first.inTotal,
    requests: s.requests,
    cost: s.cost === null ? null : toMoney(s.cost),
  };
  const before = previous?.get(driverId(base)) ?? null;
  return {
    ...base,
    previousRequests: before?.requests ?? null,
    previousCost: before?.cost ?? null,
    costChange:
      base.cost === null || before?.cost === null || before === null
        ? null
        : toMoney(dec(base.cost).minus(before.cost)),
  };
}

/** Last month's drivers by identity (overall and per key in one map: the key is part of the identity). */
function previousIndex(previous: PreviousDrivers | null) {
  if (!previous) return null;
  const index = new Map<string, { requests: number; cost: Money | null }>();
  for (const d of [...previous.overall, ...previous.perKey]) index.set(driverId(d), d);
  return index;
}

/** Whether the callers are known, and why not. */
function callersKnown(
  usage: MonthUsage | null,
  costs: readonly CallerCost[],
): { known: CallersKnown; note: string | null } {
  const ours = costs.filter((c) => c.inTotal);
  const unknown = ours.filter((c) => c.row === null);
  if (usage === null) return { known: 'unknown', note: 'no request volumes were collected for the month' };
  if (usage.callers === undefined)
    return {
      known: 'unknown',
      note: 'the usage evidence does not count callers (CloudWatch totals only, or evidence collected before kms-report counted callers: collect the month again with CloudTrail)',
    };
  if (unknown.length === 0) return { known: 'known', note: null };
  if (unknown.length === ours.length)
    return {
      known: 'unknown',
      note: 'no caller was counted for the requests of the month (the per-key source did not record callers)',
    };
  return {
    known: 'partial',
    note: 'some request lines have no caller counts (a source that does not record callers, or a part of the month read without them)',
  };
}

/**
 * The month's cost drivers: the callers that cost the most overall and on the keys with the
 * costliest request bills, with the change from last month when last month's report listed them.
 */
export function costDrivers(
  usage: MonthUsage | null,
  costs: readonly CallerCost[],
  previous: PreviousDrivers | null,
  previousMonth: string | null,
): CostDrivers {
  const index = previousIndex(previous);
  const overall = sums(costs, false).sort(byCost).slice(0, DRIVERS_OVERALL);
  const perKeySums = sums(costs, true);
  const keyTotals = new Map<string, Dec>();
  for (const s of perKeySums)
    keyTotals.set(s.keyArn ?? '', (keyTotals.get(s.keyArn ?? '') ?? dec(0)).plus(s.cost ?? 0));
  const topKeys = [...keyTotals]
    .sort(([a, x], [b, y]) => y.comparedTo(x) || compareText(a, b))
    .slice(0, DRIVER_KEYS)
    .map(([arn]) => arn);
  const perKey = topKeys.flatMap((arn) =>
    perKeySums
      .filter((s) => s.keyArn === arn)
      .sort(byCost)
      .slice(0, DRIVERS_PER_KEY),
  );
  const unknownRows = costs.filter((c) => c.inTotal && c.row === null);
  const { known, note } = callersKnown(usage, costs);
  return {
    callersKnown: known,
    callersNote: note,
    overall: overall.map((s) => driverOf(s, index)),
    perKey: perKey.map((s) => driverOf(s, index)),
    unknownCallers: {
      requests: unknownRows.reduce((n, c) => n + c.requests, 0),
      cost: unknownRows.some((c) => c.net === null)
        ? null
        : toMoney(unknownRows.reduce((sum, c) => sum.plus(c.net ?? 0), dec(0))),
    },
    previousMonth: index ? previousMonth : null,
    method: ATTRIBUTION_METHOD,
  };
}
