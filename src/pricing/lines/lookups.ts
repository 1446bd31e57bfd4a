import type { KeyMetadata, KeyRecord } from '../../model/inventory.js';
import { parseKeyArn } from '../../model/key-arn.js';
import {
  countsPerKey,
  type LifecycleEvent,
  type RequestCount,
  type UsageCoverage,
} from '../../model/usage.js';

import { type MonthPeriod, parseTime } from '../key-fee.js';
import type { MonthInputs } from './produced.js';
import { regionKey } from './usage-index.js';

/**
 * The look-ups the line producers share: the usage grouped by account and region, how far the
 * per-key counts of an account and region reach, the lifecycle evidence after the month, and the
 * owner of a key.
 */

/** The coverage entries of an account and region, in their order. */
export const coverageAt = (inputs: MonthInputs, account: string, region: string): readonly UsageCoverage[] =>
  inputs.index?.coverage.get(regionKey(account, region)) ?? [];

/**
 * True when a coverage entry says its counts are whole for what is priced: the whole month, or
 * for a month to date everything up to the time it is priced to.
 */
export function completeFor(c: UsageCoverage, period: MonthPeriod): boolean {
  if (c.status === 'complete') return true;
  return c.status === 'partial' && c.readUntil !== undefined && Date.parse(c.readUntil) >= period.end;
}

/**
 * How far the per-key request counts of an account and region reach: a per-key source whole for
 * what is priced (as `complete`), else the first per-key source, else `none`.
 */
export function perKeyCoverage(inputs: MonthInputs, account: string, region: string): UsageCoverage | 'none' {
  if (!inputs.index) return 'none';
  const entries = coverageAt(inputs, account, region).filter((c) => countsPerKey(c.source));
  const whole = entries.find((c) => completeFor(c, inputs.period));
  return whole ? { ...whole, status: 'complete' } : (entries[0] ?? 'none');
}

export const isComplete = (c: UsageCoverage | 'none'): boolean => c !== 'none' && c.status === 'complete';

/** A coverage as a word for an unknown line: its status, or `missing`. */
export const coverageStatus = (c: UsageCoverage | 'none'): string => (c === 'none' ? 'missing' : c.status);

/** The account, region and id of a key. */
export interface KeyOwner {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
}

/** Everything the engine gathered about one key before pricing it. */
export interface KeyEvidence {
  readonly arn: string;
  record: KeyRecord | null;
  readonly events: LifecycleEvent[];
  readonly requests: RequestCount[];
}

function ownerOfArn(arn: string): KeyOwner | null {
  const parts = parseKeyArn(arn);
  return parts ? { region: parts.region, account: parts.account, keyId: parts.keyId } : null;
}

/** Whose key it is: the inventory's record, else its ARN, else where its events or requests were seen. */
export function keyOwner(evidence: KeyEvidence): KeyOwner {
  const record = evidence.record;
  if (record) return { account: record.account, region: record.region, keyId: record.keyId };
  return (
    ownerOfArn(evidence.arn) ?? {
      account: evidence.events[0]?.account ?? evidence.requests[0]?.account ?? 'unknown',
      region: evidence.events[0]?.region ?? evidence.requests[0]?.region ?? 'unknown',
      keyId: evidence.arn,
    }
  );
}

/** The lifecycle evidence after the month for one key: its ScheduleKeyDeletion there, and how far the read reached. */
export function afterMonthOf(
  inputs: MonthInputs,
  arn: string,
  owner: KeyOwner,
): { scheduledAt: number | null; readUntil: number | null } | null {
  const after = inputs.usage?.afterMonth;
  if (!after || !inputs.index) return null;
  const schedule = (inputs.index.afterSchedules.get(arn) ?? [])
    .map((e) => parseTime(e.time, 'ScheduleKeyDeletion event time'))
    .sort((a, b) => b - a)[0];
  // How far a read with nothing missing reached: its own readUntil, else (complete) the window's end.
  const readUntil =
    (inputs.index.afterCoverage.get(regionKey(owner.account, owner.region)) ?? [])
      .map((c) =>
        c.readUntil !== undefined
          ? Date.parse(c.readUntil)
          : c.status === 'complete'
            ? parseTime(after.window.end, 'afterMonth window end')
            : Number.NaN,
      )
      .filter((t) => !Number.isNaN(t))
      .sort((a, b) => b - a)[0] ?? null;
  return { scheduledAt: schedule ?? null, readUntil };
}

/** A key being priced: its evidence, whose it is, and its metadata when the inventory described it. */
export interface KeySubject {
  readonly evidence: KeyEvidence;
  readonly owner: KeyOwner;
  readonly metadata: KeyMetadata | undefined;
}
