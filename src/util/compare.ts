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
