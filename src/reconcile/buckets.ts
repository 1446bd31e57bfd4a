import { type BillCategory, type BillLine, type BillRead, billCategoryOf } from '../model/bill.js';
import type { CostLine, MonthCost } from '../model/pricing.js';
import { accountLevelLines } from '../model/pricing.js';
import { type Dec, dec } from '../pricing/money.js';
import { compositeKey } from '../util/compare.js';

/**
 * The two sides of the comparison gathered into buckets of one account, region and category
 * (and key, for the per-key rows): what `reconcileBill` then compares bucket by bucket.
 */

/** What a bucket is about. */
export interface BucketId {
  readonly account: string | null;
  readonly region: string | null;
  readonly category: BillCategory;
  readonly keyArn: string | null;
  /** `Usage` on the estimate's side; the bill's line item type on its side. */
  readonly lineItemType: string;
  /** An unmapped row is one usage type: its name (else empty). */
  readonly unmappedUsageType: string;
}

/** The estimate's lines of one bucket, summed. */
export interface EstimateBucket extends BucketId {
  /** Gross quantity (the free tier is not subtracted, as on the bill). */
  quantity: Dec;
  quantityUnknown: boolean;
  /** Net amount: the lines' and the free-tier credit's. */
  amount: Dec;
  unknownLines: number;
  /** The free-tier credit in `amount` (zero or negative). */
  credit: Dec;
  /** Requests priced only because management calls are taken as billed (`MANAGEMENT_CALLS_BILLED`). */
  managementQuantity: Dec;
  /** Key-months of rotation surcharges (billed as key-months: `ROTATION_BILLED_AS_KEY_MONTHS`). */
  rotationQuantity: Dec;
  /** A request line's price per 10,000 requests (the last seen; one tier has one price per region). */
  unitPrice: string | null;
  readonly assumptions: Set<string>;
  /** Keys of this bucket known only from the month's lifecycle events (deleted before the inventory). */
  readonly lifecycleKeys: Set<string>;
}

/** The bill's lines of one bucket, summed. */
export interface BillBucket extends BucketId {
  quantity: Dec;
  amount: Dec;
  lines: number;
  readonly usageTypes: Set<string>;
}

export const bucketKey = (b: BucketId): string =>
  compositeKey(
    b.account ?? '',
    b.region ?? '',
    b.category,
    b.unmappedUsageType,
    b.keyArn ?? '',
    b.lineItemType,
  );

/** Where an estimate line is compared: its category in the bill's terms. */
function categoryOf(line: CostLine): BillCategory {
  switch (line.kind) {
    case 'key-fee':
    case 'rotation-fee':
    case 'unlisted-keys':
      return 'key-months';
    default:
      return line.tier ?? 'unmapped';
  }
}

function newEstimate(id: BucketId): EstimateBucket {
  return {
    ...id,
    quantity: dec(0),
    quantityUnknown: false,
    amount: dec(0),
    unknownLines: 0,
    credit: dec(0),
    managementQuantity: dec(0),
    rotationQuantity: dec(0),
    unitPrice: null,
    assumptions: new Set(),
    lifecycleKeys: new Set(),
  };
}

function addLine(bucket: EstimateBucket, line: CostLine, lifecycle: boolean): void {
  for (const a of line.assumptions) bucket.assumptions.add(a);
  if (lifecycle && line.keyArn) bucket.lifecycleKeys.add(line.keyArn);
  if (line.amount === null) bucket.unknownLines += 1;
  else bucket.amount = bucket.amount.plus(line.amount);
  if (line.kind === 'free-tier-credit') {
    if (line.amount !== null) bucket.credit = bucket.credit.plus(line.amount);
    return;
  }
  if (line.quantity === null) bucket.quantityUnknown = true;
  else {
    bucket.quantity = bucket.quantity.plus(line.quantity);
    if (line.kind === 'rotation-fee') bucket.rotationQuantity = bucket.rotationQuantity.plus(line.quantity);
    if (line.assumptions.includes('MANAGEMENT_CALLS_BILLED'))
      bucket.managementQuantity = bucket.managementQuantity.plus(line.quantity);
  }
  if (line.priceUnit === '10k-requests' && line.unitPrice !== null) bucket.unitPrice = line.unitPrice;
}

/** Every line of the month, with whether its key is known only from lifecycle events. */
function estimateLines(cost: MonthCost): { line: CostLine; lifecycle: boolean }[] {
  return [
    ...cost.keys.flatMap((k) =>
      k.lines.map((line) => ({ line, lifecycle: k.source === 'lifecycle-events' })),
    ),
    ...accountLevelLines(cost).map((line) => ({ line, lifecycle: false })),
  ];
}

/**
 * The estimate in buckets of account, region and category (`perKey`: and key; lines that name no
 * key are then left out, they are in the per-usage-type rows).
 */
export function estimateBuckets(cost: MonthCost, perKey: boolean): Map<string, EstimateBucket> {
  const buckets = new Map<string, EstimateBucket>();
  for (const { line, lifecycle } of estimateLines(cost)) {
    if (perKey && line.keyArn === null) continue;
    const id: BucketId = {
      account: line.account,
      region: line.region,
      category: categoryOf(line),
      keyArn: perKey ? line.keyArn : null,
      lineItemType: 'Usage',
      unmappedUsageType: '',
    };
    const key = bucketKey(id);
    const bucket = buckets.get(key) ?? newEstimate(id);
    buckets.set(key, bucket);
    addLine(bucket, line, lifecycle);
  }
  return buckets;
}

/** The account a bill line is compared under: its own, or the report's one account when the bill does not say. */
function accountOf(line: BillLine, soleAccount: string | null): string | null {
  return line.account ?? soleAccount;
}

/** The bill in buckets of account, region and category (`perKey`: and key; lines without one are left out). */
export function billBuckets(
  bill: BillRead,
  perKey: boolean,
  soleAccount: string | null,
): Map<string, BillBucket> {
  const buckets = new Map<string, BillBucket>();
  for (const line of bill.lines) {
    if (perKey && line.keyArn === null) continue;
    // The reader's category is checked against the usage type: one mapping, billCategoryOf's.
    const mapped = billCategoryOf(line.usageType);
    const category = line.category === 'unmapped' ? 'unmapped' : mapped.category;
    const id: BucketId = {
      account: accountOf(line, soleAccount),
      region: line.region ?? mapped.region,
      category,
      keyArn: perKey ? line.keyArn : null,
      lineItemType: line.lineItemType,
      unmappedUsageType: category === 'unmapped' ? line.usageType : '',
    };
    const key = bucketKey(id);
    const bucket: BillBucket = buckets.get(key) ?? {
      ...id,
      quantity: dec(0),
      amount: dec(0),
      lines: 0,
      usageTypes: new Set(),
    };
    buckets.set(key, bucket);
    bucket.quantity = bucket.quantity.plus(line.quantity);
    bucket.amount = bucket.amount.plus(line.amount);
    bucket.lines += 1;
    bucket.usageTypes.add(line.usageType);
  }
  return buckets;
}
