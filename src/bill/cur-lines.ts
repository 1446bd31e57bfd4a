import { BILL_LINE_ORDER, type BillLine, billCategoryOf } from '../model/bill.js';
import { Dec, toMoney } from '../pricing/money.js';
import { compositeKey } from '../util/compare.js';
import type { CurRow } from './cur-read.js';

/**
 * KMS rows of the CUR summed into {@link BillLine}s: one line per account, region, usage type,
 * operation, key and line item type. Quantities and amounts are summed as decimals (decimal.js),
 * exactly, never as floats; each row's value is taken as AWS wrote it (rounded per line item by
 * AWS, see the bill's read cost).
 */

/** Distinct bill lines kept, at most (a line per key, usage type and operation: 100,000 keys fit). */
export const MAX_BILL_LINES = 1_000_000;

interface Sum {
  readonly line: Omit<BillLine, 'quantity' | 'amount'>;
  quantity: Dec;
  amount: Dec;
}

/** The running sums of one file, or of the whole month once files are merged. */
export class BillLineSums {
  private readonly sums = new Map<string, Sum>();
  /** Rows not summed because {@link MAX_BILL_LINES} distinct lines were reached. */
  overflowRows = 0;

  get size(): number {
    return this.sums.size;
  }

  add(row: CurRow): void {
    const region = row.regionCode ?? billCategoryOf(row.usageType).region;
    const id = compositeKey(
      row.account,
      region ?? '',
      row.usageType,
      row.operation ?? '',
      row.resourceId ?? '',
      row.lineItemType,
    );
    const sum = this.sums.get(id);
    if (sum) {
      sum.quantity = sum.quantity.plus(row.quantity);
      sum.amount = sum.amount.plus(row.amount);
      return;
    }
    if (this.sums.size >= MAX_BILL_LINES) {
      this.overflowRows += 1;
      return;
    }
    this.sums.set(id, {
      line: {
        account: row.account,
        region,
        usageType: row.usageType,
        category: billCategoryOf(row.usageType).category,
        operation: row.operation,
        keyArn: row.resourceId,
        lineItemType: row.lineItemType,
      },
      quantity: new Dec(row.quantity),
      amount: new Dec(row.amount),
    });
  }

  /** Adds another file's sums to these. */
  merge(other: BillLineSums): void {
    this.overflowRows += other.overflowRows;
    for (const [id, s] of other.sums) {
      const mine = this.sums.get(id);
      if (mine) {
        mine.quantity = mine.quantity.plus(s.quantity);
        mine.amount = mine.amount.plus(s.amount);
      } else if (this.sums.size < MAX_BILL_LINES) this.sums.set(id, { ...s });
      else this.overflowRows += 1;
    }
  }

  /** The lines, in a stable order (account, region, usage type, operation, key, line item type). */
  lines(): BillLine[] {
    return [...this.sums.values()]
      .map((s) => ({ ...s.line, quantity: toMoney(s.quantity), amount: toMoney(s.amount) }))
      .sort(BILL_LINE_ORDER);
  }
}
