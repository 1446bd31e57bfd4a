import { ROTATION_BILLED_AS_KEY_MONTHS } from '../model/bill.js';
import type { FreeTierScope } from '../model/pricing.js';
import type { RowDifference } from '../model/reconciliation.js';
import { type Dec, dec } from '../pricing/money.js';
import type { BillBucket, EstimateBucket } from './buckets.js';

/**
 * Why a row's estimate and bill differ, when the numbers themselves say it. Each detector is a
 * pure check of one known cause; the first that fits explains the row.
 */

/** What the detectors read of a row. */
export interface RowCase {
  readonly estimate: EstimateBucket | undefined;
  readonly bill: BillBucket | undefined;
  /** Estimate minus bill (both known). */
  readonly difference: Dec;
  /** What rounding can account for in this row. */
  readonly tolerance: Dec;
  readonly freeTierScope: FreeTierScope;
  /** Keys of the month's estimate by ARN, with where the engine learnt of them. */
  readonly knownKeys: ReadonlyMap<string, string>;
}

/** Quantities agree: requests exactly, key-months to a thousandth (an hour is 1/744 of a month). */
const QUANTITY_TOLERANCE = { requests: dec('0.5'), keyMonths: dec('0.001') };

function quantitiesAgree(a: Dec, b: Dec, keyMonths: boolean): boolean {
  return a
    .minus(b)
    .abs()
    .lessThanOrEqualTo(keyMonths ? QUANTITY_TOLERANCE.keyMonths : QUANTITY_TOLERANCE.requests);
}

const within = (a: Dec, b: Dec, tolerance: Dec) => a.minus(b).abs().lessThanOrEqualTo(tolerance);

const requests = (q: Dec) => `${q.toFixed()} request${q.equals(1) ? '' : 's'}`;

/** The estimate credited the free tier here, the bill charged those requests: it was applied elsewhere. */
function freeTierElsewhere(c: RowCase): RowDifference | null {
  const e = c.estimate;
  if (!e || !c.bill || e.credit.isZero()) return null;
  // billed = estimate − credit: the bill charges what the estimate took as free.
  if (!within(c.difference, e.credit, c.tolerance)) return null;
  return {
    kind: 'free-tier-elsewhere',
    text: `The estimate applied the free tier here (${e.credit.neg().toFixed()} credited); the bill charged these requests in full: AWS applied the free tier to another account or region (with consolidated billing, once across the organisation). The estimate's free-tier scope is "${c.freeTierScope}".`,
    assumptions:
      c.freeTierScope === 'organization' ? ['FREE_TIER_ORGANIZATION', 'FREE_TIER_ALLOCATION_ORDER'] : [],
  };
}

/** The bill charged fewer requests' worth than it counted, and the estimate credited none here. */
function freeTierHere(c: RowCase): RowDifference | null {
  const e = c.estimate;
  if (!e || !c.bill || !e.credit.isZero() || e.unitPrice === null || e.quantityUnknown) return null;
  if (!c.difference.greaterThan(c.tolerance) || !quantitiesAgree(e.quantity, c.bill.quantity, false))
    return null;
  const price = dec(e.unitPrice);
  if (price.isZero()) return null;
  const free = c.difference.div(price).times(10_000);
  const whole = free.toDecimalPlaces(0);
  // The gap is a whole number of requests at this tier's price, no more than were made.
  if (!free.minus(whole).abs().lessThanOrEqualTo('0.5') || whole.greaterThan(e.quantity)) return null;
  return {
    kind: 'free-tier-here',
    text: `The bill charged ${requests(whole)} less than it counted (a free tier applied here); the estimate applied its free tier to another account or region, or had none left (free-tier scope "${c.freeTierScope}").`,
    assumptions: ['FREE_TIER_ALLOCATION_ORDER'],
  };
}

/** The bill counts the requests without the management calls the estimate took as billed. */
function managementCalls(c: RowCase): RowDifference | null {
  const e = c.estimate;
  if (!e || !c.bill || e.managementQuantity.isZero() || e.quantityUnknown) return null;
  if (!quantitiesAgree(e.quantity.minus(e.managementQuantity), c.bill.quantity, false)) return null;
  return {
    kind: 'assumption',
    text: `The bill counts ${requests(c.bill.quantity)}: the ${requests(e.managementQuantity)} the estimate priced as management calls (DescribeKey, ListKeys, ...) were not billed.`,
    assumptions: ['MANAGEMENT_CALLS_BILLED'],
  };
}

/** The bill's key-months leave out the rotation surcharges the estimate charged as key-months. */
function rotationNotKeyMonths(c: RowCase): RowDifference | null {
  const e = c.estimate;
  if (!ROTATION_BILLED_AS_KEY_MONTHS || !e || !c.bill || e.category !== 'key-months') return null;
  if (e.rotationQuantity.isZero() || e.quantityUnknown) return null;
  if (!quantitiesAgree(e.quantity.minus(e.rotationQuantity), c.bill.quantity, true)) return null;
  return {
    kind: 'assumption',
    text: `The bill's ${c.bill.quantity.toFixed()} key-months leave out the ${e.rotationQuantity.toFixed()} key-months of rotation surcharges the estimate charged under this usage type.`,
    assumptions: ['ROTATION_BILLED_AS_KEY_MONTHS'],
  };
}

/** The pricing assumptions of a key's hours when it is known only from lifecycle events. */
const LIFECYCLE_ASSUMPTIONS = [
  'DEFAULT_PENDING_WINDOW_DAYS',
  'PENDING_DELETION_START_DERIVED',
  'DELETION_WITHOUT_SCHEDULE_EVENT',
  'EXISTED_BEFORE_MONTH',
];

/** A key billed that the inventory does not hold, or whose hours rest on lifecycle events only. */
function deletedKey(c: RowCase): RowDifference | null {
  const arn = c.bill?.keyArn ?? c.estimate?.keyArn ?? null;
  if (arn !== null && c.bill && !c.knownKeys.has(arn))
    return {
      kind: 'key-deleted-before-evidence',
      text: 'The bill charges a key that is neither in the inventory nor in the month’s lifecycle events: most likely deleted before the evidence was taken (run the report on the 1st of the month).',
      assumptions: [],
    };
  const e = c.estimate;
  if (!e || e.lifecycleKeys.size === 0 || e.category !== 'key-months') return null;
  return {
    kind: 'key-deleted-before-evidence',
    text: `${e.lifecycleKeys.size === 1 ? '1 key' : `${e.lifecycleKeys.size} keys`} of this row ${e.lifecycleKeys.size === 1 ? 'was' : 'were'} deleted before the evidence was taken and ${e.lifecycleKeys.size === 1 ? 'is' : 'are'} known only from lifecycle events: ${e.lifecycleKeys.size === 1 ? 'its' : 'their'} billable hours rest on assumptions.`,
    assumptions: LIFECYCLE_ASSUMPTIONS.filter((a) => e.assumptions.has(a)),
  };
}

/** The detectors, in the order they are tried. */
const DETECTORS: readonly ((c: RowCase) => RowDifference | null)[] = [
  freeTierElsewhere,
  managementCalls,
  rotationNotKeyMonths,
  freeTierHere,
  deletedKey,
];

/** The first known cause that accounts for the row's difference, or null. */
export function explainDifference(c: RowCase): RowDifference | null {
  for (const detect of DETECTORS) {
    const found = detect(c);
    if (found) return found;
  }
  return null;
}
