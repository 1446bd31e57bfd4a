import type { BillReconciliation, BillReconciliationRow } from '../model/reconciliation.js';
import { flaggedDifferences } from '../model/reconciliation.js';
import { formatMoney } from '../pricing/money.js';
import { type Escape, num, type TableData } from './views.js';

/**
 * What the "Estimate vs bill" section says, computed once for report.md and report.html: the
 * headline sentences and the rows' table.
 */

const SOURCE_NAME: Readonly<Record<BillReconciliation['source'], string>> = {
  'cost-explorer': 'Cost Explorer',
  cur: 'the Cost and Usage Report',
  'cur-athena': 'the Cost and Usage Report (Athena)',
  sample: 'a sample bill',
};

const STATUS_TEXT: Readonly<Record<BillReconciliation['status'], string>> = {
  final: 'final',
  estimated: 'still estimated',
  unknown: 'of unknown status',
};

/** A quantity as read (`50000` → `50,000`; key-months to 3 places). */
export function quantityText(q: string | null, unit: BillReconciliationRow['unit']): string {
  if (q === null) return 'unknown';
  const n = Number(q);
  return unit === 'requests'
    ? n.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

const percentText = (p: string | null, difference: string | null) =>
  p !== null ? `${p}%` : difference === null ? 'unknown' : Number(difference) === 0 ? '0.00%' : 'n/a';

/** The headline: both totals, the drift, the bill's status and source, what was flagged. */
export function billHeadline(rec: BillReconciliation): string[] {
  const t = rec.totals;
  const c = { currency: rec.currency };
  const flagged = flaggedDifferences(rec);
  const estimate = `${t.estimate.complete ? '' : 'at least '}${formatMoney(t.estimate.amount, c)}`;
  const billed =
    t.billed === null
      ? 'the bill could not be read'
      : `billed ${t.billedComplete ? '' : 'at least '}${formatMoney(t.billed, c)}`;
  const drift =
    t.difference === null
      ? ''
      : `: a difference of ${formatMoney(t.difference, { ...c, decimals: 4 })} (${percentText(t.percent, t.difference)} of the bill)`;
  return [
    `Estimate ${estimate}, ${billed}${drift}. The bill was read from ${SOURCE_NAME[rec.source]} on ${rec.readAt.slice(0, 10)} and is ${STATUS_TEXT[rec.status]} (${rec.statusDetail}). Reading it: ${rec.readCost}.`,
    rec.flagging === 'on'
      ? `A difference of more than ${rec.thresholdPercent}% of its bill that nothing explains is flagged: ${flagged === 0 ? 'none is' : `${flagged} ${flagged === 1 ? 'is' : 'are'}`}${t.flagged ? ', and so is the total' : ''}.`
      : `Differences of more than ${rec.thresholdPercent}% are not flagged: ${NOT_FLAGGED_BECAUSE[rec.flagging]}.`,
    rec.rounding,
  ];
}

/** Why differences are not flagged, by {@link BillReconciliation.flagging}. */
const NOT_FLAGGED_BECAUSE: Readonly<Record<Exclude<BillReconciliation['flagging'], 'on'>, string>> = {
  'off-estimated-bill': 'the bill is still estimated',
  'off-status-unknown': 'whether the bill is final is unknown (treated as not final)',
};

/** The status cell: flagged, the explanation, or in agreement. */
export function rowStatus(r: BillReconciliationRow, flagging: BillReconciliation['flagging'] = 'on'): string {
  const because = r.explanation
    ? `${r.explanation.text}${r.explanation.assumptions.length > 0 ? ` (${r.explanation.assumptions.join(', ')})` : ''}`
    : '';
  if (r.flagged) return `FLAGGED${because ? `: ${because}` : ': unexplained'}`;
  if (because) return because;
  if (r.exceedsThreshold)
    return flagging === 'on'
      ? 'above the threshold, not flagged (outside the total)'
      : `above the threshold, not flagged (${flagging === 'off-estimated-bill' ? 'estimated bill' : 'bill status unknown'})`;
  return r.difference === '0' ? 'agrees' : 'within the threshold';
}

/** What the row is about: the usage types billed, else the category. */
const whatText = (r: BillReconciliationRow) =>
  `${r.usageTypes.length > 0 ? r.usageTypes.join(', ') : r.category}${r.lineItemType === 'Usage' ? '' : ` (${r.lineItemType})`}`;

/** The rows as a table; `label` names an account, `u` makes text inert for the format. */
export function billRowsTable(
  rec: BillReconciliation,
  rows: readonly BillReconciliationRow[],
  label: (account: string) => string,
  u: Escape,
  perKey = false,
): TableData {
  // The currency is the bill's text: escaped like any other.
  const c = { currency: u(rec.currency), decimals: 4 };
  return {
    header: [
      'Account',
      'Region',
      'Usage type',
      ...(perKey ? ['Key'] : []),
      num('Estimated quantity'),
      num('Billed quantity'),
      num('Estimate'),
      num('Billed'),
      num('Estimate − billed'),
      num('% of bill'),
      'Explanation',
    ],
    rows: rows.map((r) => [
      r.account === null ? '—' : u(label(r.account)),
      u(r.region ?? '—'),
      u(whatText(r)),
      ...(perKey ? [u(r.keyArn ?? '—')] : []),
      quantityText(r.estimate.quantity, r.unit),
      quantityText(r.billed.quantity, r.unit),
      formatMoney(r.estimate.amount, c),
      formatMoney(r.billed.amount, c),
      formatMoney(r.difference, c),
      percentText(r.percent, r.difference),
      u(rowStatus(r, rec.flagging)),
    ]),
  };
}

/** Key rows worth a reader's time in report.md: those whose sides differ (reconciliation.csv has them all). */
export const differingKeyRows = (rec: BillReconciliation): BillReconciliationRow[] =>
  rec.keyRows.filter((r) => r.difference !== '0');
