import type { Rotation } from '../../model/inventory.js';
import { describeMissing } from '../../model/observed.js';
import type { CostLine } from '../../model/pricing.js';
import { DAY_MS } from '../../util/month.js';
import {
  type AssumptionId,
  IMPORTED_MATERIAL_ROTATION_FEE_BILLED,
  REPLICA_ROTATION_FEE_BILLED,
} from '../assumptions.js';
import { billedHours, type Interval, intervalsFrom, parseTime } from '../key-fee.js';
import type { RegionPrices } from '../table.js';
import { isComplete, type KeySubject, perKeyCoverage } from './lookups.js';
import {
  type AssumptionUse,
  baseLine,
  type KeyProduced,
  type MonthInputs,
  proratedFee,
  usesOf,
} from './produced.js';

/** Automatic rotation happens at the earliest 90 days after it is enabled (RotationPeriodInDays 90-2560). */
const MIN_AUTOMATIC_ROTATION_DAYS = 90;

/**
 * The rotation fees of a key whose key fee is priced: one line per billed rotation (up to the
 * table's cap), prorated from the rotation over the hours the key was `billable`; one unknown
 * line when its rotations are not known. None for a replica or imported key material unless the
 * assumptions bill them.
 */
export function rotationLines(
  inputs: MonthInputs,
  key: KeySubject,
  billable: readonly Interval[],
): KeyProduced {
  const { evidence, owner, metadata } = key;
  const none: KeyProduced = { lines: [], notes: [], assumptions: [] };
  if (billable.length === 0) return none;
  const extra: AssumptionId[] = [];
  if (metadata?.multiRegion?.role === 'REPLICA') {
    if (!REPLICA_ROTATION_FEE_BILLED) return none;
    extra.push('REPLICA_ROTATION_FEE_BILLED');
  }
  if (metadata?.origin === 'EXTERNAL') {
    if (!IMPORTED_MATERIAL_ROTATION_FEE_BILLED) return none;
    extra.push('IMPORTED_MATERIAL_ROTATION_FEE_BILLED');
  }
  const prices = inputs.prices.prices(owner.region) as RegionPrices;
  const common = {
    kind: 'rotation-fee' as const,
    account: owner.account,
    region: owner.region,
    keyArn: evidence.arn,
    unit: 'key-month' as const,
    priceUnit: 'key-month' as const,
    unitPrice: prices.rotation.perRotationMonth,
  };
  const notes: string[] = [];
  const known = knownRotations(inputs, key, notes);
  if ('unknown' in known)
    return {
      lines: [baseLine({ ...common, description: 'Rotation fee', unknownReason: known.unknown })],
      notes,
      assumptions: [],
    };
  const billed = billedRotations(inputs, key, known.rotations, prices, notes);
  const lines: CostLine[] = [];
  const assumptions: AssumptionUse[] = [];
  billed.forEach((r, i) => {
    const hours = billedHours(intervalsFrom(billable, r.at), inputs.period, inputs.policy);
    const used: AssumptionId[] = [...extra];
    if (hours.partial) used.push('PARTIAL_HOUR_BILLING');
    assumptions.push(...usesOf(used, evidence.arn));
    lines.push(
      baseLine({
        ...common,
        description: `Rotation ${i + 1} (${r.date.slice(0, 10)}, ${r.type}): ${hours.hours} of ${inputs.period.hours} hours`,
        ...proratedFee(prices.rotation.perRotationMonth, hours.hours, inputs.period),
        assumptions: used,
      }),
    );
  });
  return { lines, notes, assumptions };
}

/** The rotations before the priced period's end, in order, up to the table's cap (noted when it bites). */
function billedRotations(
  inputs: MonthInputs,
  key: KeySubject,
  known: readonly Rotation[],
  prices: RegionPrices,
  notes: string[],
): (Rotation & { at: number })[] {
  const rotations = known
    .map((r) => ({ ...r, at: parseTime(r.date, `${key.evidence.arn} rotation date`) }))
    .filter((r) => r.at < inputs.period.end)
    .sort((a, b) => a.at - b.at);
  const cap = prices.rotation.billedRotationsCap;
  if (cap !== null && rotations.length > cap)
    notes.push(
      `${rotations.length} rotations: only the first ${cap} add a fee (cap in table ${inputs.table.version})`,
    );
  return cap === null ? rotations : rotations.slice(0, cap);
}

/**
 * The key's rotations: the inventory's, or for a key it does not list but created in the month
 * and whose month of events was read in full, those among the events; else why they are unknown.
 */
function knownRotations(
  inputs: MonthInputs,
  key: KeySubject,
  notes: string[],
): { rotations: Rotation[] } | { unknown: string } {
  const { period } = inputs;
  const { evidence, owner } = key;
  const fromEvents = evidence.events
    .filter((e) => e.event === 'RotateKey' || e.event === 'RotateKeyOnDemand')
    .map((e) => ({ date: e.time, type: e.event === 'RotateKey' ? 'AUTOMATIC' : 'ON_DEMAND' }) as const);
  if (!evidence.record) {
    // A key created in the month, whose month of events was read in full: every rotation it can
    // have had is among those events (on demand; automatic rotation comes 90 days at the earliest).
    const created = evidence.events.find((e) => e.event === 'CreateKey' || e.event === 'ReplicateKey');
    if (
      created &&
      Date.parse(created.time) >= period.start &&
      period.end - Date.parse(created.time) < MIN_AUTOMATIC_ROTATION_DAYS * DAY_MS &&
      isComplete(perKeyCoverage(inputs, owner.account, owner.region))
    ) {
      if (fromEvents.length === 0)
        notes.push(`created ${created.time.slice(0, 10)} in the month and never rotated: no rotation fee`);
      return { rotations: fromEvents };
    }
    return {
      unknown: `rotations before ${period.month} are unknown (the key is not in the inventory)${fromEvents.length ? `; ${fromEvents.length} this month` : ''}`,
    };
  }
  const observed = evidence.record.rotations;
  if (observed.status === 'collected') return { rotations: [...observed.value] };
  if (observed.status === 'not-applicable') return { rotations: [] };
  return { unknown: `rotations unknown: ${describeMissing(observed)}` };
}
