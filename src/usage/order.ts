import { compareText } from '../util/compare.js';

/**
 * A comparator over records that compares their text fields one after another in the reports'
 * order ({@link compareText}): the first field that differs decides.
 *
 * @example
 * ```ts
 * rows.sort(byTextFields((r) => r.account, (r) => r.region, (r) => r.resource));
 * ```
 */
export function byTextFields<T>(...fields: readonly ((item: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const field of fields) {
      const order = compareText(field(a), field(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/**
 * One map key for a tuple of texts (account, region, resource...): its parts joined by NUL, which
 * ARNs, account ids, regions and operation names do not hold. An identity, never an order.
 */
export const tupleKey = (...parts: readonly string[]): string => parts.join('\u0000');
