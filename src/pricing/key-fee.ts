import type { LifecycleEvent } from '../model/usage.js';
import { compareText } from '../util/compare.js';
import { DAY_MS, HOUR_MS, type Month, type MonthWindow, monthOf } from '../util/month.js';
import {
  type AssumptionId,
  DEFAULT_PENDING_WINDOW_DAYS,
  PARTIAL_HOUR_BILLING,
  PENDING_REPLICA_DELETION_BILLED,
} from './assumptions.js';
import { PricingError } from './errors.js';

/**
 * When a key was billable during a month: from its creation (or the month's start) to its
 * deletion (or the month's end), minus the time it was pending deletion, except a pending
 * deletion that was cancelled, which AWS bills as though it never happened.
 */

/** A calendar month in UTC, `[start, end)` in epoch milliseconds. */
export interface MonthPeriod {
  readonly month: string;
  readonly start: number;
  readonly end: number;
  readonly hours: number;
}

/** `[start, end)` in epoch milliseconds. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * The month's UTC bounds and its number of hours (24 × days: 672 to 744), in epoch milliseconds
 * for the interval arithmetic. A {@link Month} (parsed once at the edge) is taken as it is; a
 * `YYYY-MM` text is parsed, and a malformed one is a {@link PricingError}.
 *
 * @example
 * ```ts
 * monthPeriod('2024-02').hours; // 696 (29 days, a leap year)
 * monthPeriod(resolveReportMonth('2024-02', now)).hours; // 696, not parsed again
 * ```
 */
export function monthPeriod(month: string | MonthWindow): MonthPeriod {
  let value: Month;
  try {
    value = monthOf(month, undefined, 'month');
  } catch {
    throw new PricingError(`month: expected YYYY-MM, got "${month}"`);
  }
  return { month: value.month, start: value.start.getTime(), end: value.end.getTime(), hours: value.hours };
}

/** Parses an ISO date from the model; an unparseable one is an error naming it. */
export function parseTime(iso: string, what: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new PricingError(`${what}: "${iso}" is not a date`);
  return t;
}

function clip(interval: Interval, within: Interval): Interval | null {
  const start = Math.max(interval.start, within.start);
  const end = Math.min(interval.end, within.end);
  return end > start ? { start, end } : null;
}

/** `base` minus every interval of `remove`, sorted. */
function subtractIntervals(base: readonly Interval[], remove: readonly Interval[]): Interval[] {
  let pieces = [...base];
  for (const r of remove) {
    const next: Interval[] = [];
    for (const p of pieces) {
      if (r.end <= p.start || r.start >= p.end) {
        next.push(p);
        continue;
      }
      if (r.start > p.start) next.push({ start: p.start, end: r.start });
      if (r.end < p.end) next.push({ start: r.end, end: p.end });
    }
    pieces = next;
  }
  return pieces.sort((a, b) => a.start - b.start);
}

/** The union of intervals, sorted and non-overlapping. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, i.end) };
    else merged.push(i);
  }
  return merged;
}

/** Billable hours of a set of intervals inside the period, under a partial-hour policy. */
export interface BilledHours {
  /** Whole hours under `bill-started-hour`; may be fractional under `exact`. */
  readonly hours: number;
  /** True when an interval starts or ends inside a clock hour (the partial-hour policy mattered). */
  readonly partial: boolean;
}

/**
 * Counts billable hours. Under `bill-started-hour` every UTC clock hour touched by an
 * interval counts once; under `exact` the intervals' exact length is used.
 */
export function billedHours(
  intervals: readonly Interval[],
  period: MonthPeriod,
  policy: 'bill-started-hour' | 'exact' = PARTIAL_HOUR_BILLING,
): BilledHours {
  const clipped = intervals.map((i) => clip(i, period)).filter((i): i is Interval => i !== null);
  const partial = clipped.some((i) => i.start % HOUR_MS !== 0 || i.end % HOUR_MS !== 0);
  if (policy === 'exact') {
    const ms = mergeIntervals(clipped).reduce((acc, i) => acc + i.end - i.start, 0);
    return { hours: ms / HOUR_MS, partial };
  }
  const slots = new Set<number>();
  for (const i of clipped) {
    for (let h = Math.floor(i.start / HOUR_MS); h < Math.ceil(i.end / HOUR_MS); h += 1) slots.add(h);
  }
  return { hours: slots.size, partial };
}

/** What the engine knows of a key to place it in time. */
export interface KeyTimelineInput {
  /** CreationDate (epoch ms), when known. */
  readonly creation: number | null;
  /** This key's lifecycle events of the month, any order. */
  readonly events: readonly LifecycleEvent[];
  /** The key as the inventory saw it, or null when the inventory does not list it. */
  readonly snapshot: {
    readonly takenAt: number;
    readonly keyState: string | null;
    readonly deletionDate: number | null;
    readonly pendingWindowInDays: number | null;
  } | null;
  readonly period: MonthPeriod;
  /**
   * True when CloudTrail was read for this key's account and region over the whole month (up to
   * the inventory when it was taken first), so a ScheduleKeyDeletion in the month would be in
   * `events`.
   */
  readonly monthEvidenceComplete?: boolean;
  /**
   * Lifecycle evidence after the month: the ScheduleKeyDeletion of this key found after the
   * month (its time), and how far the read reached with nothing missing (null: not in full).
   */
  readonly afterMonth?: { readonly scheduledAt: number | null; readonly readUntil: number | null } | null;
}

/** The shortest and longest pending-deletion windows AWS allows (days). */
const PENDING_WINDOW_DAYS = { min: 7, max: 30 } as const;

export interface KeyTimeline {
  /** When the key was billable inside the month, sorted; empty when never. */
  readonly billable: readonly Interval[];
  readonly assumptions: readonly AssumptionId[];
  readonly notes: readonly string[];
  /** Set when the timeline cannot be known at all (the fee is then unknown). */
  readonly unknownReason: string | null;
}

/**
 * Places a key in time for a month.
 *
 * - Start: CreationDate, else the CreateKey/ReplicateKey event, else the month's start (assumed).
 * - Pending deletion: from the ScheduleKeyDeletion event. A key found pending deletion with no
 *   such event in the month was scheduled before the month or after it: the evidence after the
 *   month (a ScheduleKeyDeletion found there) or the window's 7-30 day bounds around
 *   DeletionDate tell which when they can; only otherwise is the start taken as
 *   `DeletionDate − window` (PendingDeletionWindowInDays, else the 30-day default).
 * - A CancelKeyDeletion voids the pending period it ends (billed as never scheduled); so does
 *   an inventory that finds the key out of PendingDeletion after the schedule.
 * - End: the DeleteKey event, else the DeletionDate of a deletion that was not cancelled.
 */
export function keyTimeline(input: KeyTimelineInput): KeyTimeline {
  const { period, snapshot } = input;
  // A Set keeps the order the assumptions were met in: the fee line lists them in that order.
  const assumptions = new Set<AssumptionId>();
  const notes: string[] = [];
  const events = [...input.events].sort((a, b) => compareText(a.time, b.time));
  const existStart = existenceStart(input, events, assumptions);
  const windowMs: WindowMs = (days) => {
    if (days == null) assumptions.add('DEFAULT_PENDING_WINDOW_DAYS');
    return (days ?? DEFAULT_PENDING_WINDOW_DAYS) * DAY_MS;
  };
  const replay = replayLifecycle(events, snapshot?.pendingWindowInDays, windowMs, assumptions, notes);
  if (snapshot?.keyState === 'PendingReplicaDeletion') assumptions.add('PENDING_REPLICA_DELETION_BILLED');
  const end: LifecycleEnd =
    replay.deletedAt !== null
      ? { existEnd: replay.deletedAt, pending: [], unknownReason: null }
      : endWithoutDeleteKey(input, replay, windowMs, assumptions, notes);
  if (snapshot && snapshot.takenAt < period.end && replay.deletedAt === null)
    assumptions.add('STATE_PERSISTS_AFTER_SNAPSHOT');

  const existence = clip({ start: existStart, end: end.existEnd }, period);
  const billable = existence ? subtractIntervals([existence], [...replay.pending, ...end.pending]) : [];
  return { billable, assumptions: [...assumptions], notes, unknownReason: end.unknownReason };
}

/** A pending-deletion window in milliseconds (the 30-day default, assumed, when not given). */
type WindowMs = (days: number | undefined | null) => number;

/** When the key began to exist: CreationDate, else its CreateKey/ReplicateKey event, else (assumed) the month's start. */
function existenceStart(
  input: KeyTimelineInput,
  events: readonly LifecycleEvent[],
  assumptions: Set<AssumptionId>,
): number {
  if (input.creation !== null) return input.creation;
  const created = events.find((e) => e.event === 'CreateKey' || e.event === 'ReplicateKey');
  if (created) return parseTime(created.time, `${created.event} event time`);
  assumptions.add('EXISTED_BEFORE_MONTH');
  return input.period.start;
}

/** What the month's lifecycle events, in order, say about pending deletion and deletion. */
interface LifecycleReplay {
  /** The pending periods the events close (scheduled then deleted). */
  readonly pending: readonly Interval[];
  /** A deletion scheduled and neither cancelled nor carried out by the month's events. */
  readonly open: { readonly start: number; readonly until: number } | null;
  /** The last CancelKeyDeletion (a pending period cannot start before it). */
  readonly lastCancel: number;
  readonly deletedAt: number | null;
}

function replayLifecycle(
  events: readonly LifecycleEvent[],
  pendingWindowInDays: number | null | undefined,
  windowMs: WindowMs,
  assumptions: Set<AssumptionId>,
  notes: string[],
): LifecycleReplay {
  const pending: Interval[] = [];
  let open: { start: number; until: number } | null = null;
  let lastCancel = Number.NEGATIVE_INFINITY;
  let deletedAt: number | null = null;
  for (const e of events) {
    const t = parseTime(e.time, `${e.event} event time`);
    if (e.event === 'ScheduleKeyDeletion') {
      const until =
        e.deletionDate !== undefined
          ? parseTime(e.deletionDate, 'ScheduleKeyDeletion deletionDate')
          : t + windowMs(e.pendingWindowInDays);
      open = { start: t, until };
    } else if (e.event === 'CancelKeyDeletion') {
      // Billed "as though it was never scheduled": the pending period disappears.
      if (open)
        notes.push(
          `deletion scheduled ${new Date(open.start).toISOString()} and cancelled: billed throughout`,
        );
      else notes.push('deletion cancelled: billed as though never scheduled');
      open = null;
      lastCancel = t;
    } else if (e.event === 'DeleteKey') {
      deletedAt = t;
      if (open) pending.push({ start: open.start, end: t });
      else {
        assumptions.add('DELETION_WITHOUT_SCHEDULE_EVENT');
        pending.push({ start: Math.max(t - windowMs(pendingWindowInDays), lastCancel), end: t });
      }
      open = null;
    }
  }
  return { pending, open, lastCancel, deletedAt };
}

/** Where the key's existence ends and what is pending beyond the events, when no DeleteKey ended it. */
interface LifecycleEnd {
  readonly existEnd: number;
  readonly pending: readonly Interval[];
  readonly unknownReason: string | null;
}

/**
 * The end of a key the month's events did not delete: a deletion the events left scheduled (if
 * the inventory did not find it cancelled), or one the inventory found pending.
 */
function endWithoutDeleteKey(
  input: KeyTimelineInput,
  replay: LifecycleReplay,
  windowMs: WindowMs,
  assumptions: Set<AssumptionId>,
  notes: string[],
): LifecycleEnd {
  const { snapshot } = input;
  const { open } = replay;
  const state = snapshot?.keyState ?? null;
  const pendingNow =
    state === 'PendingDeletion' || (state === 'PendingReplicaDeletion' && !PENDING_REPLICA_DELETION_BILLED);
  const throughout: LifecycleEnd = { existEnd: Number.POSITIVE_INFINITY, pending: [], unknownReason: null };
  if (open) {
    if (snapshot === null || pendingNow || snapshot.takenAt < open.start) {
      const end = snapshot?.deletionDate ?? open.until;
      return { existEnd: end, pending: [{ start: open.start, end }], unknownReason: null };
    }
    notes.push('scheduled for deletion, then found out of PendingDeletion: billed as never scheduled');
    return throughout;
  }
  if (!snapshot || !pendingNow) return throughout;
  if (snapshot.deletionDate === null)
    return { ...throughout, unknownReason: `key is ${state} but its DeletionDate was not recorded` };
  return pendingAtInventory(input, snapshot, snapshot.deletionDate, replay.lastCancel, windowMs, {
    assumptions,
    notes,
  });
}

/** A key the inventory found pending deletion with no schedule among the month's events. */
function pendingAtInventory(
  input: KeyTimelineInput,
  snapshot: NonNullable<KeyTimelineInput['snapshot']>,
  deletion: number,
  lastCancel: number,
  windowMs: WindowMs,
  out: { assumptions: Set<AssumptionId>; notes: string[] },
): LifecycleEnd {
  const { period } = input;
  const when = scheduledWhen(input, snapshot.takenAt, deletion);
  if (when.kind === 'after') {
    out.notes.push(
      `scheduled for deletion ${when.why}: not pending during ${period.month}, billed throughout`,
    );
    return { existEnd: Number.POSITIVE_INFINITY, pending: [], unknownReason: null };
  }
  if (when.kind === 'before') {
    out.notes.push(
      `pending deletion since before ${period.month} (${when.why}): not billed until ${new Date(deletion).toISOString()}`,
    );
    return { existEnd: deletion, pending: [{ start: lastCancel, end: deletion }], unknownReason: null };
  }
  out.assumptions.add('PENDING_DELETION_START_DERIVED');
  out.notes.push(
    `pending deletion: when it was scheduled is not known (${when.why}); dated from DeletionDate`,
  );
  const start = Math.max(deletion - windowMs(snapshot.pendingWindowInDays), lastCancel);
  return { existEnd: deletion, pending: [{ start, end: deletion }], unknownReason: null };
}

/**
 * When a key found pending deletion (with no ScheduleKeyDeletion among the month's events) was
 * scheduled: `after` the month, `before` it, or `unknown`, with the evidence that says so.
 * The schedule lies between `DeletionDate − 30 days` and `DeletionDate − 7 days`, and before
 * the inventory found the key pending.
 */
function scheduledWhen(
  input: KeyTimelineInput,
  takenAt: number,
  deletion: number,
): { kind: 'after' | 'before' | 'unknown'; why: string } {
  const { period } = input;
  const after = input.afterMonth ?? null;
  if (after?.scheduledAt != null && after.scheduledAt >= period.end)
    return {
      kind: 'after',
      why: `on ${new Date(after.scheduledAt).toISOString()} (ScheduleKeyDeletion found after the month)`,
    };
  if (!input.monthEvidenceComplete)
    return { kind: 'unknown', why: `the month's CloudTrail events were not read in full` };
  const earliest = deletion - PENDING_WINDOW_DAYS.max * DAY_MS;
  const latest = Math.min(deletion - PENDING_WINDOW_DAYS.min * DAY_MS, takenAt);
  const afterRead = after?.readUntil != null && after.readUntil >= takenAt;
  const couldBeBefore = earliest < period.start;
  // Scheduled at or after the month's end (for a month to date, the inventory is its end: no later).
  const couldBeAfter = latest >= period.end && takenAt > period.end && !afterRead;
  if (couldBeAfter && !couldBeBefore)
    return {
      kind: 'after',
      why: `after ${period.month}: no ScheduleKeyDeletion in the month's CloudTrail events, and DeletionDate ${new Date(deletion).toISOString()} is at most ${PENDING_WINDOW_DAYS.max} days after it`,
    };
  if (couldBeBefore && !couldBeAfter)
    return {
      kind: 'before',
      why: afterRead
        ? 'no ScheduleKeyDeletion in the month nor after it up to the inventory'
        : `no ScheduleKeyDeletion in the month's CloudTrail events, and DeletionDate is less than ${PENDING_WINDOW_DAYS.min} days after the month`,
    };
  return {
    kind: 'unknown',
    why: couldBeAfter
      ? 'no ScheduleKeyDeletion in the month; the events after the month were not read up to the inventory'
      : 'no ScheduleKeyDeletion in the month, though the deletion date says it was scheduled then',
  };
}

/** The part of `billable` from `from` on (a rotation's surcharge starts at the rotation). */
export function intervalsFrom(billable: readonly Interval[], from: number): Interval[] {
  return billable
    .map((i) => clip(i, { start: from, end: Number.POSITIVE_INFINITY }))
    .filter((i): i is Interval => i !== null);
}
