import type { CallerDriver, CostDrivers, Recommendation } from '../../model/advice.js';
import type { Money } from '../../model/pricing.js';
import type { MonthlyReport } from '../../model/report.js';
import { formatMoney } from '../../pricing/money.js';
import { escapeMarkdown as e, showControlCharacters } from '../escape.js';

/** report.md's "Cost drivers" and "Recommendations" sections (the data: `report.drivers`, `report.recommendations`). */

const count = (n: number | null) => (n === null ? 'unknown' : n.toLocaleString('en-US'));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = header.map((h) => (h.endsWith(' ') ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.trim() || ' ').join(' | ')} |`;
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}

/** A caller as a table cell: the principal, the service that called for it, the bucket. Escaped. */
export function callerLabel(d: Pick<CallerDriver, 'caller' | 'invokedBy' | 'bucketArn'>): string {
  const via = d.invokedBy ? ` via ${d.invokedBy}` : '';
  const bucket = d.bucketArn ? ` (bucket ${d.bucketArn})` : '';
  return e(`${d.caller}${via}${bucket}`);
}

function change(d: CallerDriver, currency: string): string {
  if (d.costChange === null) return d.previousCost === null ? 'not listed last month' : 'unknown';
  return `${d.costChange.startsWith('-') ? '' : '+'}${formatMoney(d.costChange, { currency })}`;
}

function driverRows(
  list: readonly CallerDriver[],
  drivers: CostDrivers,
  currency: string,
  withKey: boolean,
): string[][] {
  return list.map((d) => [
    ...(withKey ? [e(d.keyArn ?? '')] : []),
    callerLabel(d),
    e(d.billedToReport ? d.billedAccount : `${d.billedAccount} (billed to it)`),
    count(d.requests),
    formatMoney(d.cost, { currency }),
    ...(drivers.previousMonth ? [change(d, currency)] : []),
  ]);
}

function callersUnknownText(drivers: CostDrivers, currency: string): string {
  if (drivers.callersKnown === 'known') return '';
  const what = `Callers unknown${drivers.callersKnown === 'partial' ? ' for part of the requests' : ''}: ${e(drivers.callersNote ?? '')}.`;
  return drivers.unknownCallers.requests > 0
    ? `${what} ${count(drivers.unknownCallers.requests)} requests (${formatMoney(drivers.unknownCallers.cost, { currency })}) billed to you have no known caller.`
    : what;
}

/** "Cost drivers": the callers behind the request bill, overall and per key. */
export function costDriversSection(report: MonthlyReport): string {
  const drivers = report.drivers;
  if (!drivers) return '';
  const currency = report.cost.currency;
  const header = (withKey: boolean) => [
    ...(withKey ? ['Key'] : []),
    'Caller',
    'Billed to',
    'Requests ',
    'Cost ',
    ...(drivers.previousMonth ? [`Change since ${drivers.previousMonth} `] : []),
  ];
  const unknown = callersUnknownText(drivers, currency);
  const parts = ['## Cost drivers', ''];
  if (unknown) parts.push(unknown, '');
  if (drivers.overall.length > 0)
    parts.push(
      'The callers that cost the most this month, over all keys:',
      '',
      table(header(false), driverRows(drivers.overall, drivers, currency, false)),
      '',
      '### Per key',
      '',
      table(header(true), driverRows(drivers.perKey, drivers, currency, true)),
      '',
      `_${e(drivers.method)}_`,
      '',
    );
  else if (drivers.callersKnown === 'known') parts.push('No request on any key was counted this month.', '');
  return parts.join('\n');
}

/** Inline code: control characters shown, backticks and line breaks made harmless. */
const code = (text: string) =>
  `\`${showControlCharacters(text)
    .replace(/`/g, "'")
    .replace(/[\r\n]+/g, ' ')}\``;

function saving(m: Money | null, currency: string): string {
  return formatMoney(m, { currency });
}

function recommendationItem(r: Recommendation, index: number, currency: string): string {
  const what =
    r.kind === 'cross-account-caller'
      ? 'no saving for you (billed to that account)'
      : `saves ${saving(r.monthlySaving, currency)} a month (${saving(r.yearlySaving, currency)} a year)`;
  const lines = [
    `${index + 1}. **${e(r.title)}**: ${what}.`,
    `   - Why: ${e(r.evidence)}`,
    `   - Estimate: ${e(r.savingBasis)}`,
    `   - How: ${e(r.apply.text)}`,
  ];
  if (r.apply.console) lines.push(`   - Console: ${e(r.apply.console)}`);
  if (r.apply.cli) for (const cmd of r.apply.cli.split('\n')) lines.push(`   - CLI: ${code(cmd)}`);
  if (r.apply.terraform) lines.push(`   - Terraform: ${code(r.apply.terraform)}`);
  return lines.join('\n');
}

/** "Recommendations": what would cut the bill, largest saving first, and what they add up to. */
export function recommendationsSection(report: MonthlyReport): string {
  const recs = report.recommendations;
  if (!recs) return '';
  const currency = report.cost.currency;
  const total = `${formatMoney(recs.monthlySaving.amount, { currency })}${recs.monthlySaving.complete ? '' : ' at least'}`;
  return [
    '## Recommendations',
    '',
    recs.items.length === 0
      ? 'None this month.'
      : `Advice, not findings (\`--fail-on\` does not look at them). Together they would save ${total} a month (${formatMoney(recs.yearlySaving, { currency })} a year). ${e(recs.method)}`,
    '',
    ...recs.items.map((r, i) => recommendationItem(r, i, currency)),
    '',
  ].join('\n');
}

/** Both sections, in report.md's order: who drives the bill, then what would cut it. */
export function adviceSections(report: MonthlyReport): string {
  return [costDriversSection(report), recommendationsSection(report)].filter(Boolean).join('\n');
}
