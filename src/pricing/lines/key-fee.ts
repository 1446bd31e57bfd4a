import type { KeyManager } from '../../model/inventory.js';
import { describeMissing } from '../../model/observed.js';
import type { CostLine, KeyCostSource } from '../../model/pricing.js';
import type { AssumptionId } from '../assumptions.js';
import { billedHours, type Interval, type KeyTimelineInput, keyTimeline, parseTime } from '../key-fee.js';
import { afterMonthOf, isComplete, type KeySubject, perKeyCoverage } from './lookups.js';
import { baseLine, type KeyProduced, type MonthInputs, proratedFee, usesOf } from './produced.js';

/** A key's monthly fee: its line (if any), how many hours it was billed, and when it was billable. */
export interface KeyFee extends KeyProduced {
  /** Hours billed in the month; 0 for a key with no fee, null when unknown. */
  readonly billableHours: number | null;
  /** When the key was billable in the month, once its fee is priced (the rotation fee follows it); else null. */
  readonly billable: readonly Interval[] | null;
}

function feeLine(key: KeySubject, description: string, rest: Partial<CostLine>): CostLine {
  const { owner, evidence } = key;
  return baseLine({
    kind: 'key-fee',
    account: owner.account,
    region: owner.region,
    keyArn: evidence.arn,
    description,
    unit: 'key-month',
    priceUnit: 'key-month',
    ...rest,
  });
}

const noLines = (billableHours: number | null, note: string): KeyFee => ({
  lines: [],
  notes: [note],
  assumptions: [],
  billableHours,
  billable: null,
});

/**
 * The key fee of one key: none for an AWS managed key or a key another account owns (billed
 * there), unknown for a key that could not be described or is known only from request counts,
 * else the region's key-month price over the hours the key was billable.
 */
export function keyFeeLines(
  inputs: MonthInputs,
  key: KeySubject,
  source: KeyCostSource,
  keyManager: KeyManager | null,
): KeyFee {
  const { owner, evidence } = key;
  if (source === 'request-counts' && !inputs.snapshot.accounts.includes(owner.account))
    return noLines(
      null,
      `key of account ${owner.account}, outside the inventory: its monthly fee is billed there`,
    );
  if (keyManager === 'AWS') return noLines(0, 'AWS managed key: no monthly fee; requests are billed');
  if (keyManager === null || source === 'request-counts') {
    const why =
      source === 'request-counts'
        ? 'the key is neither in the inventory nor in the lifecycle events (deleted before the scan?)'
        : `the key could not be described: ${evidence.record ? describeMissing(evidence.record.metadata) : 'no metadata'}`;
    return {
      lines: [feeLine(key, 'Key fee', { unknownReason: `fee unknown: ${why}` })],
      notes: [],
      assumptions: [],
      billableHours: null,
      billable: null,
    };
  }
  return timelineFee(inputs, key);
}

/** What {@link keyTimeline} is told of a key: its creation, events, the inventory's view and the evidence around the month. */
function timelineInput(inputs: MonthInputs, key: KeySubject): KeyTimelineInput {
  const { evidence, owner, metadata } = key;
  const subject = evidence.arn;
  return {
    creation: metadata?.creationDate ? parseTime(metadata.creationDate, `${subject} CreationDate`) : null,
    events: evidence.events,
    snapshot: evidence.record
      ? {
          takenAt: parseTime(inputs.snapshot.collection.finishedAt, 'snapshot collection.finishedAt'),
          keyState: metadata?.keyState ?? null,
          deletionDate: metadata?.deletionDate
            ? parseTime(metadata.deletionDate, `${subject} DeletionDate`)
            : null,
          pendingWindowInDays: metadata?.pendingDeletionWindowInDays ?? null,
        }
      : null,
    period: inputs.period,
    monthEvidenceComplete: isComplete(perKeyCoverage(inputs, owner.account, owner.region)),
    afterMonth: afterMonthOf(inputs, evidence.arn, owner),
  };
}

/** The fee of a customer managed key, from when it was billable in the month. */
function timelineFee(inputs: MonthInputs, key: KeySubject): KeyFee {
  const { period } = inputs;
  const { owner } = key;
  if (inputs.evidenceBeforeMonth !== null) {
    const unknownReason = `fee unknown: the evidence was collected at ${inputs.evidenceBeforeMonth}, before ${period.month} began`;
    const unitPrice = inputs.prices.prices(owner.region)?.keyMonth ?? null;
    return {
      lines: [feeLine(key, 'Key fee', { unitPrice, unknownReason })],
      notes: [],
      assumptions: [],
      billableHours: null,
      billable: null,
    };
  }
  const timeline = keyTimeline(timelineInput(inputs, key));
  const notes = [...timeline.notes];
  const prices = inputs.prices.prices(owner.region);
  if (timeline.unknownReason !== null || prices === null) {
    const unknownReason = timeline.unknownReason ?? `fee unknown: ${inputs.prices.unpriced(owner.region)}`;
    return {
      lines: [feeLine(key, 'Key fee', { unitPrice: prices?.keyMonth ?? null, unknownReason })],
      notes,
      assumptions: [],
      billableHours:
        timeline.unknownReason === null ? billedHours(timeline.billable, period, inputs.policy).hours : null,
      billable: null,
    };
  }
  const hours = billedHours(timeline.billable, period, inputs.policy);
  const assumptions: AssumptionId[] = [...timeline.assumptions];
  if (hours.partial) assumptions.push('PARTIAL_HOUR_BILLING');
  const line = feeLine(key, `Key fee: ${hours.hours} of ${period.hours} hours`, {
    unitPrice: prices.keyMonth,
    ...proratedFee(prices.keyMonth, hours.hours, period),
    assumptions,
  });
  return {
    lines: [line],
    notes,
    assumptions: usesOf(assumptions, key.evidence.arn),
    billableHours: hours.hours,
    billable: timeline.billable,
  };
}
