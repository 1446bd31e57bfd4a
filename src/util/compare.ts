/**
 * The one text order of the reports: English collation (case and accents after letters, as
 * `localeCompare` sorts on an English machine), fixed rather than taken from the machine's
 * locale so the same evidence gives the same report everywhere. One collator is made once:
 * `a.localeCompare(b)` builds its collation state on every call, which dominated sorting
 * 100,000 keys.
 */
const collator = new Intl.Collator('en');

/** Compares two texts in the reports' order (negative, zero, positive). */
export const compareText: (a: string, b: string) => number = collator.compare;

/**
 * An order by several text fields in turn, each in the reports' order ({@link compareText}):
 * the first field that differs decides.
 *
 * @example
 * ```ts
 * lines.sort(compareBy((l) => l.account, (l) => l.region, (l) => l.operation ?? ''));
 * ```
 */
export function compareBy<T>(...fields: readonly ((item: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const field of fields) {
      const order = compareText(field(a), field(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/**
 * One `Map` key for several texts (account, region, operation, ...). Unlike joining them with a
 * separator it cannot collide, whatever the texts hold: the same parts, and only they, give the
 * same key.
 *
 * @example
 * ```ts
 * const totals = new Map<string, number>();
 * const id = compositeKey(t.account, t.region, t.resource);
 * totals.set(id, (totals.get(id) ?? 0) + t.count);
 * ```
 */
export function compositeKey(...parts: readonly string[]): string {
  return JSON.stringify(parts);
}

/**
 * Items by a key of theirs (a text, or several joined by {@link compositeKey}), each group in the
 * items' order, the groups in the order their keys first appear.
 *
 * @example
 * ```ts
 * const byRegion = groupBy(usage.coverage, (c) => compositeKey(c.account, c.region));
 * ```
 */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
