/**
 * Writes the demo's bill: a small CUR 2.0 export (Parquet, by pyarrow through
 * test/support/cur_fixture.py) for the demo account's month, under demo/cur/, from the demo's own
 * estimate (src/demo/sample.ts priced by the real engine), so that the estimate and the bill tell
 * a story a reader can follow:
 *
 * - every key's fees and requests billed as estimated, in daily line items rounded by AWS to 10
 *   decimal places (the sums differ from the estimate by fractions of a nano-dollar: rounding);
 * - the free tier's 20,000 requests billed at $0 on the key that used them first (eu-west-1), and
 *   the requests CloudWatch counted beyond the per-key counts ("unattributed") billed on a key;
 * - explained: a key deleted before the evidence was taken (not in the inventory), billed for its
 *   first four days and a few requests;
 * - flagged: one key's Decrypt requests billed 30% above what CloudTrail counted.
 *
 * Run after a change to the demo's keys or usage: `npx tsx scripts/demo-bill.ts` (needs pyarrow:
 * `npm run setup:moto`). The test test/unit/bill/demo-bill.test.ts reads the committed file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNT, DEMO_MONTH, demoSnapshot, demoUsage } from '../src/demo/sample.js';
import type { CostLine } from '../src/model/pricing.js';
import { priceMonth } from '../src/pricing/engine.js';
import { loadPricingTables } from '../src/pricing/load.js';
import { Dec } from '../src/pricing/money.js';
import { type CurFixtureRow, writeCurParquet } from '../test/support/cur-fixtures.js';

const EXPORT = 'kms-report-demo';
const ROOT = fileURLToPath(new URL('../demo/cur/', import.meta.url));
const DATA = `${EXPORT}/data/BILLING_PERIOD=${DEMO_MONTH}/`;
const FILE = `${DATA}${EXPORT}-00001.snappy.parquet`;
const MANIFEST = `${EXPORT}/metadata/BILLING_PERIOD=${DEMO_MONTH}/${EXPORT}-Manifest.json`;
const INVOICE = 'EUINUS26-1029384';
const DAYS = 31;
/** The key deleted before the evidence was taken (not in the demo's inventory). */
export const DELETED_KEY = `arn:aws:kms:us-east-1:${DEMO_ACCOUNT}:key/0d1e2f30-4152-4637-8899-aabbccddeeff`;
/** The key whose Decrypt requests the bill shows 30% above the count. */
const FLAGGED_KEY_SUFFIX = '5a2b8c4d6e71';
/** The key the unattributed requests are billed on. */
const UNATTRIBUTED_KEY_SUFFIX = '490a7c3cbd60';

const round10 = (d: Dec) => d.toDecimalPlaces(10);
const day = (i: number) => `${DEMO_MONTH}-${String(i + 1).padStart(2, '0')}T00:00:00Z`;

interface Billed {
  account: string;
  region: string;
  keyArn: string | null;
  usageType: string;
  operation: string;
  quantity: Dec;
  /** Price of one unit of quantity. */
  unitPrice: Dec;
  /** Units billed at $0 (the free tier), taken from the first days. */
  free?: number;
}

/** Daily rows of one billed quantity, each rounded as AWS rounds a line item. */
function dailyRows(b: Billed): CurFixtureRow[] {
  const requests = !b.usageType.endsWith('KMS-Keys');
  const days = requests
    ? Math.min(DAYS, b.quantity.toNumber())
    : Math.max(1, Math.min(DAYS, Math.ceil(b.quantity.times(DAYS).toNumber() - 1e-9)));
  const per = requests ? b.quantity.dividedToIntegerBy(days) : round10(b.quantity.dividedBy(days));
  const rows: CurFixtureRow[] = [];
  let left = b.quantity;
  let free = new Dec(b.free ?? 0);
  for (let i = 0; i < days; i++) {
    const q = i === days - 1 ? (requests ? left : round10(left)) : per;
    left = left.minus(q);
    const freeHere = Dec.min(free, q);
    free = free.minus(freeHere);
    const common = {
      line_item_usage_account_id: b.account,
      product_region_code: b.region,
      line_item_usage_type: b.usageType,
      line_item_operation: b.operation,
      line_item_resource_id: b.keyArn ?? '',
      line_item_usage_start_date: day(i),
      bill_invoice_id: INVOICE,
      pricing_unit: requests ? 'Requests' : 'Keys',
    };
    if (freeHere.gt(0))
      rows.push({
        ...common,
        line_item_usage_amount: freeHere.toNumber(),
        line_item_unblended_cost: 0,
        line_item_line_item_description: '$0.00 per request - 20,000 free requests per month',
      });
    const paid = q.minus(freeHere);
    if (paid.gt(0))
      rows.push({
        ...common,
        line_item_usage_amount: paid.toNumber(),
        line_item_unblended_cost: round10(paid.times(b.unitPrice)).toNumber(),
        line_item_line_item_description: requests
          ? `$${b.unitPrice.times(10_000)} per 10,000 requests`
          : '$1 per customer master key per month',
      });
  }
  return rows;
}

/** What the bill charges, from the estimate's lines (and the story's differences). */
function billed(lines: readonly CostLine[], credits: readonly CostLine[]): Billed[] {
  const out: Billed[] = [];
  const keyMonths = new Map<string, Billed>();
  for (const l of lines) {
    if (l.quantity === null || l.amount === null) continue;
    if (l.kind === 'key-fee' || l.kind === 'rotation-fee') {
      const b = keyMonths.get(l.keyArn as string) ?? {
        account: l.account,
        region: l.region,
        keyArn: l.keyArn,
        usageType: `${l.region}-KMS-Keys`,
        operation: 'CreateKey',
        quantity: new Dec(0),
        unitPrice: new Dec(1),
      };
      b.quantity = b.quantity.plus(l.quantity);
      keyMonths.set(l.keyArn as string, b);
    } else if (l.kind === 'requests' || l.kind === 'unattributed-requests') {
      let quantity = new Dec(l.quantity);
      let keyArn = l.keyArn;
      let operation = l.operation ?? 'Decrypt';
      if (l.kind === 'unattributed-requests') {
        keyArn =
          lines.find((k) => k.keyArn?.endsWith(UNATTRIBUTED_KEY_SUFFIX) && k.region === l.region)?.keyArn ??
          null;
        operation = 'Decrypt';
      }
      if (l.keyArn?.endsWith(FLAGGED_KEY_SUFFIX) && operation === 'Decrypt') quantity = quantity.times(1.3);
      const unitPrice = new Dec(l.unitPrice as string).dividedBy(10_000);
      const credit = credits.find(
        (c) => c.account === l.account && c.region === l.region && c.tier === l.tier,
      );
      const first = out.find(
        (b) =>
          b.account === l.account &&
          b.region === l.region &&
          b.usageType === `${l.region}-${l.tier}` &&
          b.free,
      );
      out.push({
        account: l.account,
        region: l.region,
        keyArn,
        usageType: `${l.region}-${l.tier}`,
        operation,
        quantity,
        unitPrice,
        ...(credit && !first ? { free: -Number(credit.quantity) } : {}),
      });
    }
  }
  out.push(...keyMonths.values());
  // Explained: a key the inventory does not hold, deleted on the 5th before the evidence was taken.
  out.push({
    account: DEMO_ACCOUNT,
    region: 'us-east-1',
    keyArn: DELETED_KEY,
    usageType: 'us-east-1-KMS-Keys',
    operation: 'CreateKey',
    quantity: new Dec(4).dividedBy(DAYS),
    unitPrice: new Dec(1),
  });
  out.push({
    account: DEMO_ACCOUNT,
    region: 'us-east-1',
    keyArn: DELETED_KEY,
    usageType: 'us-east-1-KMS-Requests',
    operation: 'Decrypt',
    quantity: new Dec(600),
    unitPrice: new Dec('0.000003'),
  });
  return out;
}

/** A few other services' rows, which the reader must leave out. */
const OTHER_SERVICES: CurFixtureRow[] = [
  {
    line_item_product_code: 'AmazonEC2',
    line_item_usage_type: 'BoxUsage:m5.large',
    line_item_operation: 'RunInstances',
    line_item_resource_id: 'i-0a1b2c3d4e5f60718',
    line_item_usage_amount: 744,
    line_item_unblended_cost: 71.424,
    bill_invoice_id: INVOICE,
    pricing_unit: 'Hrs',
  },
  {
    line_item_product_code: 'AmazonS3',
    line_item_usage_type: 'TimedStorage-ByteHrs',
    line_item_operation: 'StandardStorage',
    line_item_resource_id: 'payments-archive',
    line_item_usage_amount: 120.5,
    line_item_unblended_cost: 2.7715,
    bill_invoice_id: INVOICE,
    pricing_unit: 'GB-Mo',
  },
];

async function main() {
  const cost = priceMonth({
    month: DEMO_MONTH,
    snapshot: demoSnapshot(),
    usage: demoUsage(),
    tables: await loadPricingTables(),
  });
  const lines = [...cost.keys.flatMap((k) => k.lines), ...cost.accountRequests, ...cost.unattributed];
  const rows = [...billed(lines, cost.credits).flatMap(dailyRows), ...OTHER_SERVICES];
  mkdirSync(`${ROOT}${DATA}`, { recursive: true });
  mkdirSync(`${ROOT}${MANIFEST.slice(0, MANIFEST.lastIndexOf('/'))}`, { recursive: true });
  const summary = await writeCurParquet({
    out: `${ROOT}${FILE}`,
    rows,
    rowGroupSize: 250,
    month: DEMO_MONTH,
  });
  writeFileSync(
    `${ROOT}${MANIFEST}`,
    `${JSON.stringify({ executionId: '5f0c2d1e-9a8b-4c7d-8e6f-102938475665', exportArn: `arn:aws:bcm-data-exports:us-east-1:${DEMO_ACCOUNT}:export/${EXPORT}-3f2e1d0c`, columns: [], dataFiles: [`s3://demo-billing-exports/${FILE}`], bucket: 'demo-billing-exports', reportName: EXPORT }, null, 2)}\n`,
  );
  process.stdout.write(
    `demo bill: ${summary.rows} rows (${summary.kms_rows} KMS) in ${summary.row_groups} row groups → demo/cur/${FILE}\n`,
  );
}

await main();
